"""Employer pages of the purchase (DESIGN.md, "Pages"): Acheter un forfait, En savoir plus, the cart,
the caisse, the card's return, the review, the second step's return and the confirmation.

The card is typed on the processor's own page (`card_form_url`); it sends the browser back to
`/employeur/caisse/<id>/carte?payment_method=pm_…`: this service only ever sees that reference.
Every form works without JavaScript and carries the CSRF token; errors sit next to their field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, redirect, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog_billing.domain.checkout import PROVINCES, InvalidAddress, decline_message
from catalog_billing.domain.errors import BillingError
from catalog_billing.domain.formatting import format_money
from catalog_billing.entrypoints import pages_common as common
from catalog_billing.service_layer import checkout_views
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer.checkout import CheckoutOutcome
from plumbing.ports import UniqueViolation
from plumbing.web.pages import current_locale

blueprint = Blueprint("billing", __name__)

common.NOTICES.update({
    "ajoute": lambda: _("Le produit est ajouté au panier."),
    "retire": lambda: _("Le produit est retiré du panier."),
    "carte": lambda: _("Votre carte est enregistrée pour cet achat."),
})
ADDRESS_FIELDS = ("name", "street", "city", "province", "postal_code", "country")


@blueprint.app_template_filter("money")
def money(amount: Any) -> str:
    """`2 675,00 $` / `$2,675.00`."""
    return format_money(Decimal(str(amount)), current_locale())


def _deps() -> Any:
    return common.bus().deps


def _public(path: str) -> str:
    return _deps().config.public_url.rstrip("/") + path


def _group() -> dict[str, Any] | Response:
    return common.group_or_portal()


# Catalog ---------------------------------------------------------------------------------------
@blueprint.get("/employeur/forfaits")
@common.employer_required
def catalog() -> Any:
    group = _group()
    if isinstance(group, Response):
        return group
    return common.render_page("billing/catalog.html", group=group, sections=_deps().catalog.sections(),
                              buy_groups=_buy_groups())


def _buy_groups() -> list[dict[str, str]]:
    """The groups the caller may buy for (the group choice of the add-to-cart forms)."""
    from plumbing.auth.permissions import Permission

    return [g for g in common.switcher_groups()
            if any(m["id"] == g["id"] and common.can(m, Permission.BUY_PRODUCTS) for m in common.my_groups())]


@blueprint.get("/employeur/forfaits/<code>")
@common.employer_required
def product(code: str) -> Any:
    group = _group()
    if isinstance(group, Response):
        return group
    found = _deps().catalog.get(code)
    if found is None:
        abort(404)
    return common.render_page("billing/product.html", group=group, product=found, buy_groups=_buy_groups())


# Cart ------------------------------------------------------------------------------------------
def _cart_page(group: dict[str, Any], *, status: int = 200, errors: dict[str, str] | None = None) -> tuple[str, int]:
    view = common.bus().query(checkout_views.cart, _deps(), common.actor(), group["id"], current_locale())
    return common.render_page("billing/cart.html", group=group, cart=view, errors=errors or {}, status=status,
                              cart_count=view.count)


@blueprint.get("/employeur/panier")
@common.employer_required
def cart() -> Any:
    group = _group()
    return group if isinstance(group, Response) else _cart_page(group)


@blueprint.post("/employeur/panier")
@common.employer_required
def add_to_cart() -> Any:
    group = _group()
    if isinstance(group, Response):
        return group
    try:
        quantity = int(request.form.get("quantity", "1") or "1")
    except ValueError:
        quantity = 0
    # Several `product_code`s: an offer's missing credits (offers' « Enregistrer et passer à la
    # caisse »); each is checked before any is added.
    codes = request.form.getlist("product_code") or [""]
    try:
        for code in codes[1:]:
            if _deps().catalog.get(code) is None:
                raise ValueError(code)
    except ValueError:
        abort(404)
    try:
        for code in codes:
            common.bus().handle(c.AddToCart(common.actor(), group["id"], code, quantity,
                                            request.form.get("quote_id") or None))
    except BillingError as exc:
        return _cart_page(group, status=exc.status, errors=common.field_errors(exc))
    response = common.see_other("/employeur/panier", "ajoute")
    _remember_group(response, group)
    _remember_return(response, request.form.get("retour"))
    return response


#: The offer draft a purchase was started from (offers' wizard): the confirmation links back to it.
RETURN_COOKIE = "retour_offre"


def _remember_return(response: Response, target: str | None) -> None:
    back = common.safe_back(target, "")
    if back.startswith("/employeur/offres/"):
        response.set_cookie(RETURN_COOKIE, back, max_age=24 * 3600, httponly=True, samesite="Lax", path="/employeur",
                            secure=request.headers.get("X-Forwarded-Proto", request.scheme) == "https")


def _remember_group(response: Response, group: dict[str, Any]) -> None:
    """Buying for a group makes it the active one (the portal's cookie), as its switcher would."""
    if request.cookies.get(common.GROUP_COOKIE) != group["id"]:
        response.set_cookie(common.GROUP_COOKIE, group["id"], max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", path="/",
                            secure=request.headers.get("X-Forwarded-Proto", request.scheme) == "https")


@blueprint.post("/employeur/panier/<line_id>/retrait")
@common.employer_required
def remove_from_cart(line_id: str) -> Any:
    group = _group()
    if isinstance(group, Response):
        return group
    common.bus().handle(c.RemoveFromCart(common.actor(), group["id"], line_id))
    return common.see_other("/employeur/panier", "retire")


# Caisse ----------------------------------------------------------------------------------------
def _caisse_page(group: dict[str, Any], *, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    actor = common.actor()
    view = common.bus().query(checkout_views.cart, _deps(), actor, group["id"], current_locale())
    choices = common.bus().query(checkout_views.caisse_choices, actor, group["id"])
    values = values or {}
    if "address_id" not in values:
        values["address_id"] = choices.addresses[-1].id if choices.addresses else "nouvelle"
    return common.render_page("billing/caisse.html", group=group, cart=view, choices=choices, values=values,
                              errors=errors or {}, status=status, provinces=[(p, p) for p in PROVINCES],
                              cart_count=view.count)


@blueprint.get("/employeur/caisse")
@common.employer_required
def caisse() -> Any:
    group = _group()
    if isinstance(group, Response):
        return group
    return _caisse_page(group)


def _details(values: dict[str, str]) -> c.CheckoutDetails:
    new = values.get("address_id", "") in ("", "nouvelle")
    return c.CheckoutDetails(
        address_id=None if new else values.get("address_id"),
        new_address={k: values.get(k, "") for k in ADDRESS_FIELDS} if new else None,
        note=values.get("note", ""), purchase_order=values.get("purchase_order", ""),
        promo_code=values.get("promo_code", ""), payment_mode=values.get("payment_mode", "card"))


def _errors(exc: BillingError) -> dict[str, str]:
    if isinstance(exc, InvalidAddress):
        return exc.by_field(current_locale())
    return common.field_errors(exc)


@blueprint.post("/employeur/caisse")
@common.employer_required
def start_checkout() -> Any:
    group = _group()
    if isinstance(group, Response):
        return group
    values = common.form()
    try:
        checkout = common.bus().handle(c.StartCheckout(common.actor(), group["id"], common.me().email,
                                                       current_locale(), _details(values)))
    except BillingError as exc:
        return _caisse_page(group, values=values, errors=_errors(exc), status=exc.status)
    if checkout.payment_mode == "invoice":
        return redirect(f"/employeur/caisse/{checkout.id}/revision", 303)
    return redirect(_card_form(checkout.id), 303)


def _card_form(checkout_id: str) -> str:
    return _deps().payments.card_form_url(return_url=_public(f"/employeur/caisse/{checkout_id}/carte"),
                                          state=checkout_id, locale=current_locale())


@blueprint.get("/employeur/caisse/<checkout_id>/carte")
@common.employer_required
def card_return(checkout_id: str) -> Any:
    reference = request.args.get("payment_method", "")
    if not reference or request.args.get("state", checkout_id) != checkout_id:
        return _review_page(checkout_id, errors={"payment": _("Le formulaire de carte n'a rien envoyé : "
                                                              "entrez votre carte de nouveau.")}, status=422)
    try:
        common.bus().handle(c.AttachPaymentMethod(common.actor(), checkout_id, reference))
    except BillingError as exc:
        if exc.status == 404:
            abort(404)
        return _review_page(checkout_id, errors=common.field_errors(exc), status=exc.status)
    return redirect(f"/employeur/caisse/{checkout_id}/revision", 303)


@blueprint.get("/employeur/caisse/<checkout_id>/carte/nouvelle")
@common.employer_required
def change_card(checkout_id: str) -> Any:
    _load(checkout_id)  # 404 for a stranger
    return redirect(_card_form(checkout_id), 303)


def _load(checkout_id: str) -> Any:
    try:
        return common.bus().query(checkout_views.checkout, common.actor(), checkout_id)
    except BillingError:
        abort(404)


def _review_page(checkout_id: str, *, errors: dict[str, str] | None = None, status: int = 200,
                 message: tuple[str, str] | None = None) -> tuple[str, int]:
    checkout = _load(checkout_id)
    if checkout.is_paid:
        return redirect(f"/employeur/caisse/{checkout_id}/confirmation", 303)  # type: ignore[return-value]
    group = common.requested_group(checkout.group_id)
    flashes = [message] if message else []
    return common.render_page("billing/review.html", group=group, checkout=checkout, quote=checkout.quote(),
                              errors=errors or {}, status=status, flashes=flashes)


@blueprint.get("/employeur/caisse/<checkout_id>/revision")
@common.employer_required
def review(checkout_id: str) -> Any:
    return _review_page(checkout_id)


def _after_payment(outcome: CheckoutOutcome) -> Any:
    if outcome.status == "paid":
        return redirect(f"/employeur/caisse/{outcome.checkout_id}/confirmation", 303)
    if outcome.status == "requires_action" and outcome.redirect_url:
        return redirect(outcome.redirect_url, 303)
    code = outcome.code if outcome.code in ("insufficient_funds", "expired_card", "processing") else outcome.status
    if "authentication" in (outcome.code or ""):
        code = "authentication_failed"
    if outcome.status == "failed":
        code = "failed"
    status = 200 if outcome.status == "processing" else 422
    return _review_page(outcome.checkout_id, status=status,
                        message=("info" if status == 200 else "error", decline_message(code, current_locale())))


@blueprint.post("/employeur/caisse/<checkout_id>/revision")
@common.employer_required
def complete(checkout_id: str) -> Any:
    _load(checkout_id)
    command = c.CompleteCheckout(
        common.actor(), checkout_id, request.form.get("idempotency_key", ""),
        accept_terms=request.form.get("accept_terms") == "oui",
        accept_billing=request.form.get("accept_billing") == "oui",
        return_url=_public(f"/employeur/caisse/{checkout_id}/retour"))
    try:
        outcome = common.bus().handle(command)
    except BillingError as exc:
        return _review_page(checkout_id, errors=common.field_errors(exc), status=exc.status)
    except UniqueViolation:  # SQLite (development) has no row lock: a racing twin issued the invoice
        return redirect(f"/employeur/caisse/{checkout_id}/revision", 303)
    return _after_payment(outcome)


@blueprint.get("/employeur/caisse/<checkout_id>/retour")
@common.employer_required
def second_step_return(checkout_id: str) -> Any:
    _load(checkout_id)
    try:
        outcome = common.bus().handle(c.ResumeCheckout(common.actor(), checkout_id))
    except BillingError:
        abort(404)
    if outcome.status == "open":
        outcome = CheckoutOutcome("declined", checkout_id, code="authentication_failed")
    return _after_payment(outcome)


@blueprint.get("/employeur/caisse/<checkout_id>/confirmation")
@common.employer_required
def confirmation(checkout_id: str) -> Any:
    try:
        checkout, number = common.bus().query(checkout_views.invoice_number, common.actor(), checkout_id)
    except BillingError:
        abort(404)
    if not checkout.is_paid:
        return redirect(f"/employeur/caisse/{checkout_id}/revision", 303)
    group = common.requested_group(checkout.group_id)
    back = common.safe_back(request.cookies.get(RETURN_COOKIE), "")
    return common.render_page("billing/confirmation.html", group=group, checkout=checkout, number=number,
                              offer_return=back if back.startswith("/employeur/offres/") else "/employeur/")

