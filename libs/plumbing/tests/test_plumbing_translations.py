"""Every French string of the shared layout, components and style guide has its English."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "plumbing"


def test_every_shared_string_has_its_english_translation() -> None:
    found = {m if isinstance(m, str) else m[0] for _f, _l, m, _c, _x in extract_from_dir(
        str(PACKAGE), [("**.py", "python"), ("**/templates/**.html", "jinja2")], keywords={"_": None, "gettext": None})}
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id}
    assert sorted(found - set(translated)) == []
    assert [k for k, v in translated.items() if not v] == []
    assert {"Menu", "Choisir un fichier", "Gras", "Liste à puces"} <= found
