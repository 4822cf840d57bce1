"""The account request wizard (« Associer votre compte à votre entreprise »), tab by tab.

1. /entreprises/demande              find the company (keyword or NEQ) or ask for its creation
2. /entreprises/demande/entreprise   validate the company information
3. /entreprises/demande/vous         about you, and the group
4. /entreprises/demande/confirmation review and submit
The answers live in a draft row between tabs, so going back and forth loses nothing.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request
from werkzeug.wrappers import Response

from company_portal.domain import errors
from company_portal.domain.validation import PROVINCES
from company_portal.entrypoints.web import (
    blueprint,
    bus,
    employer_required,
    error_message,
    field_errors,
    form,
    me,
    render_page,
    see_other,
)
from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from company_portal.service_layer.handlers import NEW_GROUP
from company_portal.service_layer.unit_of_work import UniqueViolation
from plumbing.web.pages import current_locale

TABS = (
    ("portal.wizard_search", "1"),
    ("portal.wizard_company", "2"),
    ("portal.wizard_about", "3"),
    ("portal.wizard_confirm", "4"),
)


def _draft() -> dict[str, Any]:
    return bus().query(views.draft, me().account_id)


def _reachable(draft: dict[str, Any]) -> dict[str, bool]:
    return {
        "portal.wizard_search": True,
        "portal.wizard_company": bool(draft.get("mode")),
        "portal.wizard_about": bool(draft.get("company_done")),
        "portal.wizard_confirm": bool(draft.get("company_done") and draft.get("about_done")),
    }


def _page(template: str, draft: dict[str, Any], **context: Any) -> tuple[str, int]:
    return render_page(template, draft=draft, reachable=_reachable(draft), provinces=PROVINCES, **context)


def _company_choices(draft: dict[str, Any]) -> dict[str, Any] | None:
    if draft.get("mode") != "existing":
        return None
    return bus().query(views.company_with_groups, draft["company_id"])


@blueprint.get("/demande")
@employer_required
def wizard_search() -> tuple[str, int]:
    query = request.args.get("q", "").strip()[:200]
    results = bus().query(views.search_companies, query) if query else []
    return _page("portal/wizard_search.html", _draft(), query=query, results=results, searched=bool(query))


@blueprint.post("/demande/entreprise-choisie")
@employer_required
def wizard_choose() -> Response | tuple[str, int]:
    try:
        bus().handle(c.ChooseCompany(me().account_id, request.form.get("company_id", "")))
    except errors.PortalError as exc:
        return _page("portal/wizard_search.html", _draft(), query="", results=[], searched=False,
                     flashes=[("error", error_message(exc))], status=exc.status)
    return see_other("/entreprises/demande/entreprise")


@blueprint.post("/demande/creation")
@employer_required
def wizard_creation() -> Response | tuple[str, int]:
    try:
        bus().handle(c.StartCompanyCreation(me().account_id))
    except errors.PortalError as exc:
        return _page("portal/wizard_search.html", _draft(), query="", results=[], searched=False,
                     flashes=[("error", error_message(exc))], status=exc.status)
    return see_other("/entreprises/demande/entreprise")


@blueprint.post("/demande/recommencer")
@employer_required
def wizard_restart() -> Response:
    bus().handle(c.DiscardDraft(me().account_id))
    return see_other("/entreprises/demande")


@blueprint.route("/demande/entreprise", methods=["GET", "POST"])
@employer_required
def wizard_company() -> Response | tuple[str, int]:
    draft = _draft()
    if not draft.get("mode"):
        return redirect("/entreprises/demande", 303)
    if request.method == "GET":
        return _page("portal/wizard_company.html", draft, values=draft.get("company") or {}, errors={})
    values = form()
    try:
        bus().handle(c.SaveCompanyInfo(me().account_id, values))
    except errors.CompanyExists as exc:  # not a creation: offer the known company instead
        return _page("portal/wizard_company.html", draft, values=values, errors=field_errors(exc),
                     matches=exc.matches, by_neq=exc.by_neq, status=exc.status)
    except errors.PortalError as exc:
        return _page("portal/wizard_company.html", draft, values=values, errors=field_errors(exc), status=exc.status)
    return see_other("/entreprises/demande/vous")


def _about_defaults(draft: dict[str, Any]) -> dict[str, Any]:
    if draft.get("about"):
        return {**draft["about"], "group": draft.get("group") or ""}
    account = bus().query(views.account, me().account_id)
    if account is None:
        return {}
    return {**{k: account[k] for k in ("first_name", "last_name", "phone", "extension", "function")},
            "group": draft.get("group") or ""}


@blueprint.route("/demande/vous", methods=["GET", "POST"])
@employer_required
def wizard_about() -> Response | tuple[str, int]:
    draft = _draft()
    if not draft.get("company_done"):
        return redirect("/entreprises/demande/entreprise" if draft.get("mode") else "/entreprises/demande", 303)
    company = _company_choices(draft)
    if request.method == "GET":
        return _page("portal/wizard_about.html", draft, values=_about_defaults(draft), errors={}, company=company,
                     new_group=NEW_GROUP)
    values = form()
    try:
        bus().handle(c.SaveAboutYou(me().account_id, me().email, values))
    except errors.PortalError as exc:
        return _page("portal/wizard_about.html", draft, values=values, errors=field_errors(exc), company=company,
                     new_group=NEW_GROUP, status=exc.status)
    return see_other("/entreprises/demande/confirmation")


@blueprint.route("/demande/confirmation", methods=["GET", "POST"])
@employer_required
def wizard_confirm() -> Response | tuple[str, int]:
    draft = _draft()
    if not (draft.get("company_done") and draft.get("about_done")):
        return redirect("/entreprises/demande", 303)
    company = _company_choices(draft)
    group_name = next((gr["name"] for gr in (company or {}).get("groups", []) if gr["id"] == draft.get("group")), None)
    if request.method == "GET":
        return _page("portal/wizard_confirm.html", draft, company=company, group_name=group_name)
    try:
        bus().handle(c.SubmitRequest(me().account_id, me().email, current_locale()))
    except (errors.PortalError, UniqueViolation) as exc:  # a unique violation: another submission won the race
        problem = exc if isinstance(exc, errors.PortalError) else errors.request_pending()
        return _page("portal/wizard_confirm.html", draft, company=company, group_name=group_name,
                     flashes=[("error", error_message(problem))], status=problem.status)
    return see_other("/entreprises/mes-demandes", "envoyee")


@blueprint.get("/mes-demandes")
@employer_required
def my_requests() -> tuple[str, int]:
    return render_page("portal/my_requests.html", requests=bus().query(views.my_requests, me().account_id))
