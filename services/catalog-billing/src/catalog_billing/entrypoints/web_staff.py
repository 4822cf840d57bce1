"""[staff] OIQ staff billing pages under /moderation/facturation (the gateway routes the prefix here).

Staff only: anonymous visitors go to the sign-in page, other accounts get 403. Find a company (as
the membership projection names it), see its groups' balances, mark it eligible for invoice payment,
transfer credits between two of its groups; list and create promo codes. Each rendered form carries
an idempotency key (plumbing.idempotency, as moderation's staff forms): submitting it twice does the
action once.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from catalog_billing.domain import errors
from catalog_billing.domain.ledger import CREDIT_TYPES
from catalog_billing.domain.staff import PROMO_FIELDS, promo_from_form, whole_number
from catalog_billing.entrypoints import labels_records as labels
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import staff
from plumbing.auth.tokens import Principal
from plumbing.messagebus import IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from plumbing.web.pages import current_locale, current_user

blueprint = Blueprint("billing_staff", __name__, url_prefix="/moderation/facturation")

Page = str | tuple[str, int] | Response
FORM_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
MAX_QUERY = 200
MAX_TRANSFER = 10_000


def _bus() -> MessageBus[Any]:
    return current_app.extensions["catalog_billing_bus"]  # type: ignore[no-any-return]


def _staff() -> Principal:
    user = current_user()
    assert user is not None and user.kind == "staff"  # guaranteed by the blueprint's before_request
    return user


@blueprint.before_request
def _staff_only() -> Response | None:
    user = current_user()
    if user is None:
        target = request.full_path.rstrip("?") if request.query_string else request.path
        if request.method != "GET":
            target = request.path
        return redirect(f"/compte/connexion?next={quote(target, safe='/')}", code=303)
    if user.kind != "staff":
        abort(403)
    return None


@blueprint.context_processor
def _context() -> dict[str, Any]:
    return {"labels": labels, "credit_types": CREDIT_TYPES}


def _form_key() -> str:
    """The rendered form's idempotency key; a form without a usable one gets a fresh key."""
    key = request.form.get("idempotency_key", "")
    return key if FORM_KEY.match(key) else uuid.uuid4().hex


def _once(command: Any) -> Any:
    """Run a staff command once per form key: a repeated submit replays the first answer."""
    asked = {k: v for k, v in vars(command).items() if k not in ("staff_account_id", "staff_email")}
    return _bus().handle_idempotent(command, Idempotent(
        _staff().account_id, _form_key(), fingerprint(type(command).__name__, asked),
        lambda result, uow: (200, {})))


def _error_text(exc: errors.BillingError) -> str:
    return exc.message(current_locale())


# Companies ---------------------------------------------------------------------------------------
@blueprint.get("/")
@blueprint.get("")
def home() -> Page:
    q = " ".join(request.args.get("q", "").split())[:MAX_QUERY]
    found = _bus().query(staff.find_companies, q)
    return render_template("billing/staff/home.html", q=q, companies=found)


def _company_page(company_id: str, *, status: int = 200, transfer_form: dict[str, str] | None = None,
                  errors_: dict[str, str] | None = None, problem: str | None = None) -> Page:
    billing = _bus().query(staff.company_billing, company_id)
    if billing is None:
        abort(404)
    done = labels.STAFF_DONE.get(request.args.get("fait", ""))
    held = {t for row in billing.groups for t, count in row.balances.items() if count}
    return render_template(
        "billing/staff/company.html", billing=billing,
        shown_types=[t for t in CREDIT_TYPES if t in ("ing", "cpi") or t in held],
        transfer_form=transfer_form or {}, errors=errors_ or {},
        problem=problem, done=done() if done else None,
        group_options=[(g.group.id, g.group.name) for g in billing.groups],
        type_options=[(t, labels.credit_type(t)) for t in CREDIT_TYPES],
        form_keys={"terms": uuid.uuid4().hex, "transfer": uuid.uuid4().hex}), status


@blueprint.get("/entreprises/<company_id>")
def company(company_id: str) -> Page:
    return _company_page(company_id)


