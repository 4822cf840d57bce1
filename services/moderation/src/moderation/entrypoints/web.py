"""The OIQ staff pages under /moderation/ (Flask blueprint, server-rendered, no JavaScript needed).

Every page is for staff only: anonymous visitors are sent to the sign-in page, other signed-in
users get a 403 page. Pages translate forms into commands for the message bus; staff tools'
commands call company-portal's staff API (with the staff member's own bearer token) and carry the
form's idempotency key. Searches and the company page read company-portal directly (no change).
The offers' pages (/moderation/offres) are in offer_pages.py.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from moderation.domain.model import FIELDS, AlreadyDecided, Decider, DecisionError, Kind, Status
from moderation.entrypoints import labels
from moderation.entrypoints.offer_pages import register_offer_pages
from moderation.service_layer import commands
from moderation.service_layer.handlers import InvalidCompanyData, RequestNotFound
from moderation.service_layer.ports import (
    Company,
    Match,
    OffersClient,
    PortalClient,
    PortalRejected,
    PortalUnavailable,
    StaffCall,
)
from moderation.service_layer.views import Views
from plumbing.auth.tokens import Principal
from plumbing.messagebus import IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from plumbing.web.pages import current_locale, current_user, date_long, datetime_long

log = logging.getLogger(__name__)

Page = str | tuple[str, int] | Response | WerkzeugResponse
STATUS_FILTERS = ("en_attente", "approuvee", "refusee", "toutes")
MAX_GROUP_NAME = 100  # company-portal's limit
MAX_QUERY = 200
FORM_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")  # as company-portal takes an Idempotency-Key


@dataclass(frozen=True)
class WebDeps:
    bus: MessageBus
    views: Views
    portal: PortalClient
    offers: OffersClient | None = None


def _staff() -> Principal:
    user = current_user()
    assert user is not None and user.is_staff  # guaranteed by the blueprint's before_request
    return user


def _decider() -> Decider:
    user = _staff()
    return Decider(account_id=user.account_id, email=user.email)


def _bearer() -> str:
    return request.headers.get("Authorization", "")[7:].strip()


def _call() -> StaffCall:
    return StaffCall(token=_bearer(), locale=current_locale())


def _form_key() -> str:
    """The idempotency key the rendered form carries; a form without a usable one gets a fresh key
    (the action is still done, only not deduplicated)."""
    key = request.form.get("idempotency_key", "")
    return key if FORM_KEY.match(key) else uuid.uuid4().hex


def _new_form_keys() -> dict[str, str]:
    return {name: uuid.uuid4().hex for name in ("company", "group", "move")}


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
        return render_template("moderation/dashboard.html", counts=deps.views.counts(),
                               offer_counts=deps.views.offer_counts())

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
                               matches_problem=matches_problem,
                               form_keys={"approve": uuid.uuid4().hex, "refuse": uuid.uuid4().hex}), status

    def _matches(request_id: str) -> tuple[list[Match], str | None]:
        """The known companies the request may be about, from company-portal (a problem: the reason)."""
        try:
            return deps.portal.request_matches(_call(), request_id), None
        except PortalUnavailable as exc:
            log.warning("company-portal unavailable: %s", exc)
            return [], str(labels.MATCHES_DOWN)
        except PortalRejected as exc:
            log.info("company-portal refused the matches of %s: %s", request_id, exc)
            return [], str(labels.MATCHES_DOWN) if exc.status == 404 else _portal_problem(exc)

    def _once(command: Any, key: str) -> None:
        """Run a command once per form key (the staff member's): a repeated submit replays the first answer."""
        asked = {k: v for k, v in vars(command).items() if k not in ("decided_by", "staff", "call", "key")}
        deps.bus.handle_idempotent(command, Idempotent(_staff().account_id, key,
                                                       fingerprint(type(command).__name__, asked),
                                                       lambda result, uow: (200, {})))

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
        try:
            _once(commands.ApproveRequest(request_id, _decider(), reason=note, company_fields=company_fields,
                                          call=_call()), _form_key())
        except IdempotencyKeyReused:
            return _request_page(request_id, status=409, message=str(labels.FORM_REUSED))
        except InvalidCompanyData as exc:  # company-portal's field errors, in the staff member's language
            message = None if exc.errors else f"{labels.PORTAL_REJECTED} {exc.detail}".strip()
            return _request_page(request_id, status=422, form=company_fields, errors=exc.errors, note=note,
                                 message=message)
        except PortalUnavailable as exc:
            log.warning("company-portal unavailable: %s", exc)
            return _request_page(request_id, status=503, form=company_fields, note=note,
                                 message=str(labels.PORTAL_DOWN))
        except PortalRejected as exc:
            return _request_page(request_id, status=502, form=company_fields, note=note,
                                 message=_portal_problem(exc))
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
            _once(commands.RefuseRequest(request_id, _decider(), reason), _form_key())
        except IdempotencyKeyReused:
            return _request_page(request_id, status=409, message=str(labels.FORM_REUSED))
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
                found_companies = deps.portal.search_companies(_call(), q)
                users = deps.portal.search_users(_call(), q)
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
            company = deps.portal.get_company(_call(), company_id)
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
            form_keys=_new_form_keys(),
        ), status

    @bp.get("/entreprises/<company_id>")
    def company_detail(company_id: str) -> Page:
        return _company_page(company_id)

    def _staff_action(command: Any, company_id: str, answer: Any) -> None:
        """Run a staff tool's command once per form key (the key is the staff member's; company-portal
        gets the same key)."""
        asked = {k: v for k, v in vars(command).items() if k not in ("staff", "call", "key")}
        deps.bus.handle_idempotent(command, Idempotent(_staff().account_id, command.key,
                                                       fingerprint(type(command).__name__, asked), answer))

    def _after_portal_error(company_id: str, exc: Exception, **forms: Any) -> Page:
        if isinstance(exc, PortalUnavailable):
            log.warning("company-portal unavailable: %s", exc)
            return _company_page(company_id, status=503, problem=str(labels.PORTAL_DOWN), **forms)
        if isinstance(exc, IdempotencyKeyReused):
            return _company_page(company_id, status=422, problem=str(labels.FORM_REUSED), **forms)
        assert isinstance(exc, PortalRejected)
        log.info("company-portal refused a staff action on %s: %s", company_id, exc)
        if exc.status == 404:
            abort(404)
        return _company_page(company_id, status=422 if exc.status in (400, 409, 422) else 502,
                             problem=_portal_problem(exc), errors=exc.field_errors, **forms)

    @bp.post("/entreprises/<company_id>")
    def update_company(company_id: str) -> Page:
        """company-portal checks the fields (an empty NEQ clears a wrong one) and answers field errors."""
        raw = _form(*FIELDS)
        command = commands.CorrectCompany(company_id, raw, _decider(), _call(), _form_key())
        try:
            _staff_action(command, company_id, lambda company, uow: (200, {"company_id": company_id}))
        except (PortalUnavailable, PortalRejected, IdempotencyKeyReused) as exc:
            return _after_portal_error(company_id, exc, form=raw)
        return redirect(url_for(".company_detail", company_id=company_id, fait="entreprise"), code=303)

    @bp.post("/entreprises/<company_id>/groupes")
    def create_group(company_id: str) -> Page:
        name = " ".join(request.form.get("name", "").split())
        error = "required" if not name else "too_long" if len(name) > MAX_GROUP_NAME else None
        if error:
            return _company_page(company_id, status=422, group_form={"name": name},
                                 errors={"group_name": str(labels.ERRORS[error])})
        command = commands.CreateGroup(company_id, name, _decider(), _call(), _form_key())
        try:
            _staff_action(command, company_id, lambda group, uow: (201, {"group_id": group.id, "name": name}))
        except (PortalUnavailable, PortalRejected, IdempotencyKeyReused) as exc:
            if isinstance(exc, PortalRejected) and "name" in exc.field_errors:
                exc.field_errors["group_name"] = exc.field_errors.pop("name")
            return _after_portal_error(company_id, exc, group_form={"name": name})
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
        command = commands.MoveMember(company_id, account_id, from_group_id, form["to_group_id"], form["role"],
                                      _decider(), _call(), _form_key())
        try:
            _staff_action(command, company_id, lambda result, uow: (200, {}))
        except (PortalUnavailable, PortalRejected, IdempotencyKeyReused) as exc:
            return _after_portal_error(company_id, exc, move_form=form)
        return redirect(url_for(".company_detail", company_id=company_id, fait="deplacement"), code=303)

    # Offers (offers' staff API) ---------------------------------------------------------------
    if deps.offers is not None:
        register_offer_pages(bp, deps.bus, deps.views, deps.offers, _decider, _call, _form_key)

    return bp

