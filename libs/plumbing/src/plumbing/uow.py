"""Unit of work: one transaction for the state change, its outbox events and its inbox record.

Services subclass `SqlAlchemyUnitOfWork` and open their repositories in `_open_repositories`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Self

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from plumbing.clock import Clock
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas
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


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session], messaging: Messaging) -> None:
        self.session_factory = session_factory
        self.messaging = messaging
        self.session: Session
        self._emitted = False

    def __enter__(self) -> Self:
        self.session = self.session_factory()
        self._emitted = False
        self._open_repositories()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.rollback()
        self.session.close()

    def _open_repositories(self) -> None:
        """Subclasses attach their repositories to self here."""

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

    def commit(self) -> None:
        self.session.commit()
        if self._emitted:
            self._emitted = False
            self.messaging.after_commit()

    def rollback(self) -> None:
        self.session.rollback()
