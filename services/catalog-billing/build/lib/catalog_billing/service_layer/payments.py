"""The payment processor port: what checkout needs from a card processor, and nothing about cards.

Card data never reaches our services. As with Stripe Elements, the buyer types the card into the
processor's own form (`card_form_url`), which sends the browser back to us with a payment-method
reference; checkout only ever handles that reference, the brand and the last four digits.

Adapters (chosen by `CATALOG_BILLING_PAYMENT_PROCESSOR`, built by `adapters.payments.build_processor`):
`sandbox` (the development processor, `catalog_billing.devtools.payment_sandbox`, its own
process) and `stripe` (PaymentIntents).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    #: The bank wants a second step (3-D Secure): send the buyer to `next_action_url`.
    REQUIRES_ACTION = "requires_action"
    #: Accepted by the processor but not final yet; a webhook or `retrieve` will tell.
    PROCESSING = "processing"
    DECLINED = "declined"
    #: The processor refused the request itself (its own error, not the card's).
    FAILED = "failed"


@dataclass(frozen=True)
class PaymentMethod:
    """What we may keep of a card: the processor's reference, brand, last four, expiry."""

    reference: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    #: The processor's payment reference (PaymentIntent id); None when nothing was created.
    intent_reference: str | None = None
    #: The authorisation reference of a successful charge.
    authorization: str | None = None
    next_action_url: str | None = None
    #: The processor's machine code for a decline or failure (e.g. `card_declined`, `insufficient_funds`).
    code: str | None = None
    amount_cents: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PaymentEvent:
    """A verified webhook: `type` is `payment.succeeded` or `payment.failed` (adapters map theirs)."""

    event_id: str
    type: str
    intent_reference: str
    #: What we sent with the charge; `checkout_id` finds the order.
    metadata: Mapping[str, str]
    #: Seconds since the epoch, from the processor: events can arrive out of order.
    created: int
    result: PaymentResult


class ProcessorUnavailable(Exception):
    """Timeout, connection error or 5xx: the outcome is unknown; retry with the same idempotency key."""


class InvalidWebhook(Exception):
    """Bad signature, stale timestamp or unreadable body: answer 400, change nothing."""


class PaymentProcessor(Protocol):
    name: str

    def card_form_url(self, *, return_url: str, state: str, locale: str) -> str:
        """The processor's card form; it redirects to `return_url` with `payment_method` and `state`."""

    def describe_method(self, reference: str) -> PaymentMethod:
        """Brand, last four and expiry of a payment method (raises LookupError when unknown)."""

    def charge(self, *, amount_cents: int, currency: str, method_reference: str, idempotency_key: str,
               description: str, metadata: Mapping[str, str], return_url: str) -> PaymentResult:
        """Create and confirm one payment. The same idempotency key never charges twice."""

    def retrieve(self, intent_reference: str) -> PaymentResult:
        """The payment's current state (after a second step, or when a charge timed out)."""

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Verify the signature (raises InvalidWebhook) and read the event."""
