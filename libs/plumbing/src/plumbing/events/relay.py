"""The outbox relay: publishes committed outbox rows, in order, and marks them sent.

Run by each service's worker. A row is marked published only after the broker confirmed it, so a
broker outage delays events and never loses one; a crash between confirm and mark re-sends the
row, which consumers' inboxes make harmless.

Order (decisions.md, "Event evolution"): one relay pass at a time per service (a PostgreSQL transaction-level
advisory lock; SQLite is one process), publishing rows in commit-sequence order and stopping at
the first publish failure. So the events of one service reach the broker in `seq` order, at least
once. A row that can never be published (its body is not an envelope) is parked: `parked_at` and
`last_error` are set, an error is logged, and the rows behind it flow; an operator lists parked
rows with `python -m plumbing.entry outbox <service> parked` and requeues one after a fix.

Scrubbing (`scrub_types`): some events carry a field that must not stay in the producer's
database once it is out, e.g. a CV sent to the mailer (`offers.application.submitted`). For those
event types the relay blanks the named fields of the stored body ("data.cv.content_base64" → "")
in the same transaction that marks the row published; the broker got the whole body.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Mapping, Sequence

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from sqlalchemy import Table, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from plumbing.clock import Clock
from plumbing.events.envelope import Envelope, PoisonMessage
from plumbing.events.transport import Publisher
from plumbing.liveness import beat
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
        scrub_types: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """`scrub_types`: event type → dotted paths in the envelope ("data.cv.content_base64") blanked
        in the stored row once it is published."""
        self.session_factory = session_factory
        self.outbox = outbox
        self.publisher = publisher
        self.clock = clock
        self.batch_size = batch_size
        self.scrub_types = {kind: tuple(paths) for kind, paths in (scrub_types or {}).items()}
        self.tracer = trace.get_tracer(f"{producer}.relay")
        self._wake = threading.Event()

    def wake(self) -> None:
        """Ask for a pass now (called after a commit that emitted events)."""
        self._wake.set()

    def publish_pending(self) -> int:
        """One pass: publish up to a batch of unpublished rows; return how many were handled."""
        sent = 0
        with self.session_factory() as session:
            if not _take_relay_lock(session):
                return 0  # another relay of this service is publishing: it keeps the order
            rows = session.execute(
                select(self.outbox.c.seq, self.outbox.c.body, self.outbox.c.event_type)
                .where(self.outbox.c.published_at.is_(None), self.outbox.c.parked_at.is_(None))
                .order_by(self.outbox.c.seq)
                .limit(self.batch_size)
            ).all()
            for seq, body, event_type in rows:
                try:
                    envelope = Envelope.from_json(body.encode() if isinstance(body, str) else body)
                except (PoisonMessage, AttributeError) as exc:
                    self._park(session, seq, exc)
                    sent += 1
                    continue
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
                published: dict[str, object] = {
                    "published_at": self.clock.now(),
                    "attempts": self.outbox.c.attempts + 1,
                }
                paths = self.scrub_types.get(event_type)
                if paths:
                    published["body"] = scrub_body(body, paths)
                session.execute(update(self.outbox).where(self.outbox.c.seq == seq).values(**published))
                sent += 1
            session.commit()
        return sent

    def _park(self, session: Session, seq: int, exc: BaseException) -> None:
        log.error("outbox relay: row %s cannot be published, parked: %s", seq, exc)
        session.execute(
            update(self.outbox)
            .where(self.outbox.c.seq == seq)
            .values(parked_at=self.clock.now(), last_error=f"parked: {exc}"[:2000],
                    attempts=self.outbox.c.attempts + 1)
        )

    def parked_count(self) -> int:
        with self.session_factory() as session:
            return session.execute(
                select(func.count()).select_from(self.outbox).where(self.outbox.c.parked_at.is_not(None))
            ).scalar_one()

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
            beat()
            try:
                while self.publish_pending() == self.batch_size and not stop.is_set():
                    pass
                backoff = interval
            except Exception as exc:  # noqa: BLE001 - a relay never dies on a broker outage
                log.warning("outbox relay: publish failed, retrying in %.1fs: %r", backoff, exc)
                backoff = min(backoff * 2, max_backoff)
            self._wake.wait(backoff)
            self._wake.clear()


def scrub_body(body: str | bytes, paths: Sequence[str]) -> str:
    """The JSON body with each dotted path that exists set to "" (missing paths are left alone)."""
    document = json.loads(body)
    for path in paths:
        *parents, leaf = path.split(".")
        node = document
        for name in parents:
            node = node.get(name) if isinstance(node, dict) else None
        if isinstance(node, dict) and leaf in node:
            node[leaf] = ""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# One relay pass at a time per service database (any constant works: one database per service).
_RELAY_LOCK_KEY = 0x696E67656D706C  # "ingempl"


def _take_relay_lock(session: Session) -> bool:
    """Try the transaction-level advisory lock on PostgreSQL (released at commit or rollback)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _RELAY_LOCK_KEY}).scalar())
