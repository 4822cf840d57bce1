"""[pages] Every French string of the employer's offer pages and of the offer page has its English
translation in offers' catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "offers"
TEMPLATES = sorted((PACKAGE / "templates" / "employer").glob("*.html")) + [
    PACKAGE / "templates" / "offer_page.html",
    PACKAGE / "templates" / "offer_public.html",
]
MODULES = sorted((PACKAGE / "entrypoints").glob("web_employer*.py"))


def strings_of_pages() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES:
        found |= {
            m if isinstance(m, str) else m[0]
            for _l, m, _c, _x in extract_from_file("jinja2", str(path), keywords={"_": None})
        }
    for path in MODULES:
        found |= {
            m if isinstance(m, str) else m[0]
            for _l, m, _c, _x in extract_from_file("python", str(path), keywords={"_": None})
        }
    return found


def test_every_employer_page_string_has_its_english_translation() -> None:
    found = strings_of_pages()
    with (PACKAGE / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id}
    assert {"Tableau de bord", "Mes offres d'emploi", "Enregistrer et passer à la caisse", "Postuler"} <= found
    assert sorted(found - set(translated)) == []
    assert all(translated[m] for m in found)
