"""company-portal's unit of work on SQLAlchemy: repositories, outbox events and commit in one transaction."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from company_portal.adapters.queries import SqlQueries
from company_portal.adapters.repository import (
    SqlAccountRepository,
    SqlAuditLog,
    SqlCompanyRepository,
    SqlDraftRepository,
    SqlGroupRepository,
    SqlIdempotencyStore,
    SqlMembershipRepository,
    SqlRequestRepository,
)
from company_portal.service_layer.unit_of_work import EventPublisher, UniqueViolation, collect_new_events
from plumbing.uow import Messaging, SqlAlchemyUnitOfWork


class SqlPortalUnitOfWork(SqlAlchemyUnitOfWork):
    def __init__(self, session_factory: sessionmaker[Session], messaging: Messaging, publish: EventPublisher) -> None:
        super().__init__(session_factory, messaging)
        self.publish = publish

    def _open_repositories(self) -> None:
        session = self.session
        self.companies = SqlCompanyRepository(session)
        self.groups = SqlGroupRepository(session)
        self.memberships = SqlMembershipRepository(session)
        self.accounts = SqlAccountRepository(session)
        self.requests = SqlRequestRepository(session)
        self.drafts = SqlDraftRepository(session)
        self.idempotency = SqlIdempotencyStore(session)
        self.audit = SqlAuditLog(session)
        self.queries = SqlQueries(session)

    def flush(self) -> None:
        """Write pending changes (still uncommitted) so reads in this transaction see them."""
        self.session.flush()

    def commit(self) -> None:
        """Flush, write the events of the touched aggregates to the outbox, then commit."""
        tracked = (self.companies, self.groups, self.memberships, self.requests)
        try:
            self.session.flush()
            for domain_event in collect_new_events(tracked):
                self.publish(domain_event, self)
            super().commit()
        except IntegrityError as exc:
            self.rollback()
            raise UniqueViolation(str(exc.orig)) from exc
