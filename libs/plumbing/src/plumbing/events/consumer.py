"""Turns a delivered message into handler calls, exactly once per message and consumer."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind

from plumbing.events.envelope import Envelope, split_version
from plumbing.events.schemas import EventSchemas
from plumbing.telemetry import context_from
from plumbing.uow import SqlAlchemyUnitOfWork

log = logging.getLogger(__name__)

EventHandler = Callable[[Envelope, Any], None]


class EventConsumer:
    """A MessageHandler: parse, validate, claim in the inbox, run handlers, commit.

    Handlers receive (envelope, uow) and must not commit: the consumer commits their effect and
    the inbox record together, so a redelivered message finds its id and does nothing.

    `handlers` is keyed by event type: `portal.membership.granted` (version 1) or
    `portal.membership.granted.v2`. A consumer is bound to the type, so it receives every version
    a producer publishes; it handles the versions it has handlers for and acks the others
    unhandled. A producer that publishes a breaking `v2` beside `v1` gives both copies the same
    envelope id, so a consumer that handles both (while it moves over) acts once: the inbox
    refuses the second copy (decisions.md, "Event evolution").
    """

    def __init__(
        self,
        name: str,
        uow_factory: Callable[[], SqlAlchemyUnitOfWork],
        handlers: Mapping[str, Sequence[EventHandler]],
        schemas: EventSchemas,
    ) -> None:
        self.name = name
        self.uow_factory = uow_factory
        self.handlers = handlers
        self._by_version: dict[tuple[str, int], Sequence[EventHandler]] = {
            split_version(key): hs for key, hs in handlers.items()
        }
        self.schemas = schemas
        self.tracer = trace.get_tracer(f"{name}.consumer")

    @property
    def binding_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(event_type for event_type, _ in self._by_version))

    def __call__(self, body: bytes, headers: Mapping[str, Any]) -> None:
        envelope = Envelope.from_json(body)
        handlers = self._by_version.get((envelope.type, envelope.version))
        if not handlers:
            log.info("ignoring event %s v%s: no handler", envelope.type, envelope.version)
            return
        self.schemas.validate_inbound(envelope)
        with self.tracer.start_as_current_span(
            f"{envelope.type} receive",
            context=context_from(headers),
            kind=SpanKind.CONSUMER,
            attributes={"messaging.message.id": envelope.id, "messaging.consumer.group.name": self.name},
        ):
            with self.uow_factory() as uow:
                if not uow.claim_message(envelope, self.name):
                    log.info("duplicate delivery of %s ignored", envelope.id)
                    return
                for handler in handlers:
                    handler(envelope, uow)
                uow.commit()
