"""The mailer's unit of work on SQLAlchemy: one transaction over the emails (and the inbox, outbox)."""

from __future__ import annotations

from mailer.adapters.repository import (
    SqlAlchemyAccountDirectory,
    SqlAlchemyAttachmentStore,
    SqlAlchemyEmailRepository,
)
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlMailerUnitOfWork(SqlAlchemyUnitOfWork):
    emails: SqlAlchemyEmailRepository
    accounts: SqlAlchemyAccountDirectory
    attachments: SqlAlchemyAttachmentStore

    def _open_repositories(self) -> None:
        self.emails = SqlAlchemyEmailRepository(self.session)
        self.accounts = SqlAlchemyAccountDirectory(self.session)
        self.attachments = SqlAlchemyAttachmentStore(self.session)
