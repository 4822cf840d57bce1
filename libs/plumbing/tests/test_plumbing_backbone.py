"""The hardened backbone on real PostgreSQL and RabbitMQ: outages that consume no attempts, broker
cuts that kill no consumer, dead letters replayed, corrupt outbox rows parked, topology ahead."""

from __future__ import annotations

import json
import threading
import uuid
from argparse import Namespace
from collections.abc import Iterator
from types import SimpleNamespace
from urllib.parse import urlsplit

import plumbing_notes
import pytest
import sqlalchemy.exc
from sqlalchemy import insert, text

from plumbing import operator
from plumbing.clock import SystemClock
from plumbing.db import make_engine
from plumbing.events.deadletters import DeadLetterQueue
from plumbing.events.envelope import Envelope
from plumbing.events.rabbitmq import RabbitConsumerTransport
from plumbing.events.relay import OutboxRelay
from plumbing.events.transport import Subscription, is_infrastructure_failure
from plumbing.operator import declare_topology
from plumbing.testing import TcpProxy, wait_until

NOTE_KEYS = (plumbing_notes.NOTE_CREATED,)


def note_envelope(text: str = "by hand") -> Envelope:
    return Envelope.new(plumbing_notes.NOTE_CREATED, {"note_id": str(uuid.uuid4()), "text": text},
                        producer="notes", occurred_at=SystemClock().now())


@pytest.fixture
def pg_proxy(notes_database: str) -> Iterator[TcpProxy]:
    parts = urlsplit(notes_database)
    with TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432) as proxy:
        yield proxy


def test_database_outage_longer_than_the_retry_schedule_dead_letters_nothing(
    notes_app, notes_database, schemas_dir, exchange, queue_name, background, transport_factory, amqp, pg_proxy
) -> None:
    """200 events flow while PostgreSQL is unreachable for far longer than the retry schedule
    (3 attempts, 0.1 s + 0.2 s): none is dead-lettered and each takes effect once when it is back."""
    via_proxy = pg_proxy.url_for(notes_database)
    consumer_app = plumbing_notes.build_app(via_proxy, schemas_dir)
    try:
        transport = transport_factory(retry_delays_ms=(100, 200), infra_pause=(0.01, 0.02))
        failures = FailureCount(consumer_app.consumer())
        sub = Subscription(queue_name, NOTE_KEYS, failures, max_attempts=3)
        transport.declare(sub)
        background.consume(transport, sub)
        first = note_envelope("before the outage")
        amqp.publish(exchange, first.routing_key, first.to_json(), message_id=first.id)
        wait_until(lambda: notes_app.effect_count(first.id) == 1, message="consumer works")

        pg_proxy.refuse()
        envelopes = [note_envelope(f"during the outage {i}") for i in range(200)]
        for envelope in envelopes:
            amqp.publish(exchange, envelope.routing_key, envelope.to_json(), message_id=envelope.id)
        # Longer than the whole schedule: every message failed more often than max_attempts.
        wait_until(lambda: failures.least([e.id for e in envelopes]) > 3, timeout=120,
                   message=lambda: f"every message failed 4 times (least: {failures.least([e.id for e in envelopes])})")
        assert amqp.ready(f"{queue_name}.dlq") == 0
        assert notes_app.effect_count() == 1
        pg_proxy.accept()

        wait_until(lambda: notes_app.effect_count() == 201, timeout=120, message="every effect after recovery")
        wait_until(lambda: amqp.count(queue_name) == 0, timeout=30, message="queue drained")
        assert amqp.ready(f"{queue_name}.dlq") == 0
        assert notes_app.inbox_count() == 201
        for envelope in envelopes[::20]:
            assert notes_app.effect_count(envelope.id) == 1
    finally:
        consumer_app.close()


class FailureCount:
    """Counts failed deliveries per message id around the real consumer."""

    def __init__(self, handler) -> None:  # type: ignore[no-untyped-def]
        self.handler = handler
        self.failed: dict[str, int] = {}

    def __call__(self, body, headers) -> None:  # type: ignore[no-untyped-def]
        try:
            self.handler(body, headers)
        except Exception:
            message_id = headers.get("message_id")
            self.failed[message_id] = self.failed.get(message_id, 0) + 1
            raise

    def least(self, ids: list[str]) -> int:
        return min(self.failed.get(i, 0) for i in ids)


