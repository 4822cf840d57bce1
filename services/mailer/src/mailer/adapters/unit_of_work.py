"""The mailer's unit of work on SQLAlchemy: one transaction over the emails (and the inbox, outbox)."""

from __future__ import annotations

from mailer.adapters.repository import (
    SqlAlchemyAccountDirectory,
    SqlAlchemyAttachmentStore,
    SqlAlchemyEmailRepository,
)
from mailer.adapters.repository_members import SqlCompanyDirectory, SqlFollowRepository, SqlPreferenceRepository
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlMailerUnitOfWork(SqlAlchemyUnitOfWork):
    emails: SqlAlchemyEmailRepository
    accounts: SqlAlchemyAccountDirectory
    attachments: SqlAlchemyAttachmentStore
    # job seekers
    follows: SqlFollowRepository
    preferences: SqlPreferenceRepository
    companies: SqlCompanyDirectory

    def _open_repositories(self) -> None:
        self.emails = SqlAlchemyEmailRepository(self.session)
        self.accounts = SqlAlchemyAccountDirectory(self.session)
        self.attachments = SqlAlchemyAttachmentStore(self.session)
        # job seekers
        self.follows = SqlFollowRepository(self.session)
        self.preferences = SqlPreferenceRepository(self.session)
        self.companies = SqlCompanyDirectory(self.session)
