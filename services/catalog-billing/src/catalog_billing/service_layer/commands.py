"""Commands of catalog-billing: one frozen dataclass each, one section per part (DESIGN.md).
One handler each (handlers.COMMAND_HANDLERS)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog_billing.domain.promo import PromoCode
from catalog_billing.service_layer.access import Actor


# credits
# The credit API of the offers service, idempotent on (offer_id, credit_type). The handler checks
# the actor: staff, or a member whose role carries create_publish_offers in the group.
@dataclass(frozen=True)
class ReserveCredit:
    offer_id: str
    credit_type: str
    group_id: str
    actor: Actor


@dataclass(frozen=True)
class ConsumeCredit:
    offer_id: str
    credit_type: str
    actor: Actor


@dataclass(frozen=True)
class ReleaseCredit:
    offer_id: str
    credit_type: str
    actor: Actor


@dataclass(frozen=True)
class CreateQuote:
    """A price for a quoted product (envoi personnalisé) for one offer: base + per person reached."""

    group_id: str
    offer_id: str
    product_code: str
    persons: int
    actor: Actor


# payments
@dataclass(frozen=True)
class RecordPaymentEvent:
    """A verified processor webhook (`payment.succeeded` or `payment.failed`) for a checkout.

    Sent by entrypoints/webhooks.receive. Events arrive late, twice and out of order: the handler
    keeps processed `event_id`s, finalizes an open checkout once, and ignores a failure that comes
    after a success (`created` is the processor's clock, seconds since the epoch).
    """

    processor: str
    event_id: str
    #: `payment.succeeded` or `payment.failed`.
    type: str
    #: The processor's payment reference (PaymentIntent id).
    intent_reference: str
    #: From the charge's metadata; None when the payment is not one of our checkouts.
    checkout_id: str | None
    created: int
    #: A `PaymentStatus` value: succeeded, declined, processing, failed…
    status: str
    #: The authorisation reference when the payment succeeded.
    authorization: str | None = None
    #: The processor's decline or failure code (`card_declined`, `insufficient_funds`…).
    code: str | None = None
    amount_cents: int | None = None


# staff
# OIQ staff tools (pages under /moderation/facturation, each form with an idempotency key) and the
# Responsable principal.e's opt-in to invoice copies.
@dataclass(frozen=True)
class SetInvoicePaymentEligibility:
    """Staff: the company may (or may no longer) pay on invoice; who decided is recorded."""

    company_id: str
    eligible: bool
    staff_account_id: str
    staff_email: str


@dataclass(frozen=True)
class StaffTransferCredits:
    """Staff: move credits between two groups of the company (credits.transfer_credits)."""

    company_id: str
    from_group_id: str
    to_group_id: str
    credit_type: str
    quantity: int
    staff_account_id: str


@dataclass(frozen=True)
class CreatePromoCode:
    promo: PromoCode
    staff_account_id: str


@dataclass(frozen=True)
class SetInvoiceCopy:
    """The group's Responsable principal.e asks (or stops asking) for a copy of every invoice."""

    group_id: str
    account_id: str
    email: str
    subscribed: bool


# checkout
# The buyer's steps, from the pages (entrypoints/web.py). `actor` must carry buy_products in the
# group (or, for views, view_transactions).
@dataclass(frozen=True)
class AddToCart:
    actor: Actor
    group_id: str
    product_code: str
    quantity: int = 1
    #: A quoted product (envoi personnalisé): the quote sets the price and the product.
    quote_id: str | None = None


@dataclass(frozen=True)
class RemoveFromCart:
    actor: Actor
    group_id: str
    line_id: str


@dataclass(frozen=True)
class CheckoutDetails:
    """What the caisse form says. `address_id` picks a known address; `new_address` (name, street,
    city, province, postal_code, country) adds one instead."""

    address_id: str | None = None
    new_address: dict[str, str] | None = None
    note: str = ""
    purchase_order: str = ""
    promo_code: str = ""
    payment_mode: str = "card"


@dataclass(frozen=True)
class StartCheckout:
    """Snapshot the group's cart (lines, prices, promo) with the caisse form's details."""

    actor: Actor
    group_id: str
    buyer_email: str
    locale: str
    details: CheckoutDetails


@dataclass(frozen=True)
class UpdateCheckout:
    actor: Actor
    checkout_id: str
    details: CheckoutDetails


@dataclass(frozen=True)
class AttachPaymentMethod:
    """The processor's card form sent the buyer back with a payment-method reference."""

    actor: Actor
    checkout_id: str
    method_reference: str


@dataclass(frozen=True)
class CompleteCheckout:
    actor: Actor
    checkout_id: str
    #: The key rendered in the review form: a stale form (another card since) is refused.
    idempotency_key: str
    accept_terms: bool
    accept_billing: bool
    #: Where the processor sends the buyer back after a second step (3-D Secure).
    return_url: str


@dataclass(frozen=True)
class ResumeCheckout:
    """Back from the processor's second step: ask the processor how the payment ended."""

    actor: Actor
    checkout_id: str
