"""The public search of offers (docs/jobsite-design.md, "Search"): what a visitor asks
(`SearchQuery`, read from the URL's query string), what they get back (`SearchResult` of
`SearchHit`s with facet counts), and the French text function both storage modes share.

`french_terms` folds a text the way PostgreSQL's `fr_unaccent` configuration does (lowercase,
unaccent, the `french` stop words, the Snowball French stemmer), so that the SQLite FTS5 index,
fed with these terms, finds the offers PostgreSQL's `tsvector` finds. Plain Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import snowballstemmer

from offers.domain import reference
from offers.domain.offer import PROFILES

# The query ----------------------------------------------------------------------------------------

#: The facets (URL parameter names), in the order pages show them.
FACETS = ("domaine", "region", "profil", "type", "formule", "experience", "entreprise")
#: URL parameter → SearchQuery field.
FACET_FIELDS = {
    "domaine": "domains",
    "region": "regions",
    "profil": "profiles",
    "type": "employment_types",
    "formule": "work_formulas",
    "experience": "years",
    "entreprise": "companies",
}
#: Facets whose codes are reference data of that kind (profil and entreprise are checked apart).
FACET_KINDS = {
    "domaine": "engineering_domains",
    "region": "regions",
    "type": "employment_types",
    "formule": "work_formulas",
    "experience": "years_on_roll",
}
TEXT_MAX = 200
PAGE_MAX = 500
PER_PAGE = 20
#: At most this many companies in one query (each is a value of the filter).
COMPANIES_MAX = 20
_COMPANY_ID = re.compile(r"^[A-Za-z0-9-]{1,36}$")
#: Control characters (NUL included, which PostgreSQL's text refuses) are spaces in the text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _values(args: Any, name: str) -> list[str]:
    """Every value of a parameter: a werkzeug MultiDict (getlist) or a Mapping of lists/strings."""
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        found = args.get(name) if isinstance(args, Mapping) else None
        raw = [] if found is None else ([found] if isinstance(found, str) else list(found))
    return [str(v).strip() for v in raw if v is not None and str(v).strip()]


def _valid_code(facet: str, code: str) -> bool:
    if facet == "profil":
        return code in PROFILES
    if facet == "entreprise":
        return bool(_COMPANY_ID.match(code))
    return reference.load_reference().is_valid(FACET_KINDS[facet], code)


@dataclass(frozen=True)
class SearchProblem:
    """A parameter the API refuses (pages drop or clamp it instead): `field`, French, English."""

    field: str
    fr: str
    en: str


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    domains: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    employment_types: tuple[str, ...] = ()
    work_formulas: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    page: int = 1
    per_page: int = PER_PAGE

    @classmethod
    def from_args(cls, args: Any) -> SearchQuery:
        """The query of a URL's parameters, forgiving: unknown codes dropped (and repeats), `q`
        cut to 200 characters, `page` clamped to 1…500 (not a number: 1). Never raises."""
        words = _CONTROL.sub(" ", " ".join(_values(args, "q"))).split()
        values: dict[str, Any] = {"text": " ".join(words)[:TEXT_MAX].strip()}
        for facet, name in FACET_FIELDS.items():
            codes = [c for c in dict.fromkeys(_values(args, facet)) if _valid_code(facet, c)]
            values[name] = tuple(codes[:COMPANIES_MAX] if facet == "entreprise" else codes)
        pages = _values(args, "page")
        try:
            page = int(pages[0]) if pages else 1
        except ValueError:
            page = 1
        values["page"] = min(max(page, 1), PAGE_MAX)
        return cls(**values)

    @staticmethod
    def problems(args: Any) -> list[SearchProblem]:
        """What `from_args` would drop or clamp (the API answers 400 with these)."""
        found: list[SearchProblem] = []
        if len(" ".join(_values(args, "q"))) > TEXT_MAX:
            found.append(SearchProblem("q", f"{TEXT_MAX} caractères au plus.", f"At most {TEXT_MAX} characters."))
        for facet in FACETS:
            given = _values(args, facet)
            if any(not _valid_code(facet, c) for c in given):
                found.append(SearchProblem(facet, "Code inconnu.", "Unknown code."))
            elif facet == "entreprise" and len(set(given)) > COMPANIES_MAX:
                found.append(
                    SearchProblem(facet, f"{COMPANIES_MAX} entreprises au plus.", f"At most {COMPANIES_MAX} companies.")
                )
        pages = _values(args, "page")
        if len(pages) > 1 or (pages and not (pages[0].isdigit() and 1 <= int(pages[0]) <= PAGE_MAX)):
            found.append(SearchProblem("page", f"Un nombre de 1 à {PAGE_MAX}.", f"A number from 1 to {PAGE_MAX}."))
        return found

    def to_args(self, **changes: Any) -> list[tuple[str, str]]:
        """The query (with `changes` to its fields) as URL parameters, defaults left out: for
        links (a page of the results, a filter removed)."""
        query = replace(self, **changes) if changes else self
        args: list[tuple[str, str]] = [("q", query.text)] if query.text else []
        for facet, name in FACET_FIELDS.items():
            args.extend((facet, code) for code in getattr(query, name))
        if query.page != 1:
            args.append(("page", str(query.page)))
        return args

    def is_empty(self) -> bool:
        """No text and no filter (the page may still be past the first)."""
        return not self.text.strip() and not any(getattr(self, name) for name in FACET_FIELDS.values())

    def filters(self) -> dict[str, tuple[str, ...]]:
        """facet → its chosen codes (only the facets that filter)."""
        return {facet: getattr(self, name) for facet, name in FACET_FIELDS.items() if getattr(self, name)}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


# The results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    offer_id: str
    group_id: str
    company_id: str
    company_name: str
    logo_url: str | None
    title_fr: str
    title_en: str
    profile: str
    employment_type: str
    work_formula: str
    regions: tuple[str, ...]
    #: The municipality code of a workplace address, or "".
    city: str
    published_at: datetime
    application_deadline: date | None
    featured: bool
    rank: float


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    total: int
    page: int
    per_page: int
    #: facet (FACETS) → value code → count of matching offers with every *other* filter applied;
    #: values with no offer are left out.
    facets: dict[str, dict[str, int]]

    @property
    def pages(self) -> int:
        """How many pages the results fill (at least 1, at most PAGE_MAX)."""
        return min(max(1, -(-self.total // self.per_page)), PAGE_MAX)


# French text --------------------------------------------------------------------------------------

#: PostgreSQL's `french.stop` (the Snowball list), checked after unaccenting as `fr_unaccent` does.
FRENCH_STOP_WORDS = frozenset(
    """au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi
    mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une
    vos votre vous c d j l à m n s t y été étée étées étés étant étante étants étantes suis es est
    sommes êtes sont serai seras sera serons serez seront serais serait serions seriez seraient étais
    était étions étiez étaient fus fut fûmes fûtes furent sois soit soyons soyez soient fusse fusses
    fût fussions fussiez fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont
    aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient avais avait avions
    aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse eusses eût eussions
    eussiez eussent""".split()
)
#: Letters `unaccent` spells out (NFKD does not decompose them).
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l", "ı": "i"})
_TAG = re.compile(r"<[^>]+>")
_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot|#39|apos);")
_WORD = re.compile(r"[0-9a-z]+")


def unaccent(text: str) -> str:
    """Lowercase, without accents (é → e, œ → oe, ç → c)."""
    lowered = text.lower().translate(_LIGATURES)
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))


def plain_text(html: str) -> str:
    """The words of sanitized HTML (tags and the usual entities become spaces)."""
    return _ENTITY.sub(" ", _TAG.sub(" ", html or ""))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("french")


@lru_cache(maxsize=50_000)
def _term(word: str) -> str:
    return word if any(c.isdigit() for c in word) else _stemmer().stemWord(word)


def french_terms(text: str) -> list[str]:
    """The search terms of a French text, in order: "Ingénieures civiles" → ["ingenieur", "civil"].
    Words are split on anything but letters and digits; stop words go; words with a digit stay
    whole (PostgreSQL files them under `simple`)."""
    return [_term(w) for w in _WORD.findall(unaccent(text)) if w not in FRENCH_STOP_WORDS]


def french_document(*texts: str) -> str:
    """The terms of texts joined by spaces: what the SQLite index stores in a column."""
    return " ".join(t for text in texts for t in french_terms(text))


def offer_regions(workplace: Any) -> tuple[str, ...]:
    """The regions of a workplace: an address's city → its region; places → the regions named
    and the regions of the municipalities named; outside Québec → none. Unknown codes ignored."""
    data = reference.load_reference()
    codes: Iterable[str]
    if workplace.kind == "address":
        codes = (workplace.city,) if workplace.city else ()
    elif workplace.kind == "places":
        codes = workplace.places
    else:
        return ()
    found: list[str] = []
    for code in codes:
        if data.is_valid("regions", code):
            found.append(code)
        elif data.is_valid("municipalities", code):
            found.append(data.region_of(code).code)
    return tuple(sorted(set(found)))
