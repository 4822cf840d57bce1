"""[staff] Every French string of the records and staff pages has its English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "catalog_billing"
TEMPLATES = ["templates/billing/records/*.html", "templates/billing/staff/*.html"]
MODULES = ["entrypoints/labels_records.py", "entrypoints/web_records.py", "entrypoints/web_staff.py"]


def test_every_records_and_staff_string_has_its_english_translation():
    found: set[str] = set()
    for pattern in TEMPLATES:
        for path in PACKAGE.glob(pattern):
            found |= {m if isinstance(m, str) else m[0]
                      for _l, m, _c, _x in extract_from_file("jinja2", str(path), keywords={"_": None})}
    for name in MODULES:
        found |= {m if isinstance(m, str) else m[0]
                  for _l, m, _c, _x in extract_from_file("python", str(PACKAGE / name), keywords={"_": None})}
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id}
    assert sorted(found - set(translated)) == []
    assert {"Mes forfaits", "Historique des transactions", "Codes promotionnels"} <= found
    assert all(translated[m] for m in found)
