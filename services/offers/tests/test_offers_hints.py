"""Hints on an offer's content: they explain what the staff would ask to revise, never block."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from offers.domain.hints import Hint, compute_hints, looks_french, normalize, strip_contact_links

WORD_PASTE = (Path(__file__).parents[3] / "libs/plumbing/tests/data/word-offer-paste.html").read_text("utf-8")

GOOD_FR = (
    "<p><strong>Raison d'être du poste</strong></p><p>Relevant de la direction, vous concevez les ouvrages "
    "de la Ville avec une équipe de professionnels.</p><p><strong>Principales tâches et responsabilités</strong>"
    "</p><ul><li>Préparer les plans et devis;</li><li>Surveiller les chantiers.</li></ul>"
    "<p><strong>Qualifications requises</strong></p><ul><li>Baccalauréat en génie civil;</li>"
    "<li>Membre de l'Ordre des ingénieurs du Québec.</li></ul>"
)
GOOD_EN = (
    "<p><strong>Purpose of the position</strong></p><p>Reporting to the director, you design the city's "
    "structures with a team of professionals.</p><p><strong>Main tasks and responsibilities</strong></p>"
    "<ul><li>Prepare plans.</li></ul><p><strong>Required qualifications</strong></p><ul><li>Bachelor's degree "
    "in civil engineering.</li></ul>"
)


@dataclass(frozen=True)
class Content:
    """The attribute names of OfferContent (offers.domain.offer), nothing more."""

    title_fr: str = "Ingénieur·e de projets"
    title_en: str = ""
    description_fr: str = GOOD_FR
    description_en: str = ""
    salary: str = ""


def codes(content) -> list[tuple[str, str]]:
    return [(hint.code, hint.field) for hint in compute_hints(content)]


def test_a_complete_french_offer_has_no_hint():
    assert compute_hints(Content()) == []
    assert compute_hints(Content(title_en="Project engineer", description_en=GOOD_EN)) == []


def test_hints_carry_a_code_a_field_a_severity_and_both_languages():
    [hint] = compute_hints(Content(salary="Entre 80 000 $ et 110 000 $ selon l'expérience et la formation"))
    assert isinstance(hint, Hint)
    assert hint.to_dict() == {
        "code": "salary_too_long",
        "severity": "warning",
        "field": "salary",
        "message_fr": hint.message_fr,
        "message_en": hint.message_en,
    }
    assert "50" in hint.message("fr") and "caractères" in hint.message("fr")
    assert "50" in hint.message("en") and "characters" in hint.message("en")


def test_a_salary_of_fifty_characters_is_fine():
    assert codes(Content(salary="x" * 50)) == []
    assert codes(Content(salary="x" * 51)) == [("salary_too_long", "salary")]


@pytest.mark.parametrize(
    "html",
    [
        '<p>Écrivez à <a href="mailto:rh@genivert.ca">nous</a>.</p>',
        '<p>Voir <a href="https://genivert.ca/carrieres">notre site</a>.</p>',
        "<p>Envoyez votre CV à rh@genivert.ca avant vendredi.</p>",
        "<p>Postulez sur www.genivert.ca/emplois dès maintenant.</p>",
        "<p>Postulez sur https://emplois.genivert.ca</p>",
    ],
)
def test_contact_links_or_addresses_in_the_description(html):
    hints = compute_hints(Content(description_fr=GOOD_FR + html))
    assert [(h.code, h.field) for h in hints] == [("contact_in_description", "description_fr")]
    assert "Postuler" in hints[0].message("fr") and "Apply" in hints[0].message("en")


def test_contact_in_the_english_description_is_told_on_its_field():
    content = Content(description_en=GOOD_EN + "<p>Apply at jobs@genivert.ca</p>")
    assert codes(content) == [("contact_in_description", "description_en")]


def test_strip_contact_links_keeps_words_and_drops_addresses():
    html = (
        '<p>Écrivez-nous : <a href="mailto:rh@genivert.ca">rh@genivert.ca</a> ou visitez '
        '<a href="https://genivert.ca">notre site</a>.</p><p>Ou au jobs@genivert.ca, www.genivert.ca/emplois</p>'
        '<p><a href="https://genivert.ca">https://genivert.ca</a></p><p>Fin.</p>'
    )
    assert strip_contact_links(html) == "<p>Écrivez-nous : ou visitez notre site.</p><p>Ou au ,</p><p>Fin.</p>"
    assert strip_contact_links(GOOD_FR) == GOOD_FR
    assert strip_contact_links("") == ""
    assert not [h for h in compute_hints(Content(description_fr=strip_contact_links(GOOD_FR + html)))]


def test_the_word_paste_has_its_three_parts_and_a_contact_link():
    assert codes(Content(description_fr=WORD_PASTE)) == [("contact_in_description", "description_fr")]
    assert "mailto" not in strip_contact_links(WORD_PASTE) and "<a" not in strip_contact_links(WORD_PASTE)


@pytest.mark.parametrize(
    ("missing", "html"),
    [
        ("missing_purpose", GOOD_FR.replace("Raison d'être du poste", "Le contexte")),
        ("missing_tasks", GOOD_FR.replace("Principales tâches et responsabilités", "Au quotidien")),
        ("missing_qualifications", GOOD_FR.replace("Qualifications requises", "Ce qu'il faut")),
    ],
)
def test_each_missing_part_of_the_description_is_told(missing, html):
    hints = compute_hints(Content(description_fr=html))
    assert [(h.code, h.field) for h in hints] == [(missing, "description_fr")]
    assert "raison d'être" in hints[0].message("fr") and "purpose" in hints[0].message("en")


@pytest.mark.parametrize(
    "heading",
    ["RAISON D'ÊTRE", "Raison d’être", "raison d etre du poste :", "Raison d'etre", "MANDAT", "Sommaire du poste"],
)
def test_parts_are_found_whatever_the_accents_case_or_apostrophe(heading):
    html = GOOD_FR.replace("Raison d'être du poste", heading)
    assert codes(Content(description_fr=html)) == []


def test_a_description_with_none_of_the_parts_gets_three_hints():
    html = "<p>Nous cherchons une personne motivée pour se joindre à notre équipe dynamique en génie.</p>"
    assert codes(Content(description_fr=html)) == [
        ("missing_purpose", "description_fr"),
        ("missing_tasks", "description_fr"),
        ("missing_qualifications", "description_fr"),
    ]


def test_an_empty_description_gets_no_hint_the_sending_check_tells_it():
    assert codes(Content(description_fr="")) == []
    assert codes(Content(description_fr="<p>&nbsp;</p>")) == []


def test_english_written_in_the_french_description():
    content = Content(description_fr=GOOD_EN)
    assert codes(content) == [("no_french", "description_fr")]
    assert "français est obligatoire" in compute_hints(content)[0].message("fr")
    assert looks_french("Bonjour") is None  # too short to tell
    assert looks_french("We are looking for an engineer to join our team in the city") is False
    assert looks_french("Nous cherchons une ingénieure pour se joindre à notre équipe de la Ville") is True


def test_a_title_only_in_english():
    assert codes(Content(title_fr="", title_en="Project engineer")) == [("no_french", "title_fr")]
    assert codes(Content(title_fr="", title_en="")) == []


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("title_fr", "Technicien en génie civil"),
        ("title_fr", "Technicienne de laboratoire"),
        ("title_fr", "Technologue en électricité"),
        ("title_en", "Engineering Technician"),
        ("title_en", "Civil technologist"),
    ],
)
def test_technician_or_technologist_wording_in_a_title(field, text):
    assert codes(Content(**{field: text})) == [("technician_wording", field)]
    assert "technologues" in compute_hints(Content(**{field: text}))[0].message("fr")


def test_technician_wording_in_the_description_but_not_technique():
    html = GOOD_FR + "<p>Vous encadrez deux technicien·ne·s.</p>"
    assert codes(Content(description_fr=html)) == [("technician_wording", "description_fr")]
    assert codes(Content(description_fr=GOOD_FR + "<p>Soutien technique et technologies.</p>")) == []


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("title_fr", "Appel d’offres : services d'ingénierie"),
        ("title_fr", "Banque de candidatures – ingénieurs"),
        ("title_en", "Call for tenders"),
        ("title_en", "Engineers talent pool"),
    ],
)
def test_calls_for_tenders_and_candidate_banks(field, text):
    assert codes(Content(**{field: text})) == [("tender_or_candidate_bank", field)]


def test_a_candidate_bank_in_the_description():
    html = GOOD_FR + "<p>Votre CV sera versé dans notre banque de candidats.</p>"
    assert codes(Content(description_fr=html)) == [("tender_or_candidate_bank", "description_fr")]


def test_several_hints_at_once_in_a_stable_order():
    content = Content(
        title_fr="Technicien",
        description_fr="<p>We are looking for a technician for our team, email jobs@x.ca for the job.</p>",
        salary="y" * 60,
    )
    assert codes(content) == [
        ("technician_wording", "title_fr"),
        ("contact_in_description", "description_fr"),
        ("missing_purpose", "description_fr"),
        ("missing_tasks", "description_fr"),
        ("missing_qualifications", "description_fr"),
        ("no_french", "description_fr"),
        ("technician_wording", "description_fr"),
        ("salary_too_long", "salary"),
    ]


def test_any_object_with_the_attribute_names_will_do():
    assert codes(SimpleNamespace(title_fr="Ingénieure", description_fr=GOOD_FR)) == []
    assert codes(SimpleNamespace()) == []
    assert codes(SimpleNamespace(title_fr=None, description_fr=None, salary=None)) == []


def test_normalize_ignores_accents_case_and_apostrophes():
    assert normalize("Raison d’ÊTRE") == normalize("raison d'etre") == " raison d etre "
    assert normalize("Œuvre") == " oeuvre "
