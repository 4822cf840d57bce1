"""Commands of catalog-billing: one frozen dataclass each, one section per part (DESIGN.md).
One handler each (handlers.COMMAND_HANDLERS)."""

from __future__ import annotations

from dataclasses import dataclass

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