@blueprint.post("/entreprises/<company_id>/paiement-sur-facture")
def set_terms(company_id: str) -> Page:
    choice = request.form.get("eligible", "")
    if choice not in ("oui", "non"):
        return _company_page(company_id, status=422, errors_={"eligible": labels.choose_one()})
    user = _staff()
    try:
        _once(c.SetInvoicePaymentEligibility(company_id, choice == "oui", user.account_id, user.email))
    except IdempotencyKeyReused:
        return _company_page(company_id, status=422, problem=labels.form_reused())
    except errors.NotFound:
        abort(404)
    return redirect(url_for(".company", company_id=company_id, fait="conditions"), code=303)


@blueprint.post("/entreprises/<company_id>/transferts")
def transfer(company_id: str) -> Page:
    form = {name: request.form.get(name, "").strip()
            for name in ("from_group_id", "to_group_id", "credit_type", "quantity")}
    found: dict[str, str] = {}
    for name in form:
        if not form[name]:
            found[name] = labels.required()
    if form["credit_type"] and form["credit_type"] not in CREDIT_TYPES:
        found["credit_type"] = labels.choose_one()
    quantity = whole_number(form["quantity"], 1, MAX_TRANSFER)
    if form["quantity"] and quantity is None:
        found["quantity"] = labels.quantity_format()
    if not found.get("to_group_id") and form["from_group_id"] and form["to_group_id"] == form["from_group_id"]:
        found["to_group_id"] = _error_text(errors.same_group())
    if found:
        return _company_page(company_id, status=422, transfer_form=form, errors_=found)
    command = c.StaffTransferCredits(company_id, form["from_group_id"], form["to_group_id"], form["credit_type"],
                                     quantity or 0, _staff().account_id)
    try:
        _once(command)
    except IdempotencyKeyReused:
        return _company_page(company_id, status=422, transfer_form=form, problem=labels.form_reused())
    except errors.NotEnoughCredits as exc:
        return _company_page(company_id, status=409, transfer_form=form, errors_={
            "quantity": labels.not_enough_credits(exc.credit_type, exc.available, exc.wanted)})
    except errors.NotFound:
        abort(404)
    except errors.BillingError as exc:
        return _company_page(company_id, status=422, transfer_form=form,
                             errors_={exc.field or "quantity": _error_text(exc)})
    return redirect(url_for(".company", company_id=company_id, fait="transfert"), code=303)


# Promo codes ------------------------------------------------------------------------------------
def _promo_page(*, status: int = 200, form: dict[str, Any] | None = None, errors_: dict[str, str] | None = None,
                problem: str | None = None) -> Page:
    catalog = _bus().deps.catalog
    done = labels.STAFF_DONE.get(request.args.get("fait", ""))
    return render_template(
        "billing/staff/promo_codes.html", promos=_bus().query(staff.promo_codes), form=form or {"kind": "percent"},
        errors=errors_ or {}, problem=problem, done=done() if done else None,
        products=[(p.code, p.name(current_locale())) for p in labels.products_of(catalog)],
        form_key=uuid.uuid4().hex), status


@blueprint.get("/codes-promo")
def promo_codes() -> Page:
    return _promo_page()


@blueprint.post("/codes-promo")
def create_promo_code() -> Page:
    form: dict[str, Any] = {name: request.form.get(name, "").strip() for name in PROMO_FIELDS}
    chosen = [code for code in request.form.getlist("product_codes") if code]
    form["product_codes"] = chosen
    known = [p.code for p in labels.products_of(_bus().deps.catalog)]
    promo, codes = promo_from_form(form, chosen, known)
    if promo is None:
        return _promo_page(status=422, form=form, errors_={k: labels.promo_error(v) for k, v in codes.items()})
    try:
        _once(c.CreatePromoCode(promo, _staff().account_id))
    except IdempotencyKeyReused:
        return _promo_page(status=422, form=form, problem=labels.form_reused())
    except errors.BillingError as exc:
        return _promo_page(status=422, form=form, errors_={exc.field or "code": _error_text(exc)})
    return redirect(url_for(".promo_codes", fait="code"), code=303)
