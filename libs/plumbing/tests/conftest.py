"""Fixtures for the plumbing tests: a throw-away PostgreSQL database and RabbitMQ vhost per run.

Both fail the test run (never skip it) when the server is unreachable.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

TESTS_DIR = Path(__file__).resolve().parent
SRC_DIR = TESTS_DIR.parent / "src"
# The tests run from a checkout whether or not plumbing is installed, and import their helper
# module (plumbing_notes) whatever pytest's import mode.
if importlib.util.find_spec("plumbing") is None:
    sys.path.insert(0, str(SRC_DIR))
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

import pika  # noqa: E402
import plumbing_notes  # noqa: E402
from sqlalchemy import text  # noqa: E402

from plumbing import testing  # noqa: E402
from plumbing.events.rabbitmq import RabbitConsumerTransport, RabbitPublisher  # noqa: E402
from plumbing.events.relay import OutboxRelay  # noqa: E402


def _fail_on_missing_infrastructure(make: Callable[[], str]) -> str:
    try:
        return make()
    except testing.TestInfrastructureError as exc:
        pytest.fail(f"test infrastructure unavailable: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh PostgreSQL database, dropped after the run."""
    url = _fail_on_missing_infrastructure(testing.create_test_database)
    try:
        yield url
    finally:
        testing.drop_test_database(url)


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """AMQP URL of a fresh RabbitMQ vhost, deleted after the run."""
    url = _fail_on_missing_infrastructure(testing.create_test_vhost)
    try:
        yield url
    finally:
        testing.delete_test_vhost(url)


@pytest.fixture(scope="session")
def schemas_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plumbing_notes.write_schemas(tmp_path_factory.mktemp("contracts") / "events")


@pytest.fixture(scope="session")
def notes_database(pg_url: str) -> str:
    plumbing_notes.create_tables(pg_url)
    return pg_url


@pytest.fixture
def notes_app(notes_database: str, schemas_dir: Path) -> Iterator[plumbing_notes.NotesApp]:
    """The test service on PostgreSQL, with empty tables."""
    app = plumbing_notes.build_app(notes_database, schemas_dir)
    with app.engine.begin() as conn:
        conn.execute(text("TRUNCATE notes, note_effects, outbox, inbox RESTART IDENTITY"))
    try:
        yield app
    finally:
        app.close()


@pytest.fixture
def exchange() -> str:
    return testing.unique_name("test.events")


@pytest.fixture
def queue_name() -> str:
    return testing.unique_name("notes-projector")


class Background:
    """Threads running until the test ends (relays, consumers); stopped and joined at teardown."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._relays: list[OutboxRelay] = []
        self.errors: list[BaseException] = []

    def start(self, target: Callable[..., None], *args: Any) -> None:
        def body() -> None:
            try:
                target(*args)
            except BaseException as exc:  # noqa: BLE001 - reported at teardown
                self.errors.append(exc)

        thread = threading.Thread(target=body, daemon=True)
        self._threads.append(thread)
        thread.start()

    def relay(self, relay: OutboxRelay, interval: float = 0.05, max_backoff: float = 0.3) -> OutboxRelay:
        self._relays.append(relay)
        self.start(relay.run, self.stop, interval, max_backoff)
        return relay

    def consume(self, transport: RabbitConsumerTransport, subscription: Any) -> None:
        self.start(transport.consume, subscription, self.stop)

    def close(self) -> None:
        self.stop.set()
        for relay in self._relays:
            relay.wake()
        for thread in self._threads:
            thread.join(10)
        alive = [t for t in self._threads if t.is_alive()]
        assert not alive, f"background threads did not stop: {alive}"
        assert not self.errors, f"background threads crashed: {self.errors!r}"


@pytest.fixture
def background() -> Iterator[Background]:
    bg = Background()
    try:
        yield bg
    finally:
        bg.close()


@pytest.fixture
def publisher_factory() -> Iterator[Callable[[str, str], RabbitPublisher]]:
    made: list[RabbitPublisher] = []

    def make(url: str, exchange: str) -> RabbitPublisher:
        publisher = RabbitPublisher(url, exchange)
        made.append(publisher)
        return publisher

    yield make
    for publisher in made:
        publisher.close()


@pytest.fixture
def transport_factory(amqp_url: str, exchange: str) -> Callable[..., RabbitConsumerTransport]:
    def make(url: str | None = None, **kwargs: Any) -> RabbitConsumerTransport:
        kwargs.setdefault("retry_delays_ms", (100, 100, 100))
        kwargs.setdefault("reconnect_delays", (0.1, 0.5))
        return RabbitConsumerTransport(url or amqp_url, exchange, **kwargs)

    return make


class Amqp:
    """Direct access to the test vhost: publish by hand, read queues."""

    def __init__(self, url: str) -> None:
        self.url = url
        params = pika.URLParameters(url)
        self.connection = pika.BlockingConnection(params)
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()

    def publish(
        self, exchange: str, routing_key: str, body: bytes, headers: dict[str, Any] | None = None,
        message_id: str | None = None,
    ) -> None:
        self.channel.basic_publish(
            exchange, routing_key, body,
            pika.BasicProperties(delivery_mode=2, headers=headers or {}, message_id=message_id),
        )

    def get_all(self, queue: str) -> list[tuple[dict[str, Any], bytes]]:
        """Take every message in a queue: (headers, body) pairs."""
        taken = []
        while True:
            method, properties, body = self.channel.basic_get(queue, auto_ack=True)
            if method is None:
                return taken
            taken.append((dict(properties.headers or {}), body))

    def ready(self, queue: str) -> int:
        return self.channel.queue_declare(queue, passive=True).method.message_count

    def count(self, queue: str) -> int:
        """Ready messages in `queue` plus the vhost's unacknowledged ones (live figures)."""
        return self.ready(queue) + testing.unacked_count(self.url)

    def close(self) -> None:
        if self.connection.is_open:
            self.connection.close()


@pytest.fixture
def amqp(amqp_url: str) -> Iterator[Amqp]:
    client = Amqp(amqp_url)
    try:
        yield client
    finally:
        client.close()
