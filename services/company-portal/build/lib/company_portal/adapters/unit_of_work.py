"""company-portal's unit of work on SQLAlchemy: repositories, outbox events and commit in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from company_portal.adapters.queries import SqlQueries
from company_portal.adapters.repository import (
    SqlAccountRepository,
    SqlAuditLog,
    SqlCompanyRepository,
    SqlDraftRepository,
    SqlGroupRepository,
    SqlMembershipRepository,
    SqlRequestRepository,
)
from company_portal.service_layer.unit_of_work import collect_new_events
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlPortalUnitOfWork(SqlAlchemyUnitOfWork):
    """plumbing's unit of work (commit dispatches the domain events, then commits) with the portal's
    repositories; `idempotency` is plumbing's store on this database's `idempotency_keys`."""

    def _open_repositories(self) -> None:
        session = self.session
        self.companies = SqlCompanyRepository(session)
        self.groups = SqlGroupRepository(session)
        self.memberships = SqlMembershipRepository(session)
        self.accounts = SqlAccountRepository(session)
        self.requests = SqlRequestRepository(session)
        self.drafts = SqlDraftRepository(session)
        self.audit = SqlAuditLog(session)
        self.queries = SqlQueries(session)

    def collect_new_events(self) -> Iterable[Any]:
        return collect_new_events((self.companies, self.groups, self.memberships, self.requests))
