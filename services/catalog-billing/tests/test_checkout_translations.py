"""[checkout] Every French string of the purchase pages has its English translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "catalog_billing"
TEMPLATES = ["catalog.html", "product.html", "cart.html", "caisse.html", "review.html", "confirmation.html",
             "checkout/_add.html"]
MODULES = ["entrypoints/web.py", "entrypoints/pages_common.py"]


def test_every_purchase_page_string_has_its_english_translation():
    found: set[str] = set()
    for name in TEMPLATES:
        found |= {m if isinstance(m, str) else m[0] for _l, m, _c, _x in
                  extract_from_file("jinja2", str(PACKAGE / "templates" / "billing" / name), keywords={"_": None})}
    for name in MODULES:
        found |= {m if isinstance(m, str) else m[0]
                  for _l, m, _c, _x in extract_from_file("python", str(PACKAGE / name), keywords={"_": None})}
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id}
    assert {"Acheter un forfait", "Passer à la caisse", "Compléter l'achat"} <= found
    assert sorted(found - set(translated)) == []
    assert all(translated[m] for m in found)
