"""Repositories of [core] over SQLAlchemy Core: the credit ledger and quotes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog_billing.adapters.orm import credit_banks, credit_entries, credit_reservations, quotes
from catalog_billing.domain.ledger import CreditBank, CreditEntry, Reservation
from catalog_billing.service_layer.ports import Quote

_RESERVATION_FIELDS = ("offer_id", "credit_type", "group_id", "status", "reserved_at", "consumed_at",
                       "released_at", "actor_account_id")
_ENTRY_FIELDS = ("id", "group_id", "credit_type", "delta", "reason", "created_at", "offer_id", "invoice_id",
                 "counterpart_group_id", "actor_account_id")


class SqlCreditRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _locking(self, statement: Any) -> Any:
        # PostgreSQL: a row lock until the transaction ends. SQLite has none and needs none: it
        # serialises writers (the first write takes the database lock).
        return statement.with_for_update() if self.session.bind.dialect.name == "postgresql" else statement

    def lock_bank(self, group_id: str) -> CreditBank | None:
        row = self.session.execute(self._locking(
            select(credit_banks.c.group_id, credit_banks.c.company_id).where(credit_banks.c.group_id == group_id)
        )).first()
        return CreditBank(row.group_id, row.company_id) if row else None

    def ensure_bank(self, group_id: str, company_id: str, now: datetime) -> CreditBank:
        bank = self.lock_bank(group_id)
        if bank is not None:
            return bank
        try:
            with self.session.begin_nested():  # another writer may create it at the same moment
                self.session.execute(insert(credit_banks).values(group_id=group_id, company_id=company_id,
                                                                 created_at=now))
        except IntegrityError:
            pass
        bank = self.lock_bank(group_id)
        assert bank is not None
        return bank

    def balance(self, group_id: str, credit_type: str) -> int:
        t = credit_entries.c
        return int(self.session.execute(
            select(func.coalesce(func.sum(t.delta), 0)).where((t.group_id == group_id) & (t.credit_type == credit_type))
        ).scalar_one())

    def balances(self, group_id: str) -> dict[str, int]:
        t = credit_entries.c
        rows = self.session.execute(
            select(t.credit_type, func.sum(t.delta)).where(t.group_id == group_id).group_by(t.credit_type)
            .order_by(t.credit_type)).all()
        return {credit_type: int(total) for credit_type, total in rows}

    def add_entry(self, entry: CreditEntry) -> None:
        self.session.execute(insert(credit_entries).values({f: getattr(entry, f) for f in _ENTRY_FIELDS}))

    def entries(self, group_id: str, *, limit: int = 200, offset: int = 0) -> Sequence[CreditEntry]:
        t = credit_entries.c
        rows = self.session.execute(
            select(*(getattr(t, f) for f in _ENTRY_FIELDS)).where(t.group_id == group_id)
            .order_by(t.created_at.desc(), t.id).limit(limit).offset(offset)).mappings().all()
        return [CreditEntry(**row) for row in rows]

    def get_reservation(self, offer_id: str, credit_type: str, *, lock: bool = False) -> Reservation | None:
        t = credit_reservations.c
        statement = select(*(getattr(t, f) for f in _RESERVATION_FIELDS)).where(
            (t.offer_id == offer_id) & (t.credit_type == credit_type))
        row = self.session.execute(self._locking(statement) if lock else statement).mappings().first()
        return Reservation(**row) if row else None

    def add_reservation(self, reservation: Reservation) -> None:
        self.session.execute(insert(credit_reservations).values(
            {f: getattr(reservation, f) for f in _RESERVATION_FIELDS}))

    def save_reservation(self, reservation: Reservation) -> None:
        t = credit_reservations.c
        self.session.execute(update(credit_reservations).where(
            (t.offer_id == reservation.offer_id) & (t.credit_type == reservation.credit_type)
        ).values({f: getattr(reservation, f) for f in _RESERVATION_FIELDS[2:]}))


class SqlQuoteRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, quote: Quote) -> None:
        self.session.execute(insert(quotes).values(quote.__dict__))

    def get(self, quote_id: str) -> Quote | None:
        row = self.session.execute(select(quotes).where(quotes.c.id == quote_id)).mappings().first()
        return Quote(**row) if row else None

    def mark_bought(self, quote_id: str, checkout_id: str) -> None:
        """[checkout] The quote was paid by this checkout: it cannot go in a cart again."""
        self.session.execute(update(quotes).where(quotes.c.id == quote_id).values(checkout_id=checkout_id))
