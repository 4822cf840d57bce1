"""The credit bank's writes and reads, used by the credit handlers and inside other handlers
(checkout's `finalize_paid_checkout`, staff transfers) in the caller's unit of work.

Concurrency: every writer locks the group's `credit_banks` row (`uow.credits.lock_bank`, SELECT …
FOR UPDATE on PostgreSQL; SQLite serialises writers) before it sums, so two reservations against
the last credit cannot both see it (docs/decisions.md, "Credit bank: ledger, reservations, locks").
Each function emits its `billing.credit.*` event in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from catalog_billing.domain import errors
from catalog_billing.domain.ledger import (
    CreditEntry,
    Reason,
    Reservation,
    ReservationStatus,
    is_credit_type,
)
from catalog_billing.service_layer.ports import UnitOfWork


def new_id() -> str:
    return str(uuid.uuid4())


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _check(credit_type: str, quantity: int = 1) -> None:
    if not is_credit_type(credit_type):
        raise errors.unknown_credit_type(credit_type)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise errors.invalid_quantity()


def grant_purchase(uow: UnitOfWork, *, group_id: str, company_id: str, credit_type: str, quantity: int,
                   invoice_id: str, actor_account_id: str | None, now: datetime) -> CreditEntry:
    """Credit the group's bank with `quantity` credits bought on `invoice_id` (a `purchase` entry)."""
    _check(credit_type, quantity)
    uow.credits.ensure_bank(group_id, company_id, now)
    entry = CreditEntry(new_id(), group_id, credit_type, quantity, Reason.PURCHASE, now, invoice_id=invoice_id,
                        actor_account_id=actor_account_id)
    uow.credits.add_entry(entry)
    uow.emit("billing.credit.purchased", {
        "group_id": group_id, "company_id": company_id, "credit_type": credit_type, "quantity": quantity,
        "invoice_id": invoice_id, "entry_id": entry.id,
        "balance": uow.credits.balance(group_id, credit_type), "purchased_at": _instant(now)})
    return entry


def transfer_credits(uow: UnitOfWork, *, from_group_id: str, to_group_id: str, credit_type: str, quantity: int,
                     actor_account_id: str, now: datetime) -> tuple[CreditEntry, CreditEntry]:
    """Move credits between two groups of one company (staff): `transfer_out` and `transfer_in`.

    Raises `errors.NotEnoughCredits` when the source holds fewer than `quantity`. Both banks are
    locked in a fixed order (group id) so two opposite transfers cannot deadlock.
    """
    _check(credit_type, quantity)
    if from_group_id == to_group_id:
        raise errors.same_group()
    locked = {g: uow.credits.lock_bank(g) for g in sorted((from_group_id, to_group_id))}
    source = locked[from_group_id]
    available = uow.credits.balance(from_group_id, credit_type) if source is not None else 0
    if source is None or available < quantity:
        raise errors.NotEnoughCredits(credit_type, available, quantity)
    target = locked[to_group_id] or uow.credits.ensure_bank(to_group_id, source.company_id, now)
    if target.company_id != source.company_id:
        raise errors.other_company()
    out = CreditEntry(new_id(), from_group_id, credit_type, -quantity, Reason.TRANSFER_OUT, now,
                      counterpart_group_id=to_group_id, actor_account_id=actor_account_id)
    into = CreditEntry(new_id(), to_group_id, credit_type, quantity, Reason.TRANSFER_IN, now,
                       counterpart_group_id=from_group_id, actor_account_id=actor_account_id)
    uow.credits.add_entry(out)
    uow.credits.add_entry(into)
    uow.emit("billing.credit.transferred", {
        "from_group_id": from_group_id, "to_group_id": to_group_id, "company_id": source.company_id,
        "credit_type": credit_type, "quantity": quantity, "actor_account_id": actor_account_id,
        "transferred_at": _instant(now)})
    return out, into


def balances(uow: UnitOfWork, group_id: str) -> dict[str, int]:
    """Credits left per type (only the types the group ever had)."""
    return uow.credits.balances(group_id)


@dataclass(frozen=True)
class ReservationResult:
    reservation: Reservation
    #: True when this call changed something (a new reservation, a consumption, a release).
    changed: bool


