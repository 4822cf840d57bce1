"""moderation's unit of work on SQLAlchemy: the queue, the journal, idempotency keys, outbox and inbox."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from moderation.adapters.repository import SqlAlchemyJournal, SqlAlchemyOfferQueue, SqlAlchemyQueue
from moderation.domain.model import AlreadyDecided
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlModerationUnitOfWork(SqlAlchemyUnitOfWork):
    queue: SqlAlchemyQueue
    journal: SqlAlchemyJournal
    offers: SqlAlchemyOfferQueue

    def _open_repositories(self) -> None:
        self.queue = SqlAlchemyQueue(self.session)
        self.journal = SqlAlchemyJournal(self.session)
        self.offers = SqlAlchemyOfferQueue(self.session)

    def detach(self) -> None:
        """Plain objects for the templates, readable after the session closes."""
        self.session.expunge_all()

    def commit(self) -> None:
        """Two staff members decided the same item at once (its version moved): the second one loses."""
        try:
            super().commit()
        except StaleDataError as exc:
            self.rollback()
            raise AlreadyDecided() from exc
