"""Unit of work: one transaction for the state change, its outbox events and its inbox record.

Services subclass `SqlAlchemyUnitOfWork`, open their repositories in `_open_repositories` and,
when their aggregates record domain events, drain them in `collect_new_events`: `commit()` hands
each to the message bus's event handlers (`plumbing.messagebus`) before committing, so a change
and the integration events it causes are one transaction. It implements `plumbing.ports.UnitOfWork`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Self

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from plumbing.clock import Clock
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas
from plumbing.idempotency import MissingIdempotencyStore, SqlIdempotencyStore
from plumbing.ports import EventDispatcher, IdempotencyStore, UniqueViolation
from plumbing.telemetry import current_traceparent


@dataclass(frozen=True)
class Messaging:
    """What a unit of work needs to write events and inbox records for one service."""

    producer: str
    outbox: Table
    inbox: Table
    schemas: EventSchemas
    clock: Clock
    after_commit: Callable[[], None] = lambda: None
    #: The service's `idempotency_keys` table (plumbing.idempotency), when it takes keys.
    idempotency: Table | None = None


def _no_dispatch(event: Any, uow: Any) -> None:
    raise RuntimeError(f"domain event {type(event).__name__} raised but no event dispatcher was given")


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], messaging: Messaging,
                 dispatch: EventDispatcher = _no_dispatch) -> None:
        self.session_factory = session_factory
        self.messaging = messaging
        self.dispatch = dispatch
        self.session: Session
        self.idempotency: IdempotencyStore
        self._emitted = False

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self._emitted = False
        table = self.messaging.idempotency
        self.idempotency = (SqlIdempotencyStore(self.session, table, self.messaging.clock.now) if table is not None
                            else MissingIdempotencyStore())
        self._open_repositories()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.rollback()
        self.session.close()

    def _open_repositories(self) -> None:
        """Subclasses attach their repositories to self here."""

    def collect_new_events(self) -> Iterable[Any]:
        """Subclasses drain the domain events their aggregates recorded (none by default)."""
        return ()

    def emit(self, event_type: str, data: dict[str, Any], version: int = 1) -> Envelope:
        """Write an integration event to the outbox, inside this transaction."""
        return self.emit_versions(event_type, {version: data})[0]

    def emit_versions(self, event_type: str, versions: Mapping[int, dict[str, Any]]) -> list[Envelope]:
        """Write one event in several versions (a breaking change in transition, decisions.md, "Event evolution").

        Every copy carries the same envelope id, so a consumer that handles two versions while it
        moves over acts once (its inbox refuses the second copy). Each copy is validated strictly
        against its own schema. The outbox row of each extra version gets a derived row id.
        """
        messaging = self.messaging
        now = messaging.clock.now()
        envelopes: list[Envelope] = []
        for version, data in sorted(versions.items()):
            envelope = Envelope.new(
                event_type,
                data,
                producer=messaging.producer,
                occurred_at=now,
                version=version,
                traceparent=current_traceparent(),
            )
            if envelopes:
                envelope = replace(envelope, id=envelopes[0].id)
            messaging.schemas.validate(envelope)
            row_id = envelope.id if not envelopes else str(uuid.uuid5(uuid.NAMESPACE_URL, f"{envelope.id}.v{version}"))
            self.session.execute(
                insert(messaging.outbox).values(
                    message_id=row_id,
                    event_type=envelope.type,
                    body=envelope.to_json().decode(),
                    created_at=now,
                    attempts=0,
                )
            )
            envelopes.append(envelope)
        self._emitted = True
        return envelopes

    def claim_message(self, envelope: Envelope, consumer: str) -> bool:
        """Record that `consumer` handles this message; False if it already did (redelivery)."""
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(self.messaging.inbox).values(
                        message_id=envelope.id,
                        consumer=consumer,
                        event_type=envelope.type,
                        handled_at=self.messaging.clock.now(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def flush(self) -> None:
        """Write pending changes (still uncommitted) so reads in this transaction see them."""
        self.session.flush()

    def commit(self) -> None:
        """Flush, dispatch the domain events (until none is left), commit.

        A unique value taken by another writer meanwhile is `UniqueViolation` (rolled back).
        """
        try:
            self.session.flush()
            while events := list(self.collect_new_events()):
                for event in events:
                    self.dispatch(event, self)
                self.session.flush()
            self.session.commit()
        except IntegrityError as exc:
            self.rollback()
            raise UniqueViolation(str(exc.orig)) from exc
        if self._emitted:
            self._emitted = False
            self.messaging.after_commit()

    def rollback(self) -> None:
        self.session.rollback()
