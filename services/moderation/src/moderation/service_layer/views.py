"""Read side for the pages: the queue with ages in business days, counts, one item, a journal."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import date, datetime

from moderation.domain.business_days import age_in_business_days, due_date, is_overdue
from moderation.domain.model import JournalEntry, Kind, QueueItem, Status
from moderation.domain.offers import OfferQueueItem
from moderation.service_layer.ports import UnitOfWork
from plumbing.clock import Clock


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    age: int  # business days since submission (until the decision, for decided items)
    overdue: bool
    due: date


@dataclass(frozen=True)
class OfferRow:
    item: OfferQueueItem
    age: int  # business days since the offer was sent
    overdue: bool
    due: date


@dataclass(frozen=True)
class OfferCounts:
    waiting: int
    overdue: int


@dataclass(frozen=True)
class Counts:
    pending: dict[str, int]
    overdue: int
    approved: int
    refused: int

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


class Views:
    def __init__(self, uow_factory: Callable[[], UnitOfWork], clock: Clock,
                 holidays: Container[date]) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.holidays = holidays

    def row(self, item: QueueItem, now: datetime) -> QueueRow:
        until = now if item.pending or item.decided_at is None else item.decided_at
        return QueueRow(
            item=item,
            age=age_in_business_days(item.submitted_at, until, self.holidays),
            overdue=item.pending and is_overdue(item.submitted_at, now, self.holidays),
            due=due_date(item.submitted_at, self.holidays),
        )

    def queue(self, status: str | None = Status.PENDING.value, kind: str | None = None) -> list[QueueRow]:
        """Oldest first."""
        now = self.clock.now()
        with self.uow_factory() as uow:
            items = uow.queue.list(status=status, kind=kind)
            uow.detach()  # plain objects for the templates, after the session closes
        return [self.row(item, now) for item in items]

    def counts(self) -> Counts:
        with self.uow_factory() as uow:
            by_key = uow.queue.counts()
            pending_items = uow.queue.list(status=Status.PENDING.value)
            uow.detach()
        now = self.clock.now()
        pending = {k.value: by_key.get((Status.PENDING.value, k.value), 0) for k in Kind}
        return Counts(
            pending=pending,
            overdue=sum(1 for item in pending_items if is_overdue(item.submitted_at, now, self.holidays)),
            approved=sum(v for (status, _), v in by_key.items() if status == Status.APPROVED),
            refused=sum(v for (status, _), v in by_key.items() if status == Status.REFUSED),
        )

    def item(self, request_id: str) -> QueueRow | None:
        with self.uow_factory() as uow:
            item = uow.queue.get(request_id)
            uow.detach()
        return None if item is None else self.row(item, self.clock.now())

    def company_journal(self, company_id: str) -> list[JournalEntry]:
        with self.uow_factory() as uow:
            entries = uow.journal.for_company(company_id)
            uow.detach()
        return entries

    # Offers -----------------------------------------------------------------------------------
    def offer_row(self, item: OfferQueueItem, now: datetime) -> OfferRow:
        return OfferRow(
            item=item,
            age=age_in_business_days(item.submitted_at, now, self.holidays),
            overdue=item.in_queue and is_overdue(item.submitted_at, now, self.holidays),
            due=due_date(item.submitted_at, self.holidays),
        )

    def offer_queue(self) -> list[OfferRow]:
        """The offers waiting for staff, oldest first."""
        with self.uow_factory() as uow:
            items = uow.offers.waiting()
            uow.detach()
        now = self.clock.now()
        return [self.offer_row(item, now) for item in items]

    def offer_counts(self) -> OfferCounts:
        rows = self.offer_queue()
        return OfferCounts(waiting=len(rows), overdue=sum(1 for row in rows if row.overdue))

    def offer(self, offer_id: str) -> OfferRow | None:
        with self.uow_factory() as uow:
            item = uow.offers.get(offer_id)
            uow.detach()
        return None if item is None else self.offer_row(item, self.clock.now())
