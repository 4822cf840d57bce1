"""In-memory stand-ins of catalog-billing's ports, for unit tests through the bus.

`FakeBillingUnitOfWork` subclasses plumbing's FakeUnitOfWork with [core]'s repositories; other
parts add theirs in a subclass. `FakeCatalog` is a tiny catalog with the fields the API reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from catalog_billing.config import BillingConfig
from catalog_billing.domain.ledger import CreditBank, CreditEntry, Reservation
from catalog_billing.service_layer.handlers import COMMAND_HANDLERS
from catalog_billing.service_layer.ports import Dependencies, Quote
from plumbing import fakes
from plumbing.clock import FixedClock
from plumbing.messagebus import MessageBus

T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def new_uuid() -> str:
    return str(uuid.uuid4())


class FakeCredits:
    def __init__(self) -> None:
        self.banks: dict[str, CreditBank] = {}
        self.rows: list[CreditEntry] = []
        self.reservations: dict[tuple[str, str], Reservation] = {}
        self.locked: list[str] = []

    def lock_bank(self, group_id: str) -> CreditBank | None:
        self.locked.append(group_id)
        return self.banks.get(group_id)

    def ensure_bank(self, group_id: str, company_id: str, now: datetime) -> CreditBank:
        self.banks.setdefault(group_id, CreditBank(group_id, company_id))
        return self.lock_bank(group_id)  # type: ignore[return-value]

    def balance(self, group_id: str, credit_type: str) -> int:
        return sum(e.delta for e in self.rows if e.group_id == group_id and e.credit_type == credit_type)

    def balances(self, group_id: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for e in self.rows:
            if e.group_id == group_id:
                found[e.credit_type] = found.get(e.credit_type, 0) + e.delta
        return dict(sorted(found.items()))

    def add_entry(self, entry: CreditEntry) -> None:
        self.rows.append(entry)

    def entries(self, group_id: str, *, limit: int = 200, offset: int = 0) -> Sequence[CreditEntry]:
        mine = [e for e in reversed(self.rows) if e.group_id == group_id]
        return mine[offset:offset + limit]

    def get_reservation(self, offer_id: str, credit_type: str, *, lock: bool = False) -> Reservation | None:
        found = self.reservations.get((offer_id, credit_type))
        return replace(found) if found else None  # a copy, as a database row would be

    def add_reservation(self, reservation: Reservation) -> None:
        self.reservations[(reservation.offer_id, reservation.credit_type)] = replace(reservation)

    def save_reservation(self, reservation: Reservation) -> None:
        self.reservations[(reservation.offer_id, reservation.credit_type)] = replace(reservation)


class FakeQuotes:
    def __init__(self) -> None:
        self.rows: dict[str, Quote] = {}

    def add(self, quote: Quote) -> None:
        self.rows[quote.id] = quote

    def get(self, quote_id: str) -> Quote | None:
        return self.rows.get(quote_id)

    def mark_bought(self, quote_id: str, checkout_id: str) -> None:
        self.rows[quote_id] = replace(self.rows[quote_id], checkout_id=checkout_id)


class FakeMemberships:
    def __init__(self) -> None:
        self.roles: dict[tuple[str, str], str] = {}

    def role_of(self, account_id: str, group_id: str) -> str | None:
        return self.roles.get((account_id, group_id))

    def groups_of(self, account_id: str) -> list[dict[str, str]]:
        return [{"id": g, "name": "", "company_name": "", "role": r} for (a, g), r in self.roles.items()
                if a == account_id]


class FakeBillingUnitOfWork(fakes.FakeUnitOfWork):
    def __init__(self, dispatch: Any = None) -> None:
        super().__init__(dispatch)
        self.credits = FakeCredits()
        self.quotes = FakeQuotes()
        self.memberships = FakeMemberships()


@dataclass(frozen=True)
class FakeProduct:
    code: str
    kind: str
    credit_type: str | None
    credits: int
    unit_price: Decimal
    quoted: bool = False
    per_person_price: Decimal | None = None

    def name(self, locale: str) -> str:
        return f"{self.code} ({locale})"

    def summary(self, locale: str) -> str:
        return f"{self.code} summary ({locale})"


class FakeCatalog:
    def __init__(self) -> None:
        self.products = {p.code: p for p in (
            FakeProduct("ing-5", "forfait", "ing", 5, Decimal("1250.00")),
            FakeProduct("envoi-regions", "optimization", None, 0, Decimal("300.00"), quoted=True,
                        per_person_price=Decimal("2.00")),
        )}

    def get(self, code: str) -> FakeProduct:
        return self.products[code]


def deps(clock: FixedClock | None = None) -> Dependencies:
    return Dependencies(clock=clock or FixedClock(T0), config=BillingConfig(), catalog=FakeCatalog(),
                        payments=None)  # type: ignore[arg-type]


def fake_bus(uow: FakeBillingUnitOfWork | None = None,
             clock: FixedClock | None = None) -> tuple[MessageBus[Dependencies], FakeBillingUnitOfWork]:
    uow = uow or FakeBillingUnitOfWork()
    return MessageBus(lambda dispatch: uow, deps(clock), commands=COMMAND_HANDLERS), uow
