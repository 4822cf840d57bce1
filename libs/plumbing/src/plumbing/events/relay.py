"""The outbox relay: publishes committed outbox rows, in order, and marks them sent.

Run by each service's worker. A row is marked published only after the broker confirmed it, so a
broker outage delays events and never loses one; a crash between confirm and mark re-sends the
row, which consumers' inboxes make harmless.
"""

from __future__ import annotations

import logging
import threading

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from plumbing.clock import Clock
from plumbing.events.envelope import Envelope
from plumbing.events.transport import Publisher
from plumbing.telemetry import context_from_traceparent, inject_headers

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        outbox: Table,
        publisher: Publisher,
        clock: Clock,
        *,
        producer: str,
        batch_size: int = 100,
    ) -> None:
        self.session_factory = session_factory
        self.outbox = outbox
        self.publisher = publisher
        self.clock = clock
        self.batch_size = batch_size
        self.tracer = trace.get_tracer(f"{producer}.relay")
        self._wake = threading.Event()

    def wake(self) -> None:
        """Ask for a pass now (called after a commit that emitted events)."""
        self._wake.set()

    def publish_pending(self) -> int:
        """One pass: publish up to a batch of unpublished rows; return how many were sent."""
        sent = 0
        with self.session_factory() as session:
            rows = session.execute(
                select(self.outbox.c.seq, self.outbox.c.body)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.seq)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            for seq, body in rows:
                envelope = Envelope.from_json(body.encode())
                try:
                    self._publish(envelope, body.encode())
                except Exception as exc:  # noqa: BLE001 - keep the row, note the error, stop in order
                    session.execute(
                        update(self.outbox)
                        .where(self.outbox.c.seq == seq)
                        .values(attempts=self.outbox.c.attempts + 1, last_error=repr(exc)[:2000])
                    )
                    session.commit()
                    raise
                session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.seq == seq)
                    .values(published_at=self.clock.now(), attempts=self.outbox.c.attempts + 1)
                )
                sent += 1
            session.commit()
        return sent

    def _publish(self, envelope: Envelope, body: bytes) -> None:
        parent = context_from_traceparent(envelope.traceparent)
        with self.tracer.start_as_current_span(
            f"{envelope.type} publish",
            context=parent,
            kind=SpanKind.PRODUCER,
            attributes={"messaging.system": "rabbitmq", "messaging.message.id": envelope.id},
        ):
            headers = inject_headers({"message_id": envelope.id, "type": envelope.type})
            self.publisher.publish(envelope, body, headers)

    def run(self, stop: threading.Event, interval: float = 0.5, max_backoff: float = 10.0) -> None:
        """Publish until stopped; back off exponentially while the broker is unreachable."""
        backoff = interval
        while not stop.is_set():
            try:
                while self.publish_pending() == self.batch_size and not stop.is_set():
                    pass
                backoff = interval
            except Exception as exc:  # noqa: BLE001 - a relay never dies on a broker outage
                log.warning("outbox relay: publish failed, retrying in %.1fs: %r", backoff, exc)
                backoff = min(backoff * 2, max_backoff)
            self._wake.wait(backoff)
            self._wake.clear()
