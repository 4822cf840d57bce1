"""The OIQ staff pages under /moderation/ (Flask blueprint, server-rendered, no JavaScript needed).

Every page is for staff only: anonymous visitors are sent to the sign-in page, other signed-in
users get a 403 page. Pages translate forms into commands for the message bus, or calls to
company-portal's staff API (with the staff member's own bearer token).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from moderation.adapters.portal_client import Company, Match, PortalClient, PortalRejected, PortalUnavailable
from moderation.domain.company import FIELDS, InvalidCompanyData, validate_company
from moderation.domain.model import AlreadyDecided, Decider, DecisionError, Kind, Status
from moderation.entrypoints import labels
from moderation.service_layer import commands
from moderation.service_layer.handlers import RequestNotFound
from moderation.service_layer.messagebus import MessageBus
from moderation.service_layer.views import Views
from plumbing.auth.tokens import Principal
from plumbing.web.pages import current_user, date_long, datetime_long

log = logging.getLogger(__name__)

Page = str | tuple[str, int] | Response | WerkzeugResponse
STATUS_FILTERS = ("en_attente", "approuvee", "refusee", "toutes")
MAX_GROUP_NAME = 100  # company-portal's limit
MAX_QUERY = 200


@dataclass(frozen=True)
class WebDeps:
    bus: MessageBus
    views: Views
    portal: PortalClient


def _staff() -> Principal:
    user = current_user()
    assert user is not None and user.is_staff  # guaranteed by the blueprint's before_request
    return user


def _decider() -> Decider:
    user = _staff()
    return Decider(account_id=user.account_id, email=user.email)


def _bearer() -> str:
    return request.headers.get("Authorization", "")[7:].strip()


def _form(*names: str) -> dict[str, str]:
    return {name: request.form.get(name, "").strip() for name in names}


def _messages(codes: dict[str, str]) -> dict[str, str]:
    return {name: str(labels.ERRORS.get(code, code)) for name, code in codes.items()}


def _portal_problem(exc: PortalRejected) -> str:
    if exc.status == 404:
        return str(labels.PORTAL_NOT_FOUND)
    if exc.status in (401, 403):
        return str(labels.PORTAL_FORBIDDEN)
    return f"{labels.PORTAL_REJECTED} {exc.detail}".strip()


def quebec_time(value: datetime | None, with_time: bool = True) -> str:
    """A stored UTC instant as a Québec date (and time), in words (« 2 décembre 2026 à 14 h 05 »)."""
    if value is None:
        return ""
    return datetime_long(value) if with_time else date_long(value)


def create_blueprint(deps: WebDeps) -> Blueprint:
    bp = Blueprint("moderation", __name__, url_prefix="/moderation")

    @bp.before_request
    def _staff_only() -> WerkzeugResponse | None:
        user = current_user()
        if user is None:
            target = request.full_path.rstrip("?") if request.query_string else request.path
            return redirect(f"/compte/connexion?next={quote(target, safe='/')}", code=303)
        if not user.is_staff:
            abort(403)
        return None

    @bp.app_template_filter("quebec")
    def _quebec_filter(value: datetime | None, with_time: bool = True) -> str:
        return quebec_time(value, with_time)

    @bp.context_processor
    def _labels() -> dict[str, Any]:
        return {"labels": labels, "company_field_names": FIELDS}

    # Queue ---------------------------------------------------------------------------------
    @bp.get("/")
    def dashboard() -> Page:
        return render_template("moderation/dashboard.html", counts=deps.views.counts())

    @bp.get("/demandes")
    def queue() -> Page:
        status = request.args.get("statut", "en_attente")
        if status not in STATUS_FILTERS:
            status = "en_attente"
        kind = request.args.get("type", "")
        if kind not in {k.value for k in Kind}:
            kind = ""
        rows = deps.views.queue(status=None if status == "toutes" else status, kind=kind or None)
        return render_template("moderation/queue.html", rows=rows, status=status, kind=kind,
                               status_filters=STATUS_FILTERS)

    def _request_page(request_id: str, *, status: int = 200, form: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, reason: str = "", note: str = "",
                      message: str | None = None) -> Page:
        row = deps.views.item(request_id)
        if row is None:
            abort(404)
        if form is None:
            form = row.item.company.as_form()
        done = labels.DONE.get(request.args.get("fait", ""))
        matches, matches_problem = _matches(request_id)
        return render_template("moderation/request.html", row=row, item=row.item, form=form,
                               errors=errors or {}, reason=reason, note=note, message=message,
                               done=str(done) if done else None, matches=matches,
                               matches_problem=matches_problem), status

    def _matches(request_id: str) -> tuple[list[Match], str | None]:
        """The known companies the request may be about, from company-portal (a problem: the reason)."""
        try:
            return deps.portal.request_matches(_bearer(), request_id), None
        except PortalUnavailable as exc:
            log.warning("company-portal unavailable: %s", exc)
            return [], str(labels.MATCHES_DOWN)
        except PortalRejected as exc:
            log.info("company-portal refused the matches of %s: %s", request_id, exc)
            return [], str(labels.MATCHES_DOWN) if exc.status == 404 else _portal_problem(exc)

    def _known_neq(neq: str) -> Company | None:
        """The company already registered with this NEQ (None if none, or company-portal cannot say:
        it checks again when it applies the approval)."""
        try:
            found = deps.portal.search_companies(_bearer(), neq)
        except (PortalUnavailable, PortalRejected) as exc:
            log.warning("NEQ check skipped, company-portal: %s", exc)
            return None
        return next((company for company in found if company.neq == neq), None)

    @bp.get("/demandes/<request_id>")
    def request_detail(request_id: str) -> Page:
        return _request_page(request_id)

    @bp.post("/demandes/<request_id>/approuver")
    def approve(request_id: str) -> Page:
        note = request.form.get("note", "").strip()
        row = deps.views.item(request_id)
        if row is None:
            abort(404)
        company_fields = _form(*FIELDS) if row.item.kind == Kind.COMPANY_CREATION else None
        neq = "".join(ch for ch in (company_fields or {}).get("neq", "") if ch.isdigit())
        known = _known_neq(neq) if len(neq) == 10 else None
        if known is not None:  # a creation cannot lead to a registered company (issue 7)
            return _request_page(request_id, status=422, form=company_fields, note=note, errors={
                "neq": str(labels.NEQ_TAKEN).format(company=known.legal_name)})
        try:
            deps.bus.handle(commands.ApproveRequest(request_id, _decider(), reason=note,
                                                    company_fields=company_fields))
        except InvalidCompanyData as exc:
            return _request_page(request_id, status=422, form=company_fields, errors=_messages(exc.errors),
                                 note=note)
        except AlreadyDecided:
            return _request_page(request_id, status=409, message=str(labels.ERRORS["already_decided"]))
        except DecisionError as exc:
            return _request_page(request_id, status=422, form=company_fields, note=note,
                                 errors={"note": str(labels.ERRORS.get(exc.code, exc.code))})
        except RequestNotFound:
            abort(404)
        return redirect(url_for(".request_detail", request_id=request_id, fait=Status.APPROVED.value), code=303)

    @bp.post("/demandes/<request_id>/refuser")
    def refuse(request_id: str) -> Page:
        reason = request.form.get("reason", "").strip()
        try:
            deps.bus.handle(commands.RefuseRequest(request_id, _decider(), reason))
        except AlreadyDecided:
            return _request_page(request_id, status=409, message=str(labels.ERRORS["already_decided"]))
        except DecisionError as exc:
            return _request_page(request_id, status=422, reason=reason,
                                 errors={"reason": str(labels.ERRORS.get(exc.code, exc.code))})
        except RequestNotFound:
            abort(404)
        return redirect(url_for(".request_detail", request_id=request_id, fait=Status.REFUSED.value), code=303)

    # Staff tools (company-portal's staff API) ------------------------------------------------
    @bp.get("/entreprises")
    def companies() -> Page:
        q = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
        found_companies: list[Company] = []
        users: list[Any] = []
        problem = None
        status = 200
        if q:
            try:
                found_companies = deps.portal.search_companies(_bearer(), q)
                users = deps.portal.search_users(_bearer(), q)
            except PortalUnavailable as exc:
                log.warning("company-portal unavailable: %s", exc)
                problem, status = str(labels.PORTAL_DOWN), 503
            except PortalRejected as exc:
                problem, status = _portal_problem(exc), 502
        return render_template("moderation/companies.html", q=q, companies=found_companies, users=users,
                               problem=problem), status

    def _company_page(company_id: str, *, status: int = 200, form: dict[str, str] | None = None,
                      errors: dict[str, str] | None = None, group_form: dict[str, str] | None = None,
                      move_form: dict[str, str] | None = None, problem: str | None = None) -> Page:
        company: Company | None = None
        try:
            company = deps.portal.get_company(_bearer(), company_id)
        except PortalUnavailable as exc:
            log.warning("company-portal unavailable: %s", exc)
            problem, status = problem or str(labels.PORTAL_DOWN), 503
        except PortalRejected as exc:
            if exc.status in (400, 404):  # 400: not even a company id (company-portal checks the format)
                abort(404)
            problem, status = problem or _portal_problem(exc), 502
        done = labels.DONE.get(request.args.get("fait", ""))
        groups = company.groups if company else ()
        return render_template(
            "moderation/company.html",
            group_options=[(g.id, g.name) for g in groups],
            member_options=[(f"{m.account_id}|{g.id}", f"{m.name} ({m.email}) — {g.name}")
                            for g in groups for m in g.members], company_id=company_id, company=company,
            form=form if form is not None else (company.as_form() if company else {}),
            errors=errors or {}, group_form=group_form or {}, move_form=move_form or {}, problem=problem,
            journal=deps.views.company_journal(company_id), done=str(done) if done else None,
        ), status

    @bp.get("/entreprises/<company_id>")
    def company_detail(company_id: str) -> Page:
        return _company_page(company_id)

    def _record(action: str, company_id: str, details: dict[str, Any]) -> None:
        deps.bus.handle(commands.RecordStaffAction(action=action, actor=_decider(), company_id=company_id,
                                                   details=json.dumps(details, ensure_ascii=False)))

    def _after_portal_error(company_id: str, exc: Exception, errors_key: str | None = None,
                            **forms: Any) -> Page:
        if isinstance(exc, PortalUnavailable):
            log.warning("company-portal unavailable: %s", exc)
            return _company_page(company_id, status=503, problem=str(labels.PORTAL_DOWN), **forms)
        assert isinstance(exc, PortalRejected)
        log.info("company-portal refused a staff action on %s: %s", company_id, exc)
        if exc.status == 404:
            abort(404)
        return _company_page(company_id, status=422 if exc.status in (400, 409, 422) else 502,
                             problem=_portal_problem(exc), errors=exc.field_errors, **forms)

    @bp.post("/entreprises/<company_id>")
    def update_company(company_id: str) -> Page:
        raw = _form(*FIELDS)
        try:
            company = validate_company(raw, require_all=False)
        except InvalidCompanyData as exc:
            return _company_page(company_id, status=422, form=raw, errors=_messages(exc.errors))
        data: dict[str, Any] = {**company.as_dict(), "neq": company.neq or ""}  # "" clears a wrong NEQ
        try:
            deps.portal.update_company(_bearer(), company_id, data)
        except (PortalUnavailable, PortalRejected) as exc:
            return _after_portal_error(company_id, exc, form=raw)
        _record("company_updated", company_id, data)
        return redirect(url_for(".company_detail", company_id=company_id, fait="entreprise"), code=303)

    @bp.post("/entreprises/<company_id>/groupes")
    def create_group(company_id: str) -> Page:
        name = " ".join(request.form.get("name", "").split())
        error = "required" if not name else "too_long" if len(name) > MAX_GROUP_NAME else None
        if error:
            return _company_page(company_id, status=422, group_form={"name": name},
                                 errors={"group_name": str(labels.ERRORS[error])})
        try:
            group = deps.portal.create_group(_bearer(), company_id, name)
        except (PortalUnavailable, PortalRejected) as exc:
            if isinstance(exc, PortalRejected) and "name" in exc.field_errors:
                exc.field_errors["group_name"] = exc.field_errors.pop("name")
            return _after_portal_error(company_id, exc, group_form={"name": name})
        _record("group_created", company_id, {"group_id": group.id, "name": name})
        return redirect(url_for(".company_detail", company_id=company_id, fait="groupe"), code=303)

    @bp.post("/entreprises/<company_id>/deplacements")
    def move_member(company_id: str) -> Page:
        form = _form("member", "to_group_id", "role")
        account_id, _sep, from_group_id = form["member"].partition("|")
        errors: dict[str, str] = {}
        for name in ("member", "to_group_id", "role"):
            if not form[name]:
                errors[name] = "required"
        if form["role"] and form["role"] not in labels.ROLES:
            errors["role"] = "unknown_choice"
        if form["member"] and (not account_id or not from_group_id):
            errors["member"] = "unknown_choice"
        if "to_group_id" not in errors and from_group_id and form["to_group_id"] == from_group_id:
            errors["to_group_id"] = "same_group"
        if errors:
            return _company_page(company_id, status=422, move_form=form, errors=_messages(errors))
        try:
            deps.portal.move_membership(_bearer(), account_id, from_group_id, form["to_group_id"], form["role"])
        except (PortalUnavailable, PortalRejected) as exc:
            return _after_portal_error(company_id, exc, move_form=form)
        _record("membership_moved", company_id, {"account_id": account_id, "from_group_id": from_group_id,
                                                 "to_group_id": form["to_group_id"], "role": form["role"]})
        return redirect(url_for(".company_detail", company_id=company_id, fait="deplacement"), code=303)

    return bp

