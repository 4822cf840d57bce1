"""Every French string of the pages has its English translation in the catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import identity

PACKAGE = Path(identity.__file__).resolve().parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def test_every_page_string_is_translated():
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    found = {message for _, _, message, _, _ in extract_from_dir(PACKAGE, METHODS, keywords={"_": None})}
    assert found, "nothing extracted"
    missing = sorted(m for m in found if not (catalog.get(m) and catalog.get(m).string))
    assert missing == []
    unused = sorted(str(m.id) for m in catalog if m.id and m.id not in found)
    assert unused == []
