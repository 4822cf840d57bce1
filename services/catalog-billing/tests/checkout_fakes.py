"""[checkout] in-memory repositories and a fake card processor, on top of [staff]'s fake unit of work,
for unit tests of the cart, the caisse and the payment through the bus."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from billing_fakes import T0
from staff_fakes import FakeStaffUnitOfWork

from catalog_billing.config import BillingConfig
from catalog_billing.domain.cart import Cart
from catalog_billing.domain.catalog import load_catalog
from catalog_billing.domain.checkout import BillingAddress, Checkout, Invoice, format_invoice_number
from catalog_billing.domain.promo import PromoCode
from catalog_billing.service_layer.handlers import COMMAND_HANDLERS
from catalog_billing.service_layer.payments import (
    PaymentEvent,
    PaymentMethod,
    PaymentResult,
    PaymentStatus,
    ProcessorUnavailable,
)
from catalog_billing.service_layer.ports import Dependencies
from plumbing.clock import FixedClock
from plumbing.messagebus import MessageBus

CATALOG = load_catalog(BillingConfig().catalog_file)


class FakeCarts:
    def __init__(self) -> None:
        self.rows: dict[str, Cart] = {}

    def get(self, group_id: str) -> Cart | None:
        found = self.rows.get(group_id)
        return copy.deepcopy(found) if found else None

    def save(self, cart: Cart) -> None:
        self.rows[cart.group_id] = copy.deepcopy(cart)


class FakeCheckouts:
    def __init__(self) -> None:
        self.rows: dict[str, Checkout] = {}
        self.locked: list[str] = []

    def get(self, checkout_id: str, *, lock: bool = False) -> Checkout | None:
        if lock:
            self.locked.append(checkout_id)
        found = self.rows.get(checkout_id)
        return copy.deepcopy(found) if found else None

    def by_intent(self, intent_reference: str) -> Checkout | None:
        for row in self.rows.values():
            if row.intent_reference == intent_reference:
                return copy.deepcopy(row)
        return None

    def add(self, checkout: Checkout) -> None:
        self.rows[checkout.id] = copy.deepcopy(checkout)

    save = add


class FakeAddresses:
    def __init__(self) -> None:
        self.rows: dict[str, BillingAddress] = {}

    def for_company(self, company_id: str) -> list[BillingAddress]:
        return [a for a in self.rows.values() if a.company_id == company_id]

    def get(self, address_id: str) -> BillingAddress | None:
        return self.rows.get(address_id)

    def add(self, address: BillingAddress) -> None:
        self.rows[address.id] = address


class FakeCheckoutPromoCodes:
    def __init__(self) -> None:
        self.rows: dict[str, PromoCode] = {}
        self.uses: dict[str, str] = {}  # checkout id → code

    def get(self, code: str, *, lock: bool = False) -> PromoCode | None:
        promo = self.rows.get(code)
        if promo is None:
            return None
        from dataclasses import replace

        return replace(promo, uses=sum(1 for c in self.uses.values() if c == code))

    def add(self, promo: PromoCode) -> None:
        self.rows[promo.code] = promo

    def list(self) -> list[PromoCode]:
        return [p for p in (self.get(c) for c in sorted(self.rows)) if p]

    def record_use(self, code: str, checkout_id: str, group_id: str, now: datetime) -> None:
        assert checkout_id not in self.uses
        self.uses[checkout_id] = code


class FakeCheckoutInvoices:
    def __init__(self) -> None:
        self.rows: dict[str, Invoice] = {}
        self.last = 0

    def next_number(self) -> str:
        self.last += 1
        return format_invoice_number(self.last)

    def add(self, invoice: Invoice) -> None:
        self.rows[invoice.id] = invoice

    def get(self, invoice_id: str) -> Invoice | None:
        return self.rows.get(invoice_id)

    def for_group(self, group_id: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        mine = sorted((i for i in self.rows.values() if i.group_id == group_id), key=lambda i: i.number, reverse=True)
        return [{"id": i.id, "number": i.number, "total": i.quote().total} for i in mine][offset:offset + limit]

    def count_for_group(self, group_id: str) -> int:
        return sum(1 for i in self.rows.values() if i.group_id == group_id)

    def numbers(self, invoice_ids: Iterable[str]) -> dict[str, str]:
        return {i: self.rows[i].number for i in invoice_ids if i in self.rows}


class FakePaymentEvents:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str]] = set()

    def add(self, processor: str, event_id: str, event_type: str, checkout_id: str | None, created: int,
            now: datetime) -> bool:
        if (processor, event_id) in self.seen:
            return False
        self.seen.add((processor, event_id))
        return True


class FakeCheckoutUnitOfWork(FakeStaffUnitOfWork):
    def __init__(self, dispatch: Any = None) -> None:
        super().__init__(dispatch)
        self.carts = FakeCarts()
        self.checkouts = FakeCheckouts()
        self.addresses = FakeAddresses()
        self.promo_codes = FakeCheckoutPromoCodes()
        self.invoices = FakeCheckoutInvoices()
        self.payment_events = FakePaymentEvents()


# The card processor ------------------------------------------------------------------------------
#: Payment-method references the fake knows, by what they do (like the sandbox's test cards).
CARDS = {
    "pm_ok": ("Visa", "4242", PaymentStatus.SUCCEEDED, None),
    "pm_declined": ("Visa", "0002", PaymentStatus.DECLINED, "generic_decline"),
    "pm_funds": ("Mastercard", "9995", PaymentStatus.DECLINED, "insufficient_funds"),
    "pm_3ds": ("Visa", "3155", PaymentStatus.REQUIRES_ACTION, None),
    "pm_error": ("Visa", "0119", PaymentStatus.FAILED, "api_error"),
    "pm_processing": ("Visa", "0077", PaymentStatus.PROCESSING, None),
}


@dataclass
class FakeProcessor:
    """Behaves like a processor: one payment per idempotency key, whatever the number of calls."""

    name: str = "sandbox"
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: int = 0
    #: How many next charge calls time out (after the processor did the work, as a real timeout can).
    timeouts: int = 0
    authenticated: set[str] = field(default_factory=set)

    def card_form_url(self, *, return_url: str, state: str, locale: str) -> str:
        return f"https://processor.test/form?state={state}"

    def describe_method(self, reference: str) -> PaymentMethod:
        if reference not in CARDS:
            raise LookupError(reference)
        brand, last4, _, _ = CARDS[reference]
        return PaymentMethod(reference, brand, last4, 12, 2034)

    def charge(self, *, amount_cents: int, currency: str, method_reference: str, idempotency_key: str,
               description: str, metadata: Mapping[str, str], return_url: str) -> PaymentResult:
        self.calls += 1
        if idempotency_key not in self.charges:
            _, _, status, code = CARDS[method_reference]
            intent = "pi_" + uuid.uuid4().hex[:12]
            self.charges[idempotency_key] = {"intent": intent, "amount": amount_cents, "status": status, "code": code,
                                             "metadata": dict(metadata)}
        if self.timeouts:
            self.timeouts -= 1
            raise ProcessorUnavailable("timeout")
        return self._result(self.charges[idempotency_key])

    def _result(self, charge: dict[str, Any]) -> PaymentResult:
        status = charge["status"]
        if status == PaymentStatus.REQUIRES_ACTION and charge["intent"] in self.authenticated:
            status = PaymentStatus.SUCCEEDED
        return PaymentResult(status, intent_reference=charge["intent"],
                             authorization="AUTH1" if status == PaymentStatus.SUCCEEDED else None,
                             next_action_url=f"https://processor.test/3ds/{charge['intent']}"
                             if status == PaymentStatus.REQUIRES_ACTION else None,
                             code=charge["code"], amount_cents=charge["amount"], metadata=charge["metadata"])

    def retrieve(self, intent_reference: str) -> PaymentResult:
        for charge in self.charges.values():
            if charge["intent"] == intent_reference:
                return self._result(charge)
        raise LookupError(intent_reference)

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        raise NotImplementedError

    @property
    def charged(self) -> list[dict[str, Any]]:
        """Payments that took money (one per key)."""
        return [c for c in self.charges.values()
                if c["status"] == PaymentStatus.SUCCEEDED or c["intent"] in self.authenticated]


def checkout_bus(uow: FakeCheckoutUnitOfWork | None = None, processor: FakeProcessor | None = None,
                 clock: FixedClock | None = None) -> tuple[MessageBus[Dependencies], FakeCheckoutUnitOfWork]:
    uow = uow or FakeCheckoutUnitOfWork()
    deps = Dependencies(clock=clock or FixedClock(T0), config=BillingConfig(), catalog=CATALOG,
                        payments=processor or FakeProcessor())  # type: ignore[arg-type]
    return MessageBus(lambda dispatch: uow, deps, commands=COMMAND_HANDLERS), uow
