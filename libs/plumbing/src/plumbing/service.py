"""What every service's composition root builds, so the suite runners treat services alike.

A service's `bootstrap.py` calls `build_runtime(...)` for the database and messaging plumbing,
adds its own handlers, pages and API, and returns a `ServiceBundle`. The embedded runner mounts
bundles in one process with the in-process broker; the distributed entry points run one bundle's
web app under gunicorn (`asgi`) or its worker (`run_worker_process`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, Table, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from plumbing.clock import Clock, clock_from_env
from plumbing.config import Settings
from plumbing.db import make_engine, make_session_factory
from plumbing.events.consumer import EventConsumer
from plumbing.events.relay import OutboxRelay
from plumbing.events.schemas import EventSchemas
from plumbing.events.transport import Publisher, Subscription
from plumbing.migrations import upgrade
from plumbing.readiness import BrokerCheck
from plumbing.uow import Messaging

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Database, clock, schemas and messaging tables of one service."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    clock: Clock
    schemas: EventSchemas
    outbox: Table
    inbox: Table
    #: `idempotency_keys` when the service takes idempotency keys (plumbing.idempotency).
    idempotency: Table | None = None
    #: Event type → dotted paths the relay blanks in the outbox once published (relay.py, "Scrubbing").
    scrub_types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _relays: list[OutboxRelay] = field(default_factory=list)
    _broker_check: BrokerCheck | None = None

    @property
    def name(self) -> str:
        return self.settings.service

    def messaging(self) -> Messaging:
        return Messaging(
            producer=self.name,
            outbox=self.outbox,
            inbox=self.inbox,
            schemas=self.schemas,
            clock=self.clock,
            after_commit=self._wake_relays,
            idempotency=self.idempotency,
        )

    def _wake_relays(self) -> None:
        for relay in self._relays:
            relay.wake()

    def relay(self, publisher: Publisher) -> OutboxRelay:
        """A relay for this service's outbox; commits in this process wake it at once."""
        relay = OutboxRelay(self.session_factory, self.outbox, publisher, self.clock, producer=self.name,
                            scrub_types=self.scrub_types)
        self._relays.append(relay)
        return relay

    def check_database(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def readiness_checks(self) -> dict[str, Callable[[], None]]:
        """What `/readyz` checks: the database, and the broker when the service runs with RabbitMQ
        (distributed mode and Kubernetes; the embedded suite's broker is in-process)."""
        checks: dict[str, Callable[[], None]] = {"database": self.check_database}
        if self.settings.uses_rabbitmq:
            if self._broker_check is None:
                self._broker_check = BrokerCheck(self.settings.amqp_url)
            checks["broker"] = self._broker_check
        return checks


def build_runtime(
    settings: Settings,
    metadata: MetaData,
    *,
    clock: Clock | None = None,
    scrub_types: Mapping[str, Sequence[str]] | None = None,
) -> Runtime:
    """Engine and messaging for a service whose metadata already holds `outbox` and `inbox`;
    `scrub_types`: what its relay blanks in published rows (plumbing.events.relay)."""
    engine = make_engine(settings.database_url, settings.db_pool_size)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock or clock_from_env(settings.service),
        schemas=EventSchemas(settings.contracts_dir / "events"),
        outbox=metadata.tables["outbox"],
        inbox=metadata.tables["inbox"],
        idempotency=metadata.tables.get("idempotency_keys"),
        scrub_types={kind: tuple(paths) for kind, paths in (scrub_types or {}).items()},
    )


@dataclass
class ServiceBundle:
    """One service, ready to be served: its ASGI app, consumers, ticks and migrations."""

    runtime: Runtime
    asgi: Any
    migrations_dir: Path
    consumers: list[EventConsumer] = field(default_factory=list)
    tickers: list[tuple[float, Callable[[], None]]] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.runtime.name

    def migrate(self) -> None:
        upgrade(self.migrations_dir, self.runtime.settings.database_url)

    def subscriptions(self) -> list[Subscription]:
        return [
            Subscription(queue=consumer.name, binding_keys=consumer.binding_keys, handler=consumer)
            for consumer in self.consumers
        ]


def run_worker_process(bundle: ServiceBundle) -> None:
    """The distributed worker of a service: outbox relay, RabbitMQ consumers and ticks."""
    from plumbing.events.rabbitmq import RabbitPublisher, consumer_transport_from_env
    from plumbing.liveness import heartbeat_file
    from plumbing.worker import run_worker

    settings = bundle.runtime.settings
    publisher = RabbitPublisher(settings.amqp_url, settings.exchange)
    relays = [bundle.runtime.relay(publisher)]
    subscriptions = bundle.subscriptions()
    transport = consumer_transport_from_env(settings.amqp_url, settings.exchange) if subscriptions else None
    log.info("worker %s: %d consumer(s), %d ticker(s)", bundle.name, len(subscriptions), len(bundle.tickers))
    try:
        run_worker(relays, subscriptions, transport, list(bundle.tickers), heartbeat=heartbeat_file())
    finally:
        publisher.close()
