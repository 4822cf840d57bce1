"""The unit of work of moderation: the queue repository, the journal, the outbox and inbox."""

from __future__ import annotations

from moderation.adapters.repository import SqlAlchemyJournal, SqlAlchemyQueue
from plumbing.uow import SqlAlchemyUnitOfWork


class ModerationUnitOfWork(SqlAlchemyUnitOfWork):
    queue: SqlAlchemyQueue
    journal: SqlAlchemyJournal

    def _open_repositories(self) -> None:
        self.queue = SqlAlchemyQueue(self.session)
        self.journal = SqlAlchemyJournal(self.session)