class CutOnce(RabbitConsumerTransport):
    """Raises what pika raised in the field, once, from inside the connected loop."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.cut = threading.Event()

    def _consume_connected(self, subscription, stop, connected) -> None:  # type: ignore[no-untyped-def]
        if not self.cut.is_set():
            self.cut.set()
            raise ValueError("Expected connected socket, but getpeername() failed")
        super()._consume_connected(subscription, stop, connected)


def test_any_exception_from_the_connection_leads_to_a_reconnect(
    notes_app, amqp_url, exchange, queue_name, background, amqp
) -> None:
    transport = CutOnce(amqp_url, exchange, retry_delays_ms=(100,), reconnect_delays=(0.05, 0.2))
    sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer())
    transport.declare(sub)
    background.consume(transport, sub)
    envelope = note_envelope()
    amqp.publish(exchange, envelope.routing_key, envelope.to_json(), message_id=envelope.id)
    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, message="consumed after the reconnect")
    assert transport.cut.is_set()


def test_repeated_broker_cuts_never_kill_the_consumer(
    notes_app, amqp_url, exchange, queue_name, background, transport_factory, amqp
) -> None:
    with TcpProxy.for_url(amqp_url) as proxy:
        transport = transport_factory(proxy.url_for(amqp_url), reconnect_delays=(0.05, 0.3))
        sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer())
        transport.declare(sub)
        background.consume(transport, sub)
        sent = []
        for round_ in range(5):
            envelope = note_envelope(f"round {round_}")
            sent.append(envelope)
            proxy.refuse()
            amqp.publish(exchange, envelope.routing_key, envelope.to_json(), message_id=envelope.id)
            connections = proxy.connections
            proxy.accept()
            wait_until(lambda: notes_app.effect_count(envelope.id) == 1,  # noqa: B023
                       timeout=30, message=f"delivered after cut {round_}")
            assert proxy.connections > connections  # it reconnected
        assert notes_app.effect_count() == 5
        assert not background.errors


def test_a_dead_letter_is_listed_with_its_reason_replayed_after_a_fix_and_takes_effect_once(
    notes_app, amqp_url, exchange, queue_name, background, transport_factory, amqp, capsys
) -> None:
    broken = threading.Event()
    broken.set()

    def before_effect(envelope: Envelope) -> None:
        if broken.is_set():
            raise KeyError("colour")  # a bug in the handler

    transport = transport_factory(retry_delays_ms=(50,))
    sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer(before_effect), max_attempts=2)
    transport.declare(sub)
    background.consume(transport, sub)
    envelope = note_envelope("needs the fix")
    amqp.publish(exchange, envelope.routing_key, envelope.to_json(), message_id=envelope.id)

    dlq = DeadLetterQueue(amqp_url, queue_name)
    [letter] = wait_until(dlq.list, timeout=15, message="dead-lettered")
    assert (letter.id, letter.reason, letter.attempts) == (envelope.id, "max-attempts", 2)
    assert "colour" in letter.error and letter.dead_lettered_at
    assert dlq.list() == [letter]  # listing changes nothing
    assert notes_app.effect_count() == 0
    # The operator command shows the same, with the reason.
    bundle = TopologyBundle(amqp_url, exchange, sub)
    assert operator.dead_letters(bundle, Namespace(action="list", id=None, all=False)) == 0
    listing = capsys.readouterr().out
    assert f"{queue_name}.dlq: 1 dead letter(s)" in listing
    assert envelope.id in listing and "max-attempts" in listing and "colour" in listing
    operator.dead_letters(bundle, Namespace(action="show", id=envelope.id, all=False))
    assert "reason: max-attempts" in capsys.readouterr().out

    broken.clear()  # the fix is deployed
    assert operator.dead_letters(bundle, Namespace(action="replay", id=envelope.id, all=False)) == 0
    assert f"replayed 1 message(s) {envelope.id}" in capsys.readouterr().out
    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, message="replayed through the normal path")
    assert dlq.list() == []
    assert dlq.replay(envelope.id) == []  # replaying again: nothing left to replay
    # Even a second copy of the same message (replayed twice by mistake) changes nothing.
    amqp.publish("", queue_name, envelope.to_json(), message_id=envelope.id)
    wait_until(lambda: amqp.count(queue_name) == 0, message="second copy acked")
    assert notes_app.effect_count(envelope.id) == 1


def test_replay_all_sends_back_every_dead_letter(amqp_url, exchange, queue_name, transport_factory, amqp) -> None:
    transport_factory().declare(Subscription(queue_name, NOTE_KEYS, lambda body, headers: None))
    for n in range(3):
        amqp.publish("", f"{queue_name}.dlq", b"{}", headers={"x-death-reason": "poison", "x-error": f"e{n}"},
                     message_id=f"m{n}")
    dlq = DeadLetterQueue(amqp_url, queue_name)
    assert [letter.error for letter in dlq.list()] == ["e0", "e1", "e2"]
    assert dlq.replay() == ["m0", "m1", "m2"]
    assert dlq.list() == []
    replayed = amqp.get_all(queue_name)
    assert [headers.get("x-replayed") for headers, _ in replayed] == [1, 1, 1]
    assert all("x-error" not in headers for headers, _ in replayed)


def test_a_corrupt_outbox_row_is_parked_and_the_events_behind_it_are_published(
    notes_app, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory, caplog
) -> None:
    transport = transport_factory()
    sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer())
    transport.declare(sub)  # the topology step
    before = notes_app.create_note("before")
    with notes_app.engine.begin() as conn:
        conn.execute(insert(plumbing_notes.outbox).values(
            message_id=str(uuid.uuid4()), event_type=plumbing_notes.NOTE_CREATED, body="{corrupt",
            created_at=SystemClock().now(), attempts=0))
    after = notes_app.create_note("after")
    relay = notes_app.relay(publisher_factory(amqp_url, exchange))
    relay.publish_pending()
    background.consume(transport, sub)  # the consumer starts after the events were published

    wait_until(lambda: notes_app.effect_count() == 2, message="the events around the corrupt row flowed")
    assert notes_app.effect_count(before.id) == notes_app.effect_count(after.id) == 1
    [parked] = [row for row in notes_app.outbox_rows() if row["parked_at"] is not None]
    assert parked["published_at"] is None and parked["last_error"].startswith("parked:")
    assert relay.parked_count() == 1
    assert "cannot be published, parked" in caplog.text
    assert relay.publish_pending() == 0  # a parked row is not retried on every pass


def test_only_one_relay_of_a_service_publishes_at_a_time(notes_app, publisher_factory, amqp_url, exchange) -> None:
    notes_app.create_note("waits for the lock")
    relay = OutboxRelay(notes_app.session_factory, plumbing_notes.outbox,
                        publisher_factory(amqp_url, exchange), SystemClock(), producer="notes")
    with notes_app.engine.connect() as other, other.begin():  # another relay mid-pass
        assert other.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": 0x696E67656D706C}).scalar()
        assert relay.publish_pending() == 0
    assert relay.publish_pending() == 1


class TopologyBundle:
    """What declare_topology reads from a service bundle: its settings and subscriptions."""

    def __init__(self, amqp_url: str, exchange: str, subscription: Subscription) -> None:
        self.runtime = SimpleNamespace(settings=SimpleNamespace(embedded=False, amqp_url=amqp_url, exchange=exchange))
        self._subscription = subscription
        self.name = "notes"

    def subscriptions(self) -> list[Subscription]:
        return [self._subscription]


def test_events_published_before_a_consumer_first_starts_wait_in_its_queue(
    notes_app, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory
) -> None:
    sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer())
    assert declare_topology(TopologyBundle(amqp_url, exchange, sub)) == [queue_name]  # the migrate step
    envelope = notes_app.create_note("published before the consumer ever ran")
    assert notes_app.relay(publisher_factory(amqp_url, exchange)).publish_pending() == 1
    background.consume(transport_factory(), sub)  # the consumer's first start
    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, message="delivered on first start")


def test_a_hung_query_hits_the_statement_timeout_and_counts_as_infrastructure(notes_database) -> None:
    engine = make_engine(notes_database, statement_timeout_ms=100)
    try:
        with pytest.raises(sqlalchemy.exc.OperationalError) as caught, engine.connect() as connection:
            connection.execute(text("SELECT pg_sleep(30)"))
        assert "statement timeout" in str(caught.value)
        assert is_infrastructure_failure(caught.value)
    finally:
        engine.dispose()


def test_over_the_broker_a_v1_consumer_gets_v1_beside_v2_and_ignores_a_newer_producers_extra_field(
    notes_app, schemas_dir, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory, amqp
) -> None:
    v2_schema = json.dumps(plumbing_notes.NOTE_CREATED_V2_SCHEMA)
    (schemas_dir / f"{plumbing_notes.NOTE_CREATED}.v2.schema.json").write_text(v2_schema, encoding="utf-8")
    versions: list[int] = []
    sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer(lambda envelope: versions.append(envelope.version)))
    transport = transport_factory()
    transport.declare(sub)
    background.consume(transport, sub)
    background.relay(notes_app.relay(publisher_factory(amqp_url, exchange)))

    note_id = str(uuid.uuid4())
    with notes_app.uow() as uow:
        v1, _ = uow.emit_versions(plumbing_notes.NOTE_CREATED, {
            1: {"note_id": note_id, "text": "hi"}, 2: {"note_id": note_id, "body": {"text": "hi"}}})
        uow.commit()
    newer = json.loads(note_envelope("from a newer producer").to_json())
    newer["data"]["colour"] = "blue"
    newer["partition"] = 7
    amqp.publish(exchange, newer["type"], json.dumps(newer).encode(), message_id=newer["id"])

    wait_until(lambda: notes_app.effect_count() == 2, message="v1 and the newer producer's event")
    wait_until(lambda: amqp.count(queue_name) == 0, message="every copy acked, v2 included")
    assert notes_app.effect_count(v1.id) == 1 and notes_app.effect_count(newer["id"]) == 1
    assert sorted(versions) == [1, 1]
    assert amqp.ready(f"{queue_name}.dlq") == 0
