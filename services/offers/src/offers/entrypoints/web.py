"""Public pages of the job site: the landing page and the list of offers (search, filters with
counts, the featured section, pagination). The Atom feed and the sitemap are web_feeds'; the offer
page (/emplois/<id>) and the employer's space (/employeur/…) are web_employer's.

Every page here depends only on the path, the query string and the language: shareable for
anonymous visitors (plumbing.web.pages). The URL holds the whole search (`SearchQuery.from_args` /
`to_args`), so a search can be shared, bookmarked and paged without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from offers.domain.offer import quebec_day
from offers.domain.reference import load_reference
from offers.domain.search import FACET_FIELDS, FACET_KINDS, FACETS, TEXT_MAX, SearchHit, SearchQuery, SearchResult
from offers.entrypoints import web_employer_common as common
from offers.service_layer import views
from plumbing.web.pages import current_locale, shareable
from plumbing.web.pagination import pager

blueprint = Blueprint("offers", __name__)

#: How long a shared cache (the gateway's micro-cache caps it lower) may reuse a public page.
PUBLIC_PAGE_SECONDS = 5
#: The list's path (the home of the job site).
LIST_PATH = "/emplois/"
#: The newest offers on the landing page.
NEWEST_ON_LANDING = 5
#: Companies listed in the « Entreprise » filter (the most offers first; the chosen ones always).
COMPANY_OPTIONS = 25


def facet_legend(param: str) -> str:
    return {
        "domaine": _("Domaine de génie"),
        "region": _("Région"),
        "profil": _("Profil"),
        "type": _("Type d'emploi"),
        "formule": _("Formule de travail"),
        "experience": _("Années d'expérience"),
        "entreprise": _("Entreprise"),
    }[param]


def profile_label(code: str) -> str:
    return _("Ingénieur·e") if code == "ing" else _("CPI") if code == "cpi" else code


def code_label(kind: str, code: str) -> str:
    """A reference code in the page's language; an unknown one (data changed since) as itself."""
    reference = load_reference()
    return reference.label(kind, code, current_locale()) if reference.is_valid(kind, code) else code


def list_url(args: Iterable[tuple[str, str]]) -> str:
    """The list's URL for these query parameters (no `?` when there are none)."""
    query = urlencode(list(args))
    return f"{LIST_PATH}?{query}" if query else LIST_PATH


# What a page shows of a hit ------------------------------------------------------------------------
@dataclass(frozen=True)
class HitView:
    url: str
    title: str
    company: str
    logo_url: str | None
    place: str
    profile: str
    employment_type: str
    work_formula: str
    published_at: datetime
    #: The day it was published, in Québec.
    published_on: date
    deadline: date | None
    featured: bool


def hit_view(hit: SearchHit) -> HitView:
    """A hit in the page's language: the English title on an English page when there is one."""
    english = current_locale() == "en"
    reference = load_reference()
    if hit.city and reference.is_place(hit.city):
        place = reference.place(hit.city).label(current_locale())
    elif hit.regions:
        place = ", ".join(code_label("regions", r) for r in hit.regions)
    else:
        place = _("Hors Québec")
    return HitView(
        url=f"/emplois/{hit.offer_id}",
        title=(hit.title_en if english and hit.title_en else hit.title_fr) or _("(sans titre)"),
        company=hit.company_name,
        logo_url=hit.logo_url,
        place=place,
        profile=profile_label(hit.profile),
        employment_type=code_label("employment_types", hit.employment_type) if hit.employment_type else "",
        work_formula=code_label("work_formulas", hit.work_formula) if hit.work_formula else "",
        published_at=hit.published_at,
        published_on=quebec_day(hit.published_at),
        deadline=hit.application_deadline,
        featured=hit.featured,
    )


# Filters, active filters ----------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    code: str
    label: str
    count: int
    checked: bool


@dataclass(frozen=True)
class FacetView:
    param: str
    legend: str
    options: tuple[Option, ...]
    #: Open on a phone when one of its values is chosen.
    active: bool


@dataclass(frozen=True)
class ActiveFilter:
    legend: str
    label: str
    remove_url: str


def shown_companies(counts: dict[str, int], chosen: tuple[str, ...]) -> list[str]:
    """The companies the filter lists: the COMPANY_OPTIONS with the most offers, and the chosen ones."""
    ranked = sorted(counts, key=lambda c: (-counts[c], c))[:COMPANY_OPTIONS]
    return ranked + [c for c in chosen if c not in ranked]