def reserve(uow: UnitOfWork, *, offer_id: str, credit_type: str, group_id: str, actor_account_id: str,
            now: datetime) -> ReservationResult:
    """Hold one credit for the offer: an `applied` −1 entry. Again for the same offer and type: the
    same reservation, nothing written. A released reservation is reserved anew (a new entry)."""
    _check(credit_type)
    bank = uow.credits.lock_bank(group_id)
    current = uow.credits.get_reservation(offer_id, credit_type, lock=True)
    if current is not None and current.group_id != group_id:
        raise errors.reservation_of_other_group()
    if current is not None and current.holds_credit:
        return ReservationResult(current, changed=False)
    available = uow.credits.balance(group_id, credit_type) if bank is not None else 0
    if bank is None or available < 1:
        raise errors.NotEnoughCredits(credit_type, available, 1)
    uow.credits.add_entry(CreditEntry(new_id(), group_id, credit_type, -1, Reason.APPLIED, now, offer_id=offer_id,
                                      actor_account_id=actor_account_id))
    if current is None:
        current = Reservation(offer_id, credit_type, group_id, ReservationStatus.RESERVED, now,
                              actor_account_id=actor_account_id)
        uow.credits.add_reservation(current)
    else:
        current.status, current.reserved_at = ReservationStatus.RESERVED, now
        current.consumed_at = current.released_at = None
        current.actor_account_id = actor_account_id
        uow.credits.save_reservation(current)
    uow.emit("billing.credit.applied", {
        "group_id": group_id, "company_id": bank.company_id, "offer_id": offer_id, "credit_type": credit_type,
        "balance": available - 1, "actor_account_id": actor_account_id, "applied_at": _instant(now)})
    return ReservationResult(current, changed=True)


def _locked_reservation(uow: UnitOfWork, offer_id: str, credit_type: str) -> Reservation:
    """The reservation, locked after its group's bank (the order every writer follows)."""
    _check(credit_type)
    found = uow.credits.get_reservation(offer_id, credit_type)
    if found is None:
        raise errors.reservation_not_found()
    uow.credits.lock_bank(found.group_id)
    locked = uow.credits.get_reservation(offer_id, credit_type, lock=True)
    assert locked is not None  # reservations are never deleted
    return locked


def consume(uow: UnitOfWork, *, offer_id: str, credit_type: str, actor_account_id: str,
            now: datetime) -> ReservationResult:
    """The offer is published: its credit is spent (no new entry). Again: nothing changes."""
    reservation = _locked_reservation(uow, offer_id, credit_type)
    if reservation.status == ReservationStatus.CONSUMED:
        return ReservationResult(reservation, changed=False)
    if reservation.status == ReservationStatus.RELEASED:
        raise errors.reservation_released()
    reservation.status, reservation.consumed_at = ReservationStatus.CONSUMED, now
    uow.credits.save_reservation(reservation)
    return ReservationResult(reservation, changed=True)


def release(uow: UnitOfWork, *, offer_id: str, credit_type: str, actor_account_id: str,
            now: datetime) -> ReservationResult:
    """Give an unconsumed reservation's credit back: a `released` +1 entry. Again: nothing changes.
    A consumed credit is spent: 409 `reservation_consumed`."""
    reservation = _locked_reservation(uow, offer_id, credit_type)
    if reservation.status == ReservationStatus.RELEASED:
        return ReservationResult(reservation, changed=False)
    if reservation.status == ReservationStatus.CONSUMED:
        raise errors.reservation_consumed()
    group_id = reservation.group_id
    uow.credits.add_entry(CreditEntry(new_id(), group_id, credit_type, 1, Reason.RELEASED, now, offer_id=offer_id,
                                      actor_account_id=actor_account_id))
    reservation.status, reservation.released_at = ReservationStatus.RELEASED, now
    uow.credits.save_reservation(reservation)
    bank = uow.credits.lock_bank(group_id)
    uow.emit("billing.credit.released", {
        "group_id": group_id, "company_id": bank.company_id if bank else "", "offer_id": offer_id,
        "credit_type": credit_type, "balance": uow.credits.balance(group_id, credit_type),
        "actor_account_id": actor_account_id, "released_at": _instant(now)})
    return ReservationResult(reservation, changed=True)
