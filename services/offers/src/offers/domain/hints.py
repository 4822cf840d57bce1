"""Hints on an offer's content: what the staff would likely ask to revise (PRODUCT §4, the guide's
"Modalités d'affichage"). They explain, they never block: computed on each save, stored on the
offer, shown to the employer and to the staff.

`compute_hints(content)` takes any object with OfferContent's attribute names (title_fr,
title_en, description_fr, description_en, salary); a missing attribute counts as empty.
`strip_contact_links(html)` removes contact links and addresses from a description (on approval).

Text is compared without accents, case or apostrophe variants ("Raison d’être", "RAISON D'ETRE"
and "raison d etre" are the same).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from plumbing.richtext import plain_text, sanitize_html

SALARY_MAX = 50
DESCRIPTIONS = ("description_fr", "description_en")
TITLES = ("title_fr", "title_en")


@dataclass(frozen=True)
class Hint:
    code: str
    field: str
    message_fr: str
    message_en: str
    severity: str = "warning"

    def message(self, locale: str = "fr") -> str:
        return self.message_en if locale == "en" else self.message_fr

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message_fr": self.message_fr,
            "message_en": self.message_en,
        }


# -- text helpers -------------------------------------------------------------------------------

_APOSTROPHES = "'’‘`´ʼ"


def normalize(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    for mark in _APOSTROPHES:
        text = text.replace(mark, " ")
    return " " + re.sub(r"[^a-z0-9]+", " ", text).strip() + " "


def _has(normalized: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {phrase} " in normalized for phrase in phrases)


def _text(content: Any, name: str) -> str:
    value = getattr(content, name, "")
    return value if isinstance(value, str) else ""


# -- contact links ------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def _has_contact(html: str) -> bool:
    if _LINK.search(html):
        return True
    text = plain_text(html)
    return bool(_EMAIL.search(text) or _URL.search(text))


def strip_contact_links(html: str) -> str:
    """The description without links, e-mail addresses or web addresses (a link's words stay
    unless they are themselves an address); sanitized again so no empty paragraph is left."""
    if not html:
        return html

    def unlink(match: re.Match[str]) -> str:
        inner = match.group(1)
        words = _TAGS.sub("", inner).strip()
        return "" if _EMAIL.fullmatch(words) or _URL.fullmatch(words) else inner

    cleaned = _LINK.sub(unlink, sanitize_html(html))
    cleaned = _EMAIL.sub("", cleaned)
    cleaned = _URL.sub("", cleaned)
    return sanitize_html(cleaned)


# -- the three parts of a description -------------------------------------------------------------

_PARTS = (
    (
        "missing_purpose",
        (
            "raison d etre",
            "raisons d etre",
            "mission du poste",
            "mandat",
            "sommaire du poste",
            "nature du poste",
            "role",
            "votre role",
            "purpose",
            "position summary",
            "job summary",
            "role summary",
            "about the role",
            "about the position",
            "the role",
            "mission",
        ),
        "la raison d'être du poste",
        "the purpose of the position",
    ),
    (
        "missing_tasks",
        (
            "taches",
            "tache",
            "responsabilites",
            "responsabilite",
            "fonctions principales",
            "principales fonctions",
            "tasks",
            "responsibilities",
            "duties",
            "main duties",
        ),
        "les principales tâches et responsabilités",
        "the main tasks and responsibilities",
    ),
    (
        "missing_qualifications",
        (
            "qualifications",
            "qualification",
            "exigences",
            "profil recherche",
            "competences requises",
            "requirements",
            "required skills",
            "qualifications required",
            "what you bring",
        ),
        "les qualifications requises",
        "the required qualifications",
    ),
)


def _part_hints(field: str, normalized: str) -> list[Hint]:
    hints = []
    for code, phrases, part_fr, part_en in _PARTS:
        if not _has(normalized, phrases):
            hints.append(
                Hint(
                    code,
                    field,
                    f"La description ne semble pas présenter {part_fr} : l'Ordre demande la raison d'être du "
                    "poste, les principales tâches et responsabilités et les qualifications requises.",
                    f"The description does not seem to state {part_en}: the Ordre asks for the purpose of "
                    "the position, the main tasks and responsibilities and the required qualifications.",
                )
            )
    return hints


# -- language -------------------------------------------------------------------------------------

_FRENCH_WORDS = frozenset(
    "le la les des du de un une et est sont pour dans avec sur au aux nous vous votre vos notre nos "
    "qui que poste ou par ce cette ces son sa ses en leur leurs etre avoir travail equipe".split()
)
_ENGLISH_WORDS = frozenset(
    "the and of to for with in on is are you your our we will be an as at by this that from or "
    "position team work job".split()
)
_MIN_WORDS = 8


def looks_french(text: str) -> bool | None:
    """True/False when the text has enough words to tell; None when it is too short."""
    words = normalize(text).split()
    if len(words) < _MIN_WORDS:
        return None
    french = sum(word in _FRENCH_WORDS for word in words)
    english = sum(word in _ENGLISH_WORDS for word in words)
    return french >= english and french > 0


# -- wording the guide refuses --------------------------------------------------------------------

_TECHNICIAN = re.compile(r"\b(?:technicien\w*|technologues?|technicians?|technologists?)\b")
_TENDERS = (
    "appel d offres",
    "appels d offres",
    "banque de candidatures",
    "banque de candidats",
    "banque de cv",
    "reserve de candidatures",
    "bassin de candidats",
    "call for tenders",
    "call for tender",
    "request for proposals",
    "request for proposal",
    "tender",
    "candidate bank",
    "candidate pool",
    "talent pool",
    "pool of candidates",
)


# -- all together ---------------------------------------------------------------------------------


def compute_hints(content: Any) -> list[Hint]:
    """The hints of an offer's content, in a stable order (by field, then rule)."""
    hints: list[Hint] = []
    descriptions = {name: _text(content, name) for name in DESCRIPTIONS}
    texts = {name: plain_text(html) for name, html in descriptions.items()}
    titles = {name: _text(content, name) for name in TITLES}

    for name in TITLES:
        normalized = normalize(titles[name])
        if _TECHNICIAN.search(normalized):
            hints.append(_technician_hint(name))
        if _has(normalized, _TENDERS):
            hints.append(_tenders_hint(name))

    for name in DESCRIPTIONS:
        html, text = descriptions[name], texts[name]
        if not text.strip():
            continue
        normalized = normalize(text)
        if _has_contact(html):
            hints.append(
                Hint(
                    "contact_in_description",
                    name,
                    "La description contient un lien, une adresse courriel ou une adresse web : les "
                    "candidatures passent par le bouton « Postuler », ces liens seront retirés à l'approbation.",
                    "The description contains a link, an e-mail address or a web address: applications go "
                    "through the Apply button, so these links will be removed on approval.",
                )
            )
        hints.extend(_part_hints(name, normalized))
        if name == "description_fr" and looks_french(text) is False:
            hints.append(
                Hint(
                    "no_french",
                    name,
                    "La description en français semble rédigée dans une autre langue : la publication en "
                    "français est obligatoire (une version anglaise peut s'ajouter dans l'onglet English).",
                    "The French description seems to be written in another language: publishing in French "
                    "is mandatory (an English version can be added in the English tab).",
                )
            )
        if _TECHNICIAN.search(normalized):
            hints.append(_technician_hint(name))
        if _has(normalized, _TENDERS):
            hints.append(_tenders_hint(name))

    if not titles["title_fr"].strip() and titles["title_en"].strip():
        hints.append(
            Hint(
                "no_french",
                "title_fr",
                "Le titre n'a pas de version française : la publication en français est obligatoire.",
                "The title has no French version: publishing in French is mandatory.",
            )
        )

    salary = _text(content, "salary")
    if len(salary.strip()) > SALARY_MAX:
        hints.append(
            Hint(
                "salary_too_long",
                "salary",
                f"Le salaire compte {len(salary.strip())} caractères : {SALARY_MAX} au plus sont affichés.",
                f"The salary has {len(salary.strip())} characters: at most {SALARY_MAX} are shown.",
            )
        )
    return hints


def _technician_hint(field: str) -> Hint:
    return Hint(
        "technician_wording",
        field,
        "L'offre mentionne des technicien·ne·s ou technologues : ingemplois publie uniquement des postes "
        "d'ingénieur·e ou de CPI (les offres pour technologues relèvent de l'Ordre des technologues "
        "professionnels du Québec).",
        "The offer mentions technicians or technologists: ingemplois only publishes engineer or CPI "
        "positions (offers for technologists belong to the Ordre des technologues professionnels du Québec).",
    )


def _tenders_hint(field: str) -> Hint:
    return Hint(
        "tender_or_candidate_bank",
        field,
        "L'offre ressemble à un appel d'offres ou à une banque de candidatures : seules les offres "
        "représentant un poste réel sont acceptées.",
        "The offer looks like a call for tenders or a candidate bank: only offers for a real position are accepted.",
    )
