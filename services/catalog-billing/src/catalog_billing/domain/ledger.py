"""The credit bank of a group: a ledger, never a counter (DESIGN.md, "Products and credits").

Every movement is one `CreditEntry` (delta ±n, with its reason and what it refers to); the
balance of a (group, credit type) is the sum of its entries. A `Reservation` ties one credit of a
type to one offer, idempotent on (offer id, credit type): reserving writes an `applied` −1 entry,
consuming marks it consumed (no entry: the credit is spent), releasing an unconsumed reservation
writes a `released` +1 entry. Pure Python: rules only, no storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CreditType(StrEnum):
    ING = "ing"
    CPI = "cpi"
    VEDETTE = "vedette"
    EXTENSION = "extension"
    ENVOI_REGIONS = "envoi-regions"
    ENVOI_PARTOUT = "envoi-partout"


CREDIT_TYPES: tuple[str, ...] = tuple(t.value for t in CreditType)


class Reason(StrEnum):
    PURCHASE = "purchase"
    APPLIED = "applied"
    RELEASED = "released"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    REFUND = "refund"


#: The sign each reason's delta must have.
SIGN: dict[Reason, int] = {
    Reason.PURCHASE: 1, Reason.APPLIED: -1, Reason.RELEASED: 1,
    Reason.TRANSFER_IN: 1, Reason.TRANSFER_OUT: -1, Reason.REFUND: -1,
}


def is_credit_type(value: str) -> bool:
    return value in CREDIT_TYPES


@dataclass(frozen=True)
class CreditBank:
    """The row a writer locks before it sums (one per group that ever held a credit)."""

    group_id: str
    company_id: str


@dataclass(frozen=True)
class CreditEntry:
    id: str
    group_id: str
    credit_type: str
    delta: int
    reason: str
    created_at: datetime
    offer_id: str | None = None
    invoice_id: str | None = None
    counterpart_group_id: str | None = None
    actor_account_id: str | None = None

    def __post_init__(self) -> None:
        if self.delta == 0 or (self.delta > 0) != (SIGN[Reason(self.reason)] > 0):
            raise ValueError(f"a {self.reason} entry cannot move {self.delta}")


class ReservationStatus(StrEnum):
    RESERVED = "reserved"
    CONSUMED = "consumed"
    RELEASED = "released"


@dataclass
class Reservation:
    """One credit of `credit_type` held for `offer_id` (unique on the pair)."""

    offer_id: str
    credit_type: str
    group_id: str
    status: str
    reserved_at: datetime
    consumed_at: datetime | None = None
    released_at: datetime | None = None
    actor_account_id: str | None = None

    @property
    def holds_credit(self) -> bool:
        """True while the reservation keeps a credit out of the bank (reserved or consumed)."""
        return self.status != ReservationStatus.RELEASED


def balance_of(entries: list[CreditEntry], credit_type: str) -> int:
    """The rule the database applies with SUM(delta) (tests compare both)."""
    return sum(e.delta for e in entries if e.credit_type == credit_type)
