"""The mailer's unit of work: one transaction over the emails (and the inbox, outbox)."""

from __future__ import annotations

from mailer.adapters.repository import SqlAlchemyEmailRepository
from plumbing.uow import SqlAlchemyUnitOfWork


class MailerUnitOfWork(SqlAlchemyUnitOfWork):
    emails: SqlAlchemyEmailRepository

    def _open_repositories(self) -> None:
        self.emails = SqlAlchemyEmailRepository(self.session)
