"""Failures between the steps: broker down after commit, broker closing every connection, consumer killed
before ack. None of them stops the shared broker: cuts go through a TcpProxy, closes are per vhost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import plumbing_notes
import pytest

from plumbing import testing
from plumbing.clock import SystemClock
from plumbing.events.envelope import Envelope
from plumbing.events.rabbitmq import RabbitPublisher
from plumbing.events.transport import Subscription
from plumbing.testing import TcpProxy, wait_until

NOTE_KEYS = (plumbing_notes.NOTE_CREATED,)
TESTS_DIR = Path(__file__).resolve().parent


class Deliveries:
    """Counts deliveries per message id around the real consumer."""

    def __init__(self, handler) -> None:  # type: ignore[no-untyped-def]
        self.handler = handler
        self.ids: list[str] = []

    def __call__(self, body, headers) -> None:  # type: ignore[no-untyped-def]
        self.ids.append(headers.get("message_id"))
        self.handler(body, headers)


@pytest.fixture
def proxy(amqp_url: str) -> Iterator[TcpProxy]:
    with TcpProxy.for_url(amqp_url) as p:
        yield p


def test_broker_down_between_commit_and_publish_delivers_exactly_once_when_back(
    notes_app, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory, amqp, proxy
) -> None:
    """Publisher and consumer both reach the broker through a proxy that we cut."""
    via_proxy = proxy.url_for(amqp_url)
    deliveries = Deliveries(notes_app.consumer())
    sub = Subscription(queue_name, NOTE_KEYS, deliveries)
    transport = transport_factory(via_proxy)
    transport.declare(sub)
    background.consume(transport, sub)
    background.relay(notes_app.relay(publisher_factory(via_proxy, exchange)))

    before = notes_app.create_note("before the outage")  # warms the publisher's connection
    wait_until(lambda: notes_app.effect_count(before.id) == 1, message="first note delivered")

    proxy.refuse()  # broker "down": open connections cut, new ones closed at once
    envelope = notes_app.create_note("committed while the broker is down")
    wait_until(lambda: notes_app.outbox_row(envelope.id)["attempts"] >= 3, message="relay keeps trying")
    row = notes_app.outbox_row(envelope.id)
    assert row["published_at"] is None
    assert "PublishError" in row["last_error"]
    assert notes_app.effect_count(envelope.id) == 0
    assert amqp.count(queue_name) == 0  # nothing reached the broker

    proxy.accept()
    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, timeout=15, message="delivered after recovery")
    wait_until(lambda: notes_app.outbox_row(envelope.id)["published_at"] is not None, message="row marked")
    wait_until(lambda: amqp.count(queue_name) == 0, message="acked")
    assert deliveries.ids.count(envelope.id) == 1
    assert deliveries.ids.count(before.id) == 1
    assert notes_app.effect_count() == 2
    assert notes_app.inbox_count(envelope.id) == 1


def test_broker_closing_every_connection_as_on_a_restart(
    notes_app, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory, proxy
) -> None:
    """The broker closes every connection of the vhost (what a restart or a node shutdown does,
    an AMQP close rather than a cut socket) while it is unreachable for new ones; the relay and the
    consumer reconnect. Only this test's vhost is touched: the shared broker keeps running."""
    via_proxy = proxy.url_for(amqp_url)
    deliveries = Deliveries(notes_app.consumer())
    sub = Subscription(queue_name, NOTE_KEYS, deliveries)
    transport = transport_factory(via_proxy)
    transport.declare(sub)
    background.consume(transport, sub)
    background.relay(notes_app.relay(publisher_factory(via_proxy, exchange)))
    before = notes_app.create_note("before the restart")
    wait_until(lambda: notes_app.effect_count(before.id) == 1, message="first note delivered")

    proxy.refuse_new()  # the open connections are closed by the broker below
    testing.rabbitmqctl("close_all_connections", "--vhost", testing.vhost_of(amqp_url), "--limit", "1000",
                        "simulated restart")
    envelope = notes_app.create_note("committed while the broker is restarting")
    wait_until(lambda: notes_app.outbox_row(envelope.id)["attempts"] >= 2, message="relay keeps trying")
    assert notes_app.outbox_row(envelope.id)["published_at"] is None
    proxy.accept()

    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, timeout=20, message="delivered after restart")
    wait_until(lambda: notes_app.outbox_row(envelope.id)["published_at"] is not None, message="row marked")
    wait_until(lambda: testing.queue_message_count(amqp_url, queue_name) == 0, message="acked")
    assert deliveries.ids.count(envelope.id) == 1
    assert notes_app.effect_count() == 2


