"""The staff pages of offers under /moderation/offres (PRODUCT §5; services/offers/DESIGN.md).

The queue comes from moderation's projection of `offers.offer.status_changed`. The offer page
reads offers' staff API (content, last approved version, hints, history) while the staff member
waits; each decision is a form with its own idempotency key, run once through the message bus
(`handle_idempotent`) and sent to offers with the same key and the version the page showed.
A refusal from offers, or offers not answering, is shown next to the form that was sent.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from markupsafe import Markup

from moderation.domain.business_days import quebec_date
from moderation.domain.offer_diff import CONTENT_FIELDS, diff_content
from moderation.entrypoints import labels
from moderation.service_layer import commands
from moderation.service_layer.ports import (
    OffersClient,
    OffersRejected,
    OffersUnavailable,
    ReferenceItem,
    StaffCall,
    StaffOffer,
)
from plumbing.messagebus import IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from plumbing.richtext import sanitize_html
from plumbing.web.pages import current_locale

log = logging.getLogger(__name__)

OFFER_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_TEXT = 5000  # offers' limit on a comment or a reason
#: The fields staff may edit before approving (the workplace is the employer's form's), with
#: their length limit (contracts/offers.yaml, ContentInput).
TEXT_FIELDS = {"title_fr": 150, "title_en": 150, "salary": 200, "reference_number": 50}
HTML_FIELDS = {"description_fr": 30000, "description_en": 30000}
#: Single choices and multiple choices → the reference list of their codes (GET /reference).
CHOICES = {
    "function_type": "function_types",
    "employment_type": "employment_types",
    "position_status": "position_statuses",
    "work_formula": "work_formulas",
    "years_on_roll": "years_on_roll",
}
MULTI_CHOICES = {"engineering_domains": "engineering_domains", "interests": "interests"}
EDITABLE = (*TEXT_FIELDS, *HTML_FIELDS, *CHOICES, *MULTI_CHOICES, "application_deadline")
FORMS = ("approve", "edit", "return", "withdraw", "deadline")


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000_000 else None


def _parse_date(raw: str) -> tuple[date | None, str | None]:
    if not raw:
        return None, "date_required"
    try:
        return date.fromisoformat(raw), None
    except ValueError:
        return None, "date_invalid"


def _form_value(content: dict[str, Any], name: str) -> Any:
    value = content.get(name)
    if name in MULTI_CHOICES:
        return [str(v) for v in value] if isinstance(value, list) else []
    return "" if value is None else str(value)


def edit_form_of(content: dict[str, Any]) -> dict[str, Any]:
    return {name: _form_value(content, name) for name in EDITABLE}


def register_offer_pages(
    bp: Blueprint,
    bus: MessageBus,
    views: Any,
    offers: OffersClient,
    staff: Callable[[], Any],
    call: Callable[[], StaffCall],
    form_key: Callable[[], str],
) -> None:
    @bp.context_processor
    def _offer_labels() -> dict[str, Any]:
        return {"offer_fields": CONTENT_FIELDS}

    @bp.app_template_filter("instant")
    def _instant(value: str | None) -> datetime | None:
        """An ISO instant from offers' answers as an aware datetime (None when unreadable)."""
        try:
            parsed = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    @bp.app_template_filter("isodate")
    def _isodate(value: str | None) -> date | None:
        try:
            return date.fromisoformat(str(value or ""))
        except ValueError:
            return None

    @bp.app_template_filter("richtext")
    def _richtext(html: str | None) -> Markup:
        """offers sanitizes descriptions on save; sanitized again here, as any HTML moderation did not write."""
        return Markup(sanitize_html(html or ""))  # noqa: S704 - the output of the one sanitizer

    @bp.get("/offres")
    def offers_queue() -> Any:
        """The queue; `?offre=` opens any offer (to withdraw a published one, move a deadline) by
        its identifier or by a link that contains it (the public page's, the employer's)."""
        asked = request.args.get("offre", "").strip()[:500]
        problem = None
        if asked:
            found = OFFER_ID.search(asked)
            if found:
                return redirect(url_for(".offer_detail", offer_id=found.group(0).lower()), code=303)
            problem = str(labels.OFFER_ERRORS["offer_id"])
        return render_template(
            "moderation/offers_queue.html", rows=views.offer_queue(), asked=asked, lookup_error=problem
        ), 422 if problem else 200

    def _reference() -> tuple[dict[str, list[ReferenceItem]], str | None]:
        try:
            return offers.reference(call()), None
        except (OffersUnavailable, OffersRejected) as exc:
            log.warning("offers' reference lists unavailable: %s", exc)
            return {}, str(labels.OFFERS_REFERENCE_DOWN)

    def _problem(exc: OffersRejected) -> str:
        if exc.status in (401, 403):
            return str(labels.OFFERS_FORBIDDEN)
        if exc.status == 409 and exc.code in ("stale", "conflict", ""):
            return str(labels.OFFERS_CONFLICT)
        return str(exc.detail or labels.OFFERS_REJECTED)

    def _page(
        offer_id: str,
        *,
        status: int = 200,
        failed: str | None = None,
        message: str | None = None,
        errors: dict[str, str] | None = None,
        forms: dict[str, Any] | None = None,
    ) -> Any:
        """The offer page; `failed` names the form whose refusal `message` (and field `errors`) explain."""
        row = views.offer(offer_id)
        offer: StaffOffer | None = None
        problem = None
        try:
            offer = offers.get_offer(call(), offer_id)
        except OffersUnavailable as exc:
            log.warning("offers unavailable: %s", exc)
            problem, status = str(labels.OFFERS_DOWN), 503
        except OffersRejected as exc:
            if exc.status in (400, 404):
                abort(404)
            problem, status = _problem(exc), 502
        if offer is None and row is None and problem is None:
            abort(404)
        reference, reference_problem = ({}, None)
        if offer is not None and offer.status == "in_validation":
            reference, reference_problem = _reference()
        locale = current_locale()
        options = {
            name: [(i.code, i.label(locale)) for i in reference.get(list_name, [])]
            for name, list_name in {**CHOICES, **MULTI_CHOICES}.items()
        }
        names = {name: dict(items) for name, items in options.items()}
        places = [*reference.get("regions", []), *reference.get("municipalities", [])]
        names["places"] = {i.code: i.label(locale) for i in places}
        forms = forms or {}
        done = labels.OFFER_DONE.get(request.args.get("fait", ""))
        return render_template(
            "moderation/offer.html",
            offer_id=offer_id,
            row=row,
            offer=offer,
            problem=problem,
            diff=diff_content(offer.live_content, offer.content) if offer else None,
            edit=forms.get("edit") or (edit_form_of(offer.content) if offer else {}),
            forms=forms,
            failed=failed,
            refusal=message,
            errors=errors or {},
            options=options,
            names=names,
            reference_problem=reference_problem,
            done=str(done) if done else None,
            locale=locale,
            form_keys={name: uuid.uuid4().hex for name in FORMS},
            choice_fields=CHOICES,
            multi_choice_fields=MULTI_CHOICES,
        ), status

    def _decide(
        offer_id: str, form: str, command: Any, done: str, forms: dict[str, Any], renamed: dict[str, str] | None = None
    ) -> Any:
        asked = {k: v for k, v in vars(command).items() if k not in ("staff", "call", "key")}
        try:
            bus.handle_idempotent(
                command,
                Idempotent(
                    staff().account_id,
                    command.key,
                    fingerprint(type(command).__name__, asked),
                    lambda result, uow: (200, {"offer_id": offer_id}),
                ),
            )
        except IdempotencyKeyReused:
            return _page(offer_id, status=409, failed=form, message=str(labels.FORM_REUSED), forms=forms)
        except OffersUnavailable as exc:
            log.warning("offers unavailable: %s", exc)
            return _page(offer_id, status=503, failed=form, message=str(labels.OFFERS_DOWN), forms=forms)
        except OffersRejected as exc:
            log.info("offers refused %s on %s: %s", form, offer_id, exc)
            if exc.status == 404:
                abort(404)
            status = exc.status if exc.status in (400, 409, 422) else 502
            errors = {(renamed or {}).get(name, name): text for name, text in exc.field_errors.items()}
            return _page(offer_id, status=status, failed=form, message=_problem(exc), errors=errors, forms=forms)
        return redirect(url_for(".offer_detail", offer_id=offer_id, fait=done), code=303)

    def _invalid(offer_id: str, form: str, errors: dict[str, str], forms: dict[str, Any]) -> Any:
        messages = {
            name: str(labels.OFFER_ERRORS.get(code) or labels.ERRORS.get(code) or code) for name, code in errors.items()
        }
        return _page(offer_id, status=422, failed=form, errors=messages, forms=forms)

    def _required_text(name: str) -> tuple[str, str | None]:
        text = request.form.get(name, "").strip()
        if not text:
            return text, "required"
        return text, "text_too_long" if len(text) > MAX_TEXT else None

    @bp.get("/offres/<offer_id>")
    def offer_detail(offer_id: str) -> Any:
        return _page(offer_id)

    @bp.post("/offres/<offer_id>/approuver")
    def approve_offer(offer_id: str) -> Any:
        command = commands.ApproveOffer(offer_id, _version(), None, staff(), call(), form_key())
        return _decide(offer_id, "approve", command, "approuvee", {})

    @bp.post("/offres/<offer_id>/approuver-avec-modifications")
    def approve_offer_with_changes(offer_id: str) -> Any:
        form = _read_edit_form()
        errors = _check_edit_form(form)
        if errors:
            return _invalid(offer_id, "edit", errors, {"edit": form})
        try:
            current = offers.get_offer(call(), offer_id)
        except OffersUnavailable as exc:
            log.warning("offers unavailable: %s", exc)
            return _page(offer_id, status=503, failed="edit", message=str(labels.OFFERS_DOWN), forms={"edit": form})
        except OffersRejected as exc:
            if exc.status in (400, 404):
                abort(404)
            return _page(offer_id, status=502, failed="edit", message=_problem(exc), forms={"edit": form})
        before = edit_form_of(current.content)
        changes = {name: _as_api(name, value) for name, value in form.items() if value != before.get(name)}
        if not changes:
            return _invalid(offer_id, "edit", {"edit": "no_changes"}, {"edit": form})
        command = commands.ApproveOffer(offer_id, _version(), changes, staff(), call(), form_key())
        return _decide(offer_id, "edit", command, "modifiee", {"edit": form})

    @bp.post("/offres/<offer_id>/retourner")
    def return_offer(offer_id: str) -> Any:
        comment, error = _required_text("comment")
        forms = {"return": {"comment": comment}}
        if error:
            return _invalid(
                offer_id, "return", {"comment": "comment_required" if error == "required" else error}, forms
            )
        command = commands.ReturnOffer(offer_id, _version(), comment, staff(), call(), form_key())
        return _decide(offer_id, "return", command, "retournee", forms)

    @bp.post("/offres/<offer_id>/retirer")
    def withdraw_offer(offer_id: str) -> Any:
        reason, error = _required_text("withdraw_reason")
        forms = {"withdraw": {"withdraw_reason": reason}}
        if error:
            return _invalid(
                offer_id, "withdraw", {"withdraw_reason": "reason_required" if error == "required" else error}, forms
            )
        command = commands.WithdrawOffer(offer_id, _version(), reason, staff(), call(), form_key())
        return _decide(offer_id, "withdraw", command, "retiree", forms, {"reason": "withdraw_reason"})

    @bp.post("/offres/<offer_id>/date-limite")
    def move_deadline(offer_id: str) -> Any:
        raw = request.form.get("deadline", "").strip()[:20]
        forms = {"deadline": {"deadline": raw}}
        deadline, error = _parse_date(raw)
        if deadline is not None and deadline < quebec_date(views.clock.now()):
            error = "date_past"
        if error or deadline is None:
            return _invalid(offer_id, "deadline", {"deadline": error or "date_required"}, forms)
        command = commands.MoveApplicationDeadline(offer_id, _version(), deadline, staff(), call(), form_key())
        return _decide(offer_id, "deadline", command, "date", forms, {"date": "deadline"})


