"""identity's unit of work on SQLAlchemy: repositories, outbox events and commit in one transaction."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from identity.adapters.repository import (
    SqlAccountRepository,
    SqlOneTimeTokenRepository,
    SqlRefreshTokenRepository,
    SqlSigningKeyRepository,
)
from identity.service_layer.unit_of_work import EventPublisher, UniqueViolation, collect_new_events
from plumbing.uow import Messaging, SqlAlchemyUnitOfWork


class SqlIdentityUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session], messaging: Messaging, publish: EventPublisher) -> None:
        super().__init__(session_factory, messaging)
        self.publish = publish

    def _open_repositories(self) -> None:
        self.accounts = SqlAccountRepository(self.session)
        self.one_time_tokens = SqlOneTimeTokenRepository(self.session)
        self.refresh_tokens = SqlRefreshTokenRepository(self.session)
        self.signing_keys = SqlSigningKeyRepository(self.session)

    def commit(self) -> None:
        """Flush, write the events of the touched accounts to the outbox, then commit.

        A unique value taken by another writer (an address, a key generation) is UniqueViolation.
        """
        try:
            self.session.flush()
            for event in collect_new_events(self.accounts):
                self.publish(event, self)
            super().commit()
        except IntegrityError as exc:
            self.rollback()
            raise UniqueViolation(str(exc.orig)) from exc
