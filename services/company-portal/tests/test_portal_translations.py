"""Every French string of the pages (`_()` in templates and Python) has its English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

SERVICE = Path(__file__).resolve().parents[1]
PACKAGE = SERVICE / "src" / "company_portal"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), METHODS, keywords={"_": None, "gettext": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_has_its_english_translation():
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(extracted() - set(translated))
    assert missing == []
    assert [k for k, v in translated.items() if not v] == []
    assert len(extracted()) > 120


def test_placeholders_survive_translation():
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and "%(" in message.id:
            for name in ("%(name)s", "%(query)s"):
                assert (name in message.id) == (name in message.string), message.id