def _read_edit_form() -> dict[str, Any]:
    form: dict[str, Any] = {}
    for name in (*TEXT_FIELDS, "application_deadline", *CHOICES):
        form[name] = " ".join(request.form.get(name, "").split())
    for name in HTML_FIELDS:
        form[name] = request.form.get(name, "").strip()
    for name in MULTI_CHOICES:
        form[name] = [v.strip() for v in request.form.getlist(name) if v.strip()]
    return form


def _check_edit_form(form: dict[str, Any]) -> dict[str, str]:
    """Only what offers could not answer clearly: its own rules (codes, the employer's required
    fields, the deadline) come back from it as field errors."""
    errors: dict[str, str] = {}
    if not form["title_fr"]:
        errors["title_fr"] = "required"
    for name, limit in {**TEXT_FIELDS, **HTML_FIELDS}.items():
        if len(form[name]) > limit:
            errors[name] = "too_long"
    if not 1 <= len(form["engineering_domains"]) <= 5:
        errors["engineering_domains"] = "domains_count"
    if len(form["interests"]) > 30:
        errors["interests"] = "too_long"
    if form["application_deadline"]:
        _parsed, error = _parse_date(form["application_deadline"])
        if error:
            errors["application_deadline"] = error
    for name in CHOICES:
        if len(form[name]) > 60:
            errors[name] = "unknown_choice"
    return errors


def _as_api(name: str, value: Any) -> Any:
    if name == "application_deadline":
        return value or None
    return value
