"""Repositories over the mapped domain classes."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation.adapters.orm import journal, offer_queue, queue_items
from moderation.domain.model import JournalEntry, QueueItem
from moderation.domain.offers import OfferQueueItem


class SqlAlchemyQueue:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: QueueItem) -> None:
        self.session.add(item)

    def get(self, request_id: str) -> QueueItem | None:
        return self.session.get(QueueItem, request_id)

    def list(self, status: str | None = None, kind: str | None = None) -> list[QueueItem]:
        """Items oldest first (ties broken by request id, so the order is stable)."""
        query = select(QueueItem)
        if status:
            query = query.where(queue_items.c.status == status)
        if kind:
            query = query.where(queue_items.c.kind == kind)
        query = query.order_by(queue_items.c.submitted_at.asc(), queue_items.c.request_id.asc())
        return list(self.session.scalars(query))

    def counts(self) -> dict[tuple[str, str], int]:
        """(status, kind) → number of items."""
        rows = self.session.execute(
            select(queue_items.c.status, queue_items.c.kind, func.count()).group_by(
                queue_items.c.status, queue_items.c.kind)
        )
        return {(status, kind): count for status, kind, count in rows}


class SqlAlchemyJournal:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: JournalEntry) -> None:
        self.session.add(entry)

    def for_company(self, company_id: str, limit: int = 50) -> list[JournalEntry]:
        query = (select(JournalEntry).where(journal.c.company_id == company_id)
                 .order_by(journal.c.id.desc()).limit(limit))
        return list(self.session.scalars(query))


class SqlAlchemyOfferQueue:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, item: OfferQueueItem) -> None:
        self.session.add(item)

    def get(self, offer_id: str) -> OfferQueueItem | None:
        return self.session.get(OfferQueueItem, offer_id)

    def waiting(self) -> list[OfferQueueItem]:
        """Offers in the queue, oldest submission first (ties by offer id, so the order is stable)."""
        query = (select(OfferQueueItem).where(offer_queue.c.in_queue.is_(True))
                 .order_by(offer_queue.c.submitted_at.asc(), offer_queue.c.offer_id.asc()))
        return list(self.session.scalars(query))
