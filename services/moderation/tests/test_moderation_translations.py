"""Every French string of the pages and Python code has its English translation."""

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import moderation

PACKAGE_DIR = Path(moderation.__file__).resolve().parent
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def source_strings() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(PACKAGE_DIR), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_is_translated_to_english():
    with (PACKAGE_DIR / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale="en")
    translated = {m.id: m.string for m in catalog if m.id}
    strings = source_strings()
    assert len(strings) > 100
    missing = sorted(s for s in strings if not translated.get(s))
    assert missing == []
    assert not catalog.fuzzy
