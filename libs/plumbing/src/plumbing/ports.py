"""What every service layer may rely on, as protocols: the unit of work and the idempotency store.

Pure Python (no SQLAlchemy): service layers import these, adapters implement them
(`plumbing.uow.SqlAlchemyUnitOfWork`, `plumbing.idempotency.SqlIdempotencyStore`), tests use the
fakes of `plumbing.fakes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, Self


class UniqueViolation(Exception):
    """Two writers raced for the same unique value; the later one lost (its transaction rolled back)."""


@dataclass(frozen=True)
class StoredAnswer:
    """What an idempotent call answered the first time."""

    fingerprint: str
    status: int
    body: Any


class IdempotencyStore(Protocol):
    """Answers of calls made with an `Idempotency-Key`, per caller, written in the call's transaction."""

    def get(self, account_id: str, key: str) -> StoredAnswer | None: ...

    def add(self, account_id: str, key: str, fingerprint: str, status: int, body: Any) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: the state change, its outbox events and its inbox record.

    Services extend it with their repositories (a `Protocol` of their own in service_layer).
    """

    idempotency: IdempotencyStore

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: Any) -> None: ...

    def emit(self, event_type: str, data: dict[str, Any], version: int = 1) -> Any:
        """Write an integration event to the outbox, inside this transaction."""

    def claim_message(self, envelope: Any, consumer: str) -> bool:
        """Record that `consumer` handles this message; False if it already did (a redelivery)."""

    def flush(self) -> None:
        """Write pending changes (uncommitted) so that reads in this transaction see them."""

    def commit(self) -> None:
        """Hand the domain events to the bus's event handlers, then commit (UniqueViolation on a race)."""

    def rollback(self) -> None: ...


#: Called by a unit of work, at commit, for each domain event its aggregates recorded.
EventDispatcher = Callable[[Any, Any], None]