def _spawn_consumer(
    notes_database: str, amqp_url: str, exchange: str, queue: str, schemas_dir: Path, handled_log: Path,
    crash_flag: Path | None = None,
) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable, str(TESTS_DIR / "plumbing_consumer_proc.py"),
        "--database-url", notes_database, "--amqp-url", amqp_url, "--exchange", exchange,
        "--queue", queue, "--schemas-dir", str(schemas_dir), "--handled-log", str(handled_log),
    ]
    if crash_flag is not None:
        cmd += ["--crash-flag", str(crash_flag)]
    return subprocess.Popen(cmd, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_consumer_killed_after_commit_before_ack_is_redelivered_and_applied_once(
    notes_app, notes_database, amqp_url, exchange, queue_name, schemas_dir, transport_factory, amqp, tmp_path
) -> None:
    sub = Subscription(queue_name, NOTE_KEYS, lambda body, headers: None)
    transport_factory().declare(sub)
    envelope = Envelope.new(
        plumbing_notes.NOTE_CREATED, {"note_id": str(uuid.uuid4()), "text": "crash"},
        producer="notes", occurred_at=SystemClock().now(),
    )
    amqp.publish(exchange, envelope.routing_key, envelope.to_json(), message_id=envelope.id)
    crash_flag, handled_log = tmp_path / "crash-once", tmp_path / "handled.log"
    crash_flag.touch()

    procs: list[subprocess.Popen[bytes]] = []
    try:
        first = _spawn_consumer(notes_database, amqp_url, exchange, queue_name, schemas_dir, handled_log, crash_flag)
        procs.append(first)
        assert first.wait(timeout=20) == 1, "the first consumer should have crashed"
        assert not crash_flag.exists()
        assert notes_app.effect_count(envelope.id) == 1  # committed before the crash
        wait_until(lambda: amqp.count(queue_name) == 1, message="unacked message back in the queue")

        second = _spawn_consumer(notes_database, amqp_url, exchange, queue_name, schemas_dir, handled_log)
        procs.append(second)
        wait_until(lambda: len(handled_log.read_text().splitlines()) == 2, timeout=20, message="redelivered")
        wait_until(lambda: amqp.count(queue_name) == 0, message="acked by the second consumer")
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=15) == 0
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)

    lines = [line.split() for line in handled_log.read_text().splitlines()]
    assert [message_id for _, message_id in lines] == [envelope.id, envelope.id]
    assert lines[0][0] == str(first.pid) and lines[1][0] == str(second.pid)
    assert notes_app.effect_count(envelope.id) == 1
    assert notes_app.inbox_count() == 1
    assert amqp.count(queue_name) == 0


def test_publisher_replaces_a_connection_the_broker_closed_while_idle(amqp_url, exchange, amqp, proxy) -> None:
    queue = testing.unique_name("idle")
    amqp.channel.exchange_declare(exchange, "topic", durable=True)
    amqp.channel.queue_declare(queue, durable=True)
    amqp.channel.queue_bind(queue, exchange, routing_key="#")
    publisher = RabbitPublisher(proxy.url_for(amqp_url), exchange)
    try:
        first = Envelope.new("test.note.created", {}, producer="t", occurred_at=SystemClock().now())
        publisher.publish(first, first.to_json(), {})
        proxy.drop_connections()  # as a broker does with a client that missed its heartbeats
        second = Envelope.new("test.note.created", {}, producer="t", occurred_at=SystemClock().now())
        publisher.publish(second, second.to_json(), {})  # no PublishError: one retry on a new connection
        assert proxy.connections == 2
        wait_until(lambda: amqp.ready(queue) == 2, message="both messages routed")
    finally:
        publisher.close()