def _facet_codes(param: str, counts: dict[str, int], chosen: tuple[str, ...], names: dict[str, str]) -> list[str]:
    """The facet's values in the order the filter lists them: reference order, or for companies
    the most offers first, then by name."""
    kind = FACET_KINDS.get(param)
    if kind is not None:
        return [c.code for c in load_reference().choices(kind) if c.code in counts or c.code in chosen]
    if param == "profil":
        return [code for code in ("ing", "cpi") if code in counts or code in chosen]
    shown = shown_companies(counts, chosen)
    return sorted(shown, key=lambda c: (-counts.get(c, 0), names.get(c, c).casefold(), c))


def option_label(param: str, code: str, names: dict[str, str]) -> str:
    kind = FACET_KINDS.get(param)
    if kind is not None:
        return code_label(kind, code)
    if param == "profil":
        return profile_label(code)
    return names.get(code) or _("Entreprise inconnue")


def facet_views(query: SearchQuery, result: SearchResult, names: dict[str, str]) -> list[FacetView]:
    found = []
    for param in FACETS:
        counts = result.facets.get(param, {})
        chosen = tuple(getattr(query, FACET_FIELDS[param]))
        options = tuple(
            Option(code, option_label(param, code, names), counts.get(code, 0), code in chosen)
            for code in _facet_codes(param, counts, chosen, names)
        )
        if options:
            found.append(FacetView(param, facet_legend(param), options, bool(chosen)))
    return found


def active_filters(query: SearchQuery, names: dict[str, str]) -> list[ActiveFilter]:
    """Each chosen value (and the text) with the list's URL without it."""
    found = []
    if query.text:
        found.append(ActiveFilter(_("Recherche"), query.text, list_url(query.to_args(text="", page=1))))
    for param in FACETS:
        field = FACET_FIELDS[param]
        chosen = tuple(getattr(query, field))
        for code in chosen:
            rest = tuple(c for c in chosen if c != code)
            url = list_url(query.to_args(**{field: rest, "page": 1}))
            found.append(ActiveFilter(facet_legend(param), option_label(param, code, names), url))
    return found


# The pages -----------------------------------------------------------------------------------------
def query_from_request() -> SearchQuery:
    """The search the URL holds (unknown codes are dropped, the text and the page bounded)."""
    return SearchQuery.from_args(request.args)


def _list_data(uow: Any, query: SearchQuery, *, now: datetime, with_featured: bool) -> dict[str, Any]:
    """Everything the list page reads, in one unit of work."""
    result = views.search_offers(uow, query, now=now)
    featured = views.featured_offers(uow, now=now) if with_featured else ()
    companies = shown_companies(result.facets.get("entreprise", {}), query.companies)
    return {"result": result, "featured": featured, "names": views.company_names(uow, companies)}


def _landing_data(uow: Any, *, now: datetime) -> dict[str, Any]:
    newest = views.search_offers(uow, SearchQuery(per_page=NEWEST_ON_LANDING), now=now)
    return {"featured": views.featured_offers(uow, now=now), "newest": newest}


@blueprint.get("/")
@shareable(PUBLIC_PAGE_SECONDS)
def landing() -> str:
    data = common.bus().query(_landing_data, now=common.now())
    return render_template(
        "landing.html",
        featured=[hit_view(h) for h in data["featured"]],
        newest=[hit_view(h) for h in data["newest"].hits],
        total=data["newest"].total,
    )


@blueprint.get("/emplois/")
@blueprint.get("/emplois")
@shareable(PUBLIC_PAGE_SECONDS)
def job_list() -> str:
    query = query_from_request()
    with_featured = query.is_empty() and query.page == 1
    data = common.bus().query(_list_data, query, now=common.now(), with_featured=with_featured)
    result: SearchResult = data["result"]
    names: dict[str, str] = data["names"]
    feed_args = [(k, v) for k, v in query.to_args() if k != "page"]
    return render_template(
        "jobs.html",
        query=query,
        result=result,
        hits=[hit_view(h) for h in result.hits],
        featured=[hit_view(h) for h in data["featured"]],
        facets=facet_views(query, result, names),
        active=active_filters(query, names),
        pages=pager(query.page, result.pages, lambda number: list_url(query.to_args(page=number))),
        feed_url="/emplois/flux.atom" + (f"?{urlencode(feed_args)}" if feed_args else ""),
        first_page_url=list_url(query.to_args(page=1)),
        max_text=TEXT_MAX,
    )


from offers.entrypoints import web_feeds  # noqa: E402, F401 - importing registers the feeds' routes
