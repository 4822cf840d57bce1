"""[checkout]'s handlers: the cart, the caisse, the payment and the invoice it issues.

Payment (DESIGN.md, "Checkout and payment"): `complete_checkout` marks the checkout `processing`
and commits (the row lock is released), charges the card **outside** any transaction with the
checkout's idempotency key, then `finalize_paid_checkout` issues the invoice in one transaction
that locks the checkout row again and checks its status: whoever comes second (a double submit,
the webhook, the return from a second step) finds it paid and changes nothing. The invoice number
comes from the `invoice_counters` row, locked in that same transaction: no gaps, no duplicates.

Declines and processor failures are answers, not exceptions: the handler returns a
`CheckoutOutcome` so the bus commits the recorded attempt (an exception would roll it back).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from catalog_billing.domain import errors
from catalog_billing.domain.cart import Cart, CartLine, empty_cart, invalid_quantity
from catalog_billing.domain.checkout import (
    Checkout,
    CheckoutLine,
    Invoice,
    InvoiceStatus,
    PaymentMode,
    already_paid,
    checkout_not_found,
    invoice_payment_not_allowed,
    new_billing_address,
    no_address,
    no_card,
    stale_form,
    terms_not_accepted,
    unknown_card,
)
from catalog_billing.domain.ledger import is_credit_type
from catalog_billing.domain.pricing import PricedLineInput, price_cart
from catalog_billing.domain.promo import MESSAGES as PROMO_MESSAGES
from catalog_billing.domain.promo import PromoCode, PromoRejected, normalize_code
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import credits
from catalog_billing.service_layer.access import Actor, authorize
from catalog_billing.service_layer.payments import PaymentResult, PaymentStatus, ProcessorUnavailable
from catalog_billing.service_layer.ports import Dependencies, UnitOfWork
from plumbing.auth.permissions import Permission
from plumbing.clock import QUEBEC

CURRENCY = "CAD"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class CheckoutOutcome:
    """How a payment step ended, for the page to say it.

    status: `paid`, `requires_action` (send the buyer to `redirect_url`), `processing` (outcome not
    known yet: retry or wait for the webhook), `declined` or `failed` (`code` says why)."""

    status: str
    checkout_id: str
    invoice_id: str | None = None
    redirect_url: str | None = None
    code: str | None = None


# Cart ------------------------------------------------------------------------------------------
def _authorize_buy(uow: UnitOfWork, actor: Actor, group_id: str) -> None:
    authorize(uow, actor, group_id, Permission.BUY_PRODUCTS)


def quote_required() -> errors.InvalidInput:
    return errors.InvalidInput("quote_required",
                               "Le prix de ce produit dépend de l'offre : il s'ajoute au panier depuis l'offre, "
                               "avec sa soumission.",
                               "This product's price depends on the offer: it is added to the cart from the offer, "
                               "with its quote.", field="product_code")


def quote_already_bought() -> errors.Conflict:
    return errors.Conflict("quote_bought", "Cette soumission a déjà été payée.", "This quote was already paid.",
                           field="quote_id")


def add_to_cart(cmd: c.AddToCart, uow: UnitOfWork, deps: Dependencies) -> Cart:
    _authorize_buy(uow, cmd.actor, cmd.group_id)
    now = deps.clock.now()
    if cmd.quote_id:
        quote = uow.quotes.get(cmd.quote_id)
        if quote is None or quote.group_id != cmd.group_id:
            raise errors.quote_not_found()
        if quote.checkout_id:
            raise quote_already_bought()
        line = CartLine(new_id(), quote.product_code, 1, now, quote.id,
                        (Decimal(quote.amount_cents) / 100).quantize(Decimal("0.01")))
    else:
        product = deps.catalog.get(cmd.product_code)
        if product is None:
            raise errors.unknown_product(cmd.product_code)
        if product.quoted:
            raise quote_required()
        if isinstance(cmd.quantity, bool) or not isinstance(cmd.quantity, int):
            raise invalid_quantity()
        line = CartLine(new_id(), product.code, cmd.quantity, now)
    cart = uow.carts.get(cmd.group_id) or Cart(cmd.group_id, [], now)
    cart.add(line)
    uow.carts.save(cart)
    return cart


def remove_from_cart(cmd: c.RemoveFromCart, uow: UnitOfWork, deps: Dependencies) -> Cart | None:
    _authorize_buy(uow, cmd.actor, cmd.group_id)
    cart = uow.carts.get(cmd.group_id)
    if cart is None:
        return None
    cart.remove(cmd.line_id, deps.clock.now())
    uow.carts.save(cart)
    return cart


# Caisse ----------------------------------------------------------------------------------------
def _base_lines(cart: Cart, deps: Dependencies, locale: str) -> list[CheckoutLine]:
    """The cart's lines at today's catalog prices (quoted lines at their quote's amount)."""
    lines = []
    for line in cart.lines:
        product = deps.catalog.get(line.product_code)
        if product is None:  # withdrawn from the catalog since it was added
            continue
        price = line.quoted_price if line.quoted_price is not None else product.unit_price
        lines.append(CheckoutLine(product.code, product.name(locale), price, line.quantity, Decimal("0.00"),
                                  product.credit_type, product.credits, line.quote_id))
    return lines


def promo_error(reason: str) -> errors.InvalidInput:
    fr, en = PROMO_MESSAGES.get(reason, PROMO_MESSAGES["unknown"])
    return errors.InvalidInput(f"promo_{reason}", fr, en, field="promo_code")


def _inputs(lines: list[CheckoutLine]) -> list[PricedLineInput]:
    return [PricedLineInput(line.product_code, line.quantity, line.unit_price, line.description) for line in lines]


def checked_promo(uow: UnitOfWork, text: str, lines: list[CheckoutLine], today: object) -> PromoCode | None:
    """The promo code typed, checked against these lines today (InvalidInput on `promo_code` else)."""
    code = normalize_code(text)
    if not code:
        return None
    promo = uow.promo_codes.get(code) if len(code) <= 40 else None
    try:
        if promo is None:
            raise PromoRejected("unknown")
        promo.check(_inputs(lines), today)  # type: ignore[arg-type]
    except PromoRejected as rejected:
        raise promo_error(rejected.reason) from None
    return promo


def _price(lines: list[CheckoutLine], promo: PromoCode | None) -> list[CheckoutLine]:
    quote = price_cart(_inputs(lines), promo)
    return [CheckoutLine(line.product_code, line.description, line.unit_price, line.quantity, priced.discount,
                         line.credit_type, line.credits, line.quote_id)
            for line, priced in zip(lines, quote.lines, strict=True)]


def _apply_details(uow: UnitOfWork, deps: Dependencies, checkout: Checkout, base: list[CheckoutLine],
                   details: c.CheckoutDetails, now: datetime) -> None:
    today = now.astimezone(QUEBEC).date()
    checkout.set_details(note=details.note, purchase_order=details.purchase_order, now=now)
    if details.new_address:
        fields = {k: details.new_address.get(k, "") for k in
                  ("name", "street", "city", "province", "postal_code", "country")}
        address = new_billing_address(address_id=new_id(), company_id=checkout.company_id, group_id=checkout.group_id,
                                      now=now, **fields)
        uow.addresses.add(address)
    elif details.address_id:
        address = uow.addresses.get(details.address_id)  # type: ignore[assignment]
        if address is None or address.company_id != checkout.company_id:
            raise no_address()
    else:
        raise no_address()
    checkout.address = address
    promo = checked_promo(uow, details.promo_code, base, today)
    if details.payment_mode == PaymentMode.INVOICE:
        if not uow.companies.invoice_payment_eligible(checkout.company_id):
            raise invoice_payment_not_allowed()
        checkout.payment_mode = PaymentMode.INVOICE
    else:
        checkout.payment_mode = PaymentMode.CARD
    checkout.lines = _price(base, promo)
    checkout.promo_code = promo.code if promo is not None else None


def start_checkout(cmd: c.StartCheckout, uow: UnitOfWork, deps: Dependencies) -> Checkout:
    """« Passer à la caisse », form sent: a checkout with the cart's snapshot and the details."""
    _authorize_buy(uow, cmd.actor, cmd.group_id)
    now = deps.clock.now()
    cart = uow.carts.get(cmd.group_id)
    base = _base_lines(cart, deps, cmd.locale) if cart is not None else []
    if not base:
        raise empty_cart()
    group = uow.companies.group(cmd.group_id)
    checkout = Checkout(id=new_id(), group_id=cmd.group_id, company_id=group.company_id if group else "",
                        buyer_account_id=cmd.actor.account_id, buyer_email=cmd.buyer_email,
                        locale="en" if cmd.locale == "en" else "fr", lines=[], created_at=now, updated_at=now)
    _apply_details(uow, deps, checkout, base, cmd.details, now)
    uow.checkouts.add(checkout)
    return checkout


def _own_checkout(uow: UnitOfWork, actor: Actor, checkout_id: str, *, lock: bool = False) -> Checkout:
    """The checkout, if the actor may buy for its group (else 404: it does not exist for them)."""
    checkout = uow.checkouts.get(checkout_id, lock=lock)
    if checkout is None:
        raise checkout_not_found()
    if uow.memberships.role_of(actor.account_id, checkout.group_id) is None and not actor.is_staff:
        raise checkout_not_found()
    _authorize_buy(uow, actor, checkout.group_id)
    return checkout


def update_checkout(cmd: c.UpdateCheckout, uow: UnitOfWork, deps: Dependencies) -> Checkout:
    """Back from the review to change the address, note, PO, promo or payment mode."""
    checkout = _own_checkout(uow, cmd.actor, cmd.checkout_id, lock=True)
    checkout.ensure_changeable()
    now = deps.clock.now()
    base = [CheckoutLine(line.product_code, line.description, line.unit_price, line.quantity, Decimal("0.00"),
                         line.credit_type, line.credits, line.quote_id) for line in checkout.lines]
    _apply_details(uow, deps, checkout, base, cmd.details, now)
    uow.checkouts.save(checkout)
    return checkout


def attach_payment_method(cmd: c.AttachPaymentMethod, uow: UnitOfWork, deps: Dependencies) -> Checkout:
    """Keep the processor's reference, the brand and the last four digits: nothing else of a card."""
    checkout = _own_checkout(uow, cmd.actor, cmd.checkout_id, lock=True)
    if checkout.is_paid:
        return checkout
    try:
        method = deps.payments.describe_method(cmd.method_reference)
    except (LookupError, ProcessorUnavailable):
        raise unknown_card() from None
    checkout.attach_method(method.reference, method.brand, method.last4, deps.clock.now())
    uow.checkouts.save(checkout)
    return checkout


# Payment ---------------------------------------------------------------------------------------
def complete_checkout(cmd: c.CompleteCheckout, uow: UnitOfWork, deps: Dependencies) -> CheckoutOutcome:
    """« Compléter l'achat »: both acceptances, then the charge (or the invoice, for payment on invoice)."""
    checkout = _own_checkout(uow, cmd.actor, cmd.checkout_id, lock=True)
    if checkout.is_paid:
        return CheckoutOutcome("paid", checkout.id, invoice_id=checkout.invoice_id)
    if not cmd.accept_terms:
        raise terms_not_accepted("accept_terms")
    if not cmd.accept_billing:
        raise terms_not_accepted("accept_billing")
    if cmd.idempotency_key != checkout.idempotency_key:
        raise stale_form()
    if checkout.address is None:
        raise no_address()
    now = deps.clock.now()
    if checkout.promo_code:  # still valid (its last use may have gone meanwhile)
        checked_promo(uow, checkout.promo_code, checkout.lines, now.astimezone(QUEBEC).date())
    if checkout.payment_mode == PaymentMode.INVOICE:
        if not uow.companies.invoice_payment_eligible(checkout.company_id):
            raise invoice_payment_not_allowed()
        invoice = finalize_paid_checkout(uow, deps, checkout.id, authorization=None, intent_reference=None, now=now)
        return CheckoutOutcome("paid", checkout.id, invoice_id=invoice.id)
    if not checkout.method_reference:
        raise no_card()
    checkout.start_payment(now)
    uow.checkouts.save(checkout)
    uow.commit()  # `processing` is kept whatever the charge does; the row lock is released
    try:
        result = deps.payments.charge(
            amount_cents=checkout.total_cents, currency=CURRENCY.lower(), method_reference=checkout.method_reference,
            idempotency_key=checkout.idempotency_key, description=f"ingemplois {checkout.id}",
            metadata={"checkout_id": checkout.id, "group_id": checkout.group_id}, return_url=cmd.return_url)
    except ProcessorUnavailable:
        return CheckoutOutcome("processing", checkout.id, code="processing")
    return apply_payment_result(uow, deps, checkout.id, result)


def apply_payment_result(uow: UnitOfWork, deps: Dependencies, checkout_id: str,
                         result: PaymentResult) -> CheckoutOutcome:
    """What the processor answered (a charge, a retrieve) → the checkout's next state."""
    now = deps.clock.now()
    if result.status == PaymentStatus.SUCCEEDED:
        invoice = finalize_paid_checkout(uow, deps, checkout_id, authorization=result.authorization,
                                         intent_reference=result.intent_reference, now=now)
        return CheckoutOutcome("paid", checkout_id, invoice_id=invoice.id)
    checkout = uow.checkouts.get(checkout_id, lock=True)
    if checkout is None:
        raise checkout_not_found()
    if checkout.is_paid:
        return CheckoutOutcome("paid", checkout_id, invoice_id=checkout.invoice_id)
    if result.status == PaymentStatus.REQUIRES_ACTION:
        checkout.awaiting_action(result.intent_reference, now)
        uow.checkouts.save(checkout)
        return CheckoutOutcome("requires_action", checkout_id, redirect_url=result.next_action_url)
    if result.status == PaymentStatus.PROCESSING:
        checkout.record_attempt("processing", now, intent_reference=result.intent_reference)
        uow.checkouts.save(checkout)
        return CheckoutOutcome("processing", checkout_id, code="processing")
    status = "declined" if result.status == PaymentStatus.DECLINED else "failed"
    checkout.payment_refused(status, result.code, now, result.intent_reference)
    uow.checkouts.save(checkout)
    return CheckoutOutcome(status, checkout_id, code=result.code or status)


def resume_checkout(cmd: c.ResumeCheckout, uow: UnitOfWork, deps: Dependencies) -> CheckoutOutcome:
    """The buyer is back from the processor's second step (or asks again after a timeout)."""
    checkout = _own_checkout(uow, cmd.actor, cmd.checkout_id)
    if checkout.is_paid:
        return CheckoutOutcome("paid", checkout.id, invoice_id=checkout.invoice_id)
    if not checkout.intent_reference:
        return CheckoutOutcome(str(checkout.status), checkout.id, code=checkout.failure_code)
    uow.commit()  # no transaction held while the processor answers
    try:
        result = deps.payments.retrieve(checkout.intent_reference)
    except (ProcessorUnavailable, LookupError):
        return CheckoutOutcome("processing", checkout.id, code="processing")
    return apply_payment_result(uow, deps, checkout.id, result)


def finalize_paid_checkout(uow: UnitOfWork, deps: Dependencies, checkout_id: str, *, authorization: str | None,
                           intent_reference: str | None, now: datetime) -> Invoice:
    """Issue the invoice, credit the bank, count the promo, empty the cart — once.

    Locks the checkout row, then the invoice counter, then (in grant_purchase) the group's bank:
    every purchase takes them in this order. A checkout already paid returns its invoice.
    """
    checkout = uow.checkouts.get(checkout_id, lock=True)
    if checkout is None:
        raise checkout_not_found()
    if checkout.is_paid:
        existing = uow.invoices.get(checkout.invoice_id or "")
        if existing is None:
            raise already_paid()
        return existing
    if checkout.address is None:
        raise no_address()
    group = uow.companies.group(checkout.group_id)
    on_invoice = checkout.payment_mode == PaymentMode.INVOICE
    invoice = Invoice(
        id=new_id(), number=uow.invoices.next_number(), group_id=checkout.group_id, company_id=checkout.company_id,
        company_name=group.company_name if group else "", group_name=group.name if group else "",
        checkout_id=checkout.id, buyer_account_id=checkout.buyer_account_id, buyer_email=checkout.buyer_email,
        issued_at=now, status=InvoiceStatus.UNPAID if on_invoice else InvoiceStatus.PAID,
        lines=tuple(checkout.lines), billing_address=checkout.address.lines(), purchase_order=checkout.purchase_order,
        note=checkout.note, promo_code=checkout.promo_code,
        due_on=(now.astimezone(QUEBEC).date() + timedelta(days=deps.config.invoice_terms_days)) if on_invoice else None,
        paid_at=None if on_invoice else now, card_brand=None if on_invoice else checkout.card_brand,
        card_last4=None if on_invoice else checkout.card_last4, authorization=authorization, currency=CURRENCY)
    uow.invoices.add(invoice)
    checkout.mark_paid(invoice_id=invoice.id, authorization=authorization,
                       intent_reference=intent_reference or checkout.intent_reference, now=now)
    uow.checkouts.save(checkout)
    granted: dict[str, int] = defaultdict(int)
    for line in checkout.lines:
        if is_credit_type(line.credit_type):
            granted[line.credit_type] += line.credits * line.quantity
    for credit_type, quantity in granted.items():
        credits.grant_purchase(uow, group_id=checkout.group_id, company_id=checkout.company_id,
                               credit_type=credit_type, quantity=quantity, invoice_id=invoice.id,
                               actor_account_id=checkout.buyer_account_id, now=now)
    for line in checkout.lines:
        if line.quote_id:
            uow.quotes.mark_bought(line.quote_id, checkout.id)
    if checkout.promo_code:
        uow.promo_codes.record_use(checkout.promo_code, checkout.id, checkout.group_id, now)
    cart = uow.carts.get(checkout.group_id)
    if cart is not None and cart.lines:
        cart.empty(now)
        uow.carts.save(cart)
    _emit_invoice_issued(uow, deps, invoice, checkout.locale)
    return invoice


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _emit_invoice_issued(uow: UnitOfWork, deps: Dependencies, invoice: Invoice, locale: str) -> None:
    quote = invoice.quote()
    buyer = invoice.buyer_email.lower()
    copy_to = sorted({email for email in uow.invoice_copies.emails_for(invoice.group_id) if email.lower() != buyer})
    due = {"due_on": invoice.due_on.isoformat()} if invoice.due_on else {}
    uow.emit("billing.invoice.issued", {**due,
        "invoice_id": invoice.id, "number": invoice.number, "group_id": invoice.group_id,
        "company_id": invoice.company_id, "company_name": invoice.company_name, "group_name": invoice.group_name,
        "issued_at": invoice.issued_at.isoformat().replace("+00:00", "Z"), "status": str(invoice.status),
        "currency": invoice.currency, "subtotal": _money(quote.subtotal), "discount": _money(quote.discount),
        "gst": _money(quote.gst), "qst": _money(quote.qst), "total": _money(quote.total),
        "buyer_email": invoice.buyer_email, "copy_to": copy_to, "locale": locale,
        "url": f"{deps.config.public_url.rstrip('/')}/employeur/transactions/{invoice.id}",
    })


# Webhooks --------------------------------------------------------------------------------------
def record_payment_event(cmd: c.RecordPaymentEvent, uow: UnitOfWork, deps: Dependencies) -> bool:
    """A verified webhook: finalize an open checkout once; duplicates and stale events change
    nothing (the event id is kept; a failure after a success, or for an older attempt, is ignored).
    True when it changed something."""
    now = deps.clock.now()
    if not uow.payment_events.add(cmd.processor, cmd.event_id, cmd.type, cmd.checkout_id, cmd.created, now):
        return False
    checkout = uow.checkouts.get(cmd.checkout_id, lock=True) if cmd.checkout_id else None
    if checkout is None and cmd.intent_reference:
        checkout = uow.checkouts.by_intent(cmd.intent_reference)
    if checkout is None or checkout.is_paid:
        return False
    if cmd.type == "payment.succeeded":
        finalize_paid_checkout(uow, deps, checkout.id, authorization=cmd.authorization,
                               intent_reference=cmd.intent_reference, now=now)
        return True
    if cmd.type != "payment.failed":
        return False
    if checkout.intent_reference and checkout.intent_reference != cmd.intent_reference:
        return False  # an earlier attempt's failure: the buyer has moved on
    last = checkout.attempts[-1] if checkout.attempts else None
    if last is not None and last.status in ("declined", "failed") and last.intent_reference == cmd.intent_reference:
        return False  # the charge already told us
    checkout.payment_refused("declined" if cmd.status == "declined" else "failed", cmd.code, now,
                             cmd.intent_reference)
    uow.checkouts.save(checkout)
    return True


HANDLERS = {
    c.AddToCart: add_to_cart,
    c.RemoveFromCart: remove_from_cart,
    c.StartCheckout: start_checkout,
    c.UpdateCheckout: update_checkout,
    c.AttachPaymentMethod: attach_payment_method,
    c.CompleteCheckout: complete_checkout,
    c.ResumeCheckout: resume_checkout,
    c.RecordPaymentEvent: record_payment_event,
}
