"""The unit of work handlers see: repositories, the outbox (`emit`) and commit.

Aggregates record domain events; `commit()` hands them to the event handlers (which write
integration events to the outbox) and then commits, so a change and its events are one
transaction. Handlers never commit: the message bus (or the event consumer) does. The idempotency
store and `UniqueViolation` are plumbing's (plumbing.ports), the same in every service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol, Self

from company_portal.domain.events import Event
from company_portal.domain.model import (
    Account,
    AccountRequest,
    Aggregate,
    Company,
    Group,
    Membership,
    RequestDraft,
)
from company_portal.service_layer.ports import ProcessedLogo
from plumbing.ports import IdempotencyStore, UniqueViolation

__all__ = ["UniqueViolation", "UnitOfWork", "collect_new_events"]


class CompanyRepository(Protocol):
    seen: set[Aggregate]

    def add(self, company: Company) -> None: ...

    def get(self, company_id: str, *, for_update: bool = False) -> Company | None: ...

    def get_by_neq(self, neq: str) -> Company | None: ...

    def bulk_insert(self, rows: list[dict[str, Any]]) -> None: ...

    def bulk_update(self, rows: list[dict[str, Any]]) -> None: ...


class GroupRepository(Protocol):
    seen: set[Aggregate]

    def add(self, group: Group) -> None: ...

    def get(self, group_id: str, *, for_update: bool = False) -> Group | None: ...

    def of_company(self, company_id: str) -> list[Group]: ...

    def save_logo(self, group_id: str, logo: ProcessedLogo, now: datetime) -> None: ...


class MembershipRepository(Protocol):
    seen: set[Aggregate]

    def add(self, membership: Membership) -> None: ...

    def get(self, account_id: str, group_id: str) -> Membership | None: ...

    def of_group(self, group_id: str) -> list[Membership]: ...

    def role_of(self, account_id: str, group_id: str) -> str | None: ...

    def companies_of(self, account_id: str) -> set[str]: ...

    def company_has_users(self, company_id: str) -> bool: ...


class AccountRepository(Protocol):
    def add(self, account: Account) -> None: ...

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None: ...


class RequestRepository(Protocol):
    seen: set[Aggregate]

    def add(self, request: AccountRequest) -> None: ...

    def get(self, request_id: str, *, for_update: bool = False) -> AccountRequest | None: ...

    def pending_of(self, account_id: str) -> list[AccountRequest]: ...


class DraftRepository(Protocol):
    def get(self, account_id: str) -> RequestDraft | None: ...

    def add(self, draft: RequestDraft) -> None: ...

    def delete(self, account_id: str) -> None: ...


class AuditLog(Protocol):
    def record(self, at: datetime, actor_id: str, action: str, *, group_id: str | None = None,
               account_id: str | None = None, detail: str = "") -> None: ...


class Queries(Protocol):
    """The read side (adapters.queries.SqlQueries): lists and search as plain dicts."""

    def __getattr__(self, name: str) -> Any: ...


class UnitOfWork(Protocol):
    queries: Queries
    companies: CompanyRepository
    groups: GroupRepository
    memberships: MembershipRepository
    accounts: AccountRepository
    requests: RequestRepository
    drafts: DraftRepository
    idempotency: IdempotencyStore
    audit: AuditLog
    session: Any

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: Any) -> None: ...

    def emit(self, event_type: str, data: dict[str, Any], version: int = 1) -> Any: ...

    def flush(self) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


EventPublisher = Callable[[Event, UnitOfWork], None]


def collect_new_events(repositories: Iterable[Any]) -> Iterator[Event]:
    """Drain the events recorded by every aggregate this unit of work has touched, in the order
    they happened (a move revokes, then grants)."""
    pending: list[Event] = []
    for repository in repositories:
        for aggregate in list(repository.seen):
            pending.extend(getattr(aggregate, "events", ()))
            aggregate.events = []
    yield from sorted(pending, key=lambda event: event.sequence)
