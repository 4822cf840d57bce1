"""Outbox → RabbitMQ → inbox, against the real PostgreSQL and RabbitMQ (own database and vhost)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

import plumbing_notes
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from plumbing.clock import SystemClock
from plumbing.events.envelope import Envelope, PoisonMessage
from plumbing.events.rabbitmq import RabbitPublisher
from plumbing.events.transport import PublishError, Subscription
from plumbing.telemetry import setup_tracing
from plumbing.testing import wait_until

NOTE_KEYS = (plumbing_notes.NOTE_CREATED,)


class Recorder:
    """Wraps a message handler and remembers every delivery it saw."""

    def __init__(self, handler: Any) -> None:
        self.handler = handler
        self.deliveries: list[tuple[bytes, dict[str, Any]]] = []
        self.outcomes: list[str] = []

    def __call__(self, body: bytes, headers: Mapping[str, Any]) -> None:
        self.deliveries.append((body, dict(headers)))
        try:
            self.handler(body, headers)
        except Exception as exc:
            self.outcomes.append(type(exc).__name__)
            raise
        self.outcomes.append("ok")

    def count(self, message_id: str) -> int:
        return sum(1 for _, headers in self.deliveries if headers.get("message_id") == message_id)


def good_envelope(text: str = "by hand") -> Envelope:
    return Envelope.new(
        plumbing_notes.NOTE_CREATED,
        {"note_id": str(uuid.uuid4()), "text": text},
        producer="notes",
        occurred_at=SystemClock().now(),
    )


def test_happy_path_relay_publishes_with_confirms_and_the_consumer_applies_once(
    notes_app, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory, amqp
) -> None:
    transport = transport_factory()
    recorder = Recorder(notes_app.consumer())
    sub = Subscription(queue_name, NOTE_KEYS, recorder)
    transport.declare(sub)
    background.consume(transport, sub)
    background.relay(notes_app.relay(publisher_factory(amqp_url, exchange)))

    envelope = notes_app.create_note("first")

    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, message="effect applied")
    wait_until(lambda: notes_app.outbox_row(envelope.id)["published_at"] is not None, message="row marked")
    wait_until(lambda: amqp.count(queue_name) == 0, message="message acked")
    assert recorder.count(envelope.id) == 1
    body, headers = recorder.deliveries[0]
    assert Envelope.from_json(body) == envelope
    assert headers["type"] == plumbing_notes.NOTE_CREATED
    assert notes_app.inbox_count(envelope.id) == 1
    assert notes_app.outbox_row(envelope.id)["last_error"] is None


def test_publisher_unroutable_is_fine_and_an_unreachable_broker_is_a_publish_error(amqp_url, exchange) -> None:
    publisher = RabbitPublisher(amqp_url, exchange)
    envelope = good_envelope()
    publisher.publish(envelope, envelope.to_json(), {})  # no queue bound: confirmed and dropped
    publisher.close()
    publisher.publish(envelope, envelope.to_json(), {})  # reopens after close
    publisher.close()

    dead = RabbitPublisher("amqp://guest:guest@127.0.0.1:1/%2F", exchange)
    with pytest.raises(PublishError):
        dead.publish(envelope, envelope.to_json(), {})
    dead.close()


def test_same_message_delivered_twice_has_one_effect(
    notes_app, exchange, queue_name, background, transport_factory, amqp
) -> None:
    transport = transport_factory()
    recorder = Recorder(notes_app.consumer())
    sub = Subscription(queue_name, NOTE_KEYS, recorder)
    transport.declare(sub)
    envelope = good_envelope()
    for _ in range(2):
        amqp.publish(exchange, envelope.routing_key, envelope.to_json(), message_id=envelope.id)
    background.consume(transport, sub)

    wait_until(lambda: recorder.count(envelope.id) == 2, message="both copies delivered")
    wait_until(lambda: amqp.count(queue_name) == 0, message="both acked")
    assert recorder.outcomes == ["ok", "ok"]
    assert notes_app.effect_count(envelope.id) == 1
    assert notes_app.inbox_count(envelope.id) == 1


def test_poison_messages_go_to_the_dlq_and_the_consumer_keeps_going(
    notes_app, exchange, queue_name, background, transport_factory, amqp
) -> None:
    transport = transport_factory()
    recorder = Recorder(notes_app.consumer())
    sub = Subscription(queue_name, NOTE_KEYS, recorder)
    transport.declare(sub)
    key = plumbing_notes.NOTE_CREATED
    amqp.publish(exchange, key, b"{this is not json", message_id="not-json")
    against_schema = Envelope.new(
        key, {"note_id": "too short", "text": 42}, producer="notes", occurred_at=SystemClock().now()
    )
    amqp.publish(exchange, key, against_schema.to_json(), message_id=against_schema.id)
    good = good_envelope("after the poison")
    amqp.publish(exchange, key, good.to_json(), message_id=good.id)
    background.consume(transport, sub)

    wait_until(lambda: notes_app.effect_count(good.id) == 1, message="good message handled after poison")
    wait_until(lambda: amqp.count(f"{queue_name}.dlq") == 2, message="two dead letters")
    wait_until(lambda: amqp.count(queue_name) == 0, message="main queue drained")
    assert recorder.outcomes == ["PoisonMessage", "PoisonMessage", "ok"]  # each tried once
    dead = amqp.get_all(f"{queue_name}.dlq")
    assert [body for _, body in dead] == [b"{this is not json", against_schema.to_json()]
    for headers, _ in dead:
        assert headers["x-death-reason"] == "poison"
        assert headers["x-error"]
    assert "text" in dead[1][0]["x-error"] or "note_id" in dead[1][0]["x-error"]
    assert notes_app.effect_count() == 1


def test_failing_handler_is_retried_through_the_retry_queue_then_dead_lettered(
    notes_app, exchange, queue_name, background, transport_factory, amqp
) -> None:
    transport = transport_factory(retry_delays_ms=(100, 150))
    flaky_failures: dict[str, int] = {}

    def before_effect(envelope: Envelope) -> None:
        if envelope.data["text"] == "always fails":
            raise RuntimeError("downstream is broken")
        if flaky_failures.get(envelope.id, 0) < 2:
            flaky_failures[envelope.id] = flaky_failures.get(envelope.id, 0) + 1
            raise RuntimeError("temporary failure")

    recorder = Recorder(notes_app.consumer(before_effect))
    sub = Subscription(queue_name, NOTE_KEYS, recorder, max_attempts=3)
    transport.declare(sub)
    flaky, doomed = good_envelope("fails twice"), good_envelope("always fails")
    amqp.publish(exchange, flaky.routing_key, flaky.to_json(), message_id=flaky.id)
    amqp.publish(exchange, doomed.routing_key, doomed.to_json(), message_id=doomed.id)
    background.consume(transport, sub)

    wait_until(lambda: notes_app.effect_count(flaky.id) == 1, message="applied on the third attempt")
    wait_until(lambda: amqp.count(f"{queue_name}.dlq") == 1, message="doomed message dead-lettered")
    retry_queues = (f"{queue_name}.retry.100ms", f"{queue_name}.retry.150ms")  # one queue per delay
    wait_until(lambda: amqp.count(queue_name) + sum(amqp.ready(q) for q in retry_queues) == 0,
               message="queues drained")

    attempts = {
        message_id: [h.get("x-attempt", 1) for _, h in recorder.deliveries if h["message_id"] == message_id]
        for message_id in (flaky.id, doomed.id)
    }
    assert attempts == {flaky.id: [1, 2, 3], doomed.id: [1, 2, 3]}
    assert notes_app.effect_count(flaky.id) == 1
    assert notes_app.inbox_count(flaky.id) == 1
    assert notes_app.inbox_count(doomed.id) == 0  # failed attempts rolled back their inbox claim
    [(headers, body)] = amqp.get_all(f"{queue_name}.dlq")
    assert body == doomed.to_json()
    assert headers["x-death-reason"] == "max-attempts"
    assert "downstream is broken" in headers["x-error"]
    assert headers["x-attempt"] == 3


def test_trace_context_flows_from_the_emitting_span_through_publish_to_receive(
    notes_app, amqp_url, exchange, queue_name, background, publisher_factory, transport_factory
) -> None:
    exporter = InMemorySpanExporter()
    setup_tracing("plumbing-tests", exporter=exporter, batch=False)
    transport = transport_factory()
    sub = Subscription(queue_name, NOTE_KEYS, notes_app.consumer())
    transport.declare(sub)
    background.consume(transport, sub)
    background.relay(notes_app.relay(publisher_factory(amqp_url, exchange)))

    with trace.get_tracer("tests").start_as_current_span("create note") as span:
        envelope = notes_app.create_note("traced")
        origin = span.get_span_context()

    wait_until(lambda: notes_app.effect_count(envelope.id) == 1, message="effect applied")

    def spans_named(name: str) -> list[Any]:
        return [
            s for s in exporter.get_finished_spans()
            if s.name == name and s.attributes.get("messaging.message.id") == envelope.id
        ]

    [publish] = wait_until(lambda: spans_named(f"{envelope.type} publish"), message="publish span")
    [receive] = wait_until(lambda: spans_named(f"{envelope.type} receive"), message="receive span")
    assert envelope.traceparent is not None
    assert publish.context.trace_id == origin.trace_id
    assert receive.context.trace_id == origin.trace_id
    assert publish.parent.span_id == origin.span_id
    assert receive.parent.span_id == publish.context.span_id


def test_raw_handler_sees_message_id_and_headers(exchange, queue_name, background, transport_factory, amqp) -> None:
    seen: list[dict[str, Any]] = []

    def handler(body: bytes, headers: Mapping[str, Any]) -> None:
        if json.loads(body)["n"] == 0:
            raise PoisonMessage("zero is poison")
        seen.append(dict(headers))

    transport = transport_factory()
    sub = Subscription(queue_name, ("raw.#",), handler)
    transport.declare(sub)
    transport.declare(sub)  # idempotent
    background.consume(transport, sub)
    amqp.publish(exchange, "raw.thing.happened", b'{"n": 0}', headers={"traceparent": "x"}, message_id="m0")
    amqp.publish(exchange, "raw.thing.happened", b'{"n": 1}', headers={"custom": "value"}, message_id="m1")
    amqp.publish(exchange, "unbound.thing.happened", b'{"n": 2}', message_id="m2")

    wait_until(lambda: seen, message="second message handled")
    assert seen == [{"custom": "value", "message_id": "m1"}]
    wait_until(lambda: amqp.count(f"{queue_name}.dlq") == 1, message="poison dead-lettered")
    [(headers, _)] = amqp.get_all(f"{queue_name}.dlq")
    assert headers["traceparent"] == "x"
    assert headers["x-error"] == "zero is poison"


def test_message_that_never_gets_acked_is_dead_lettered_at_the_delivery_limit(
    exchange, queue_name, transport_factory, amqp
) -> None:
    """A message that kills every consumer (never acked, always returned) ends in the DLQ."""
    transport = transport_factory(delivery_limit=2)
    transport.declare(Subscription(queue_name, ("crash.#",), lambda body, headers: None))
    amqp.publish(exchange, "crash.thing.happened", b"kills the consumer", message_id="m-crash")
    for _ in range(3):  # three deliveries, each returned as a dying consumer's would be
        method = wait_until(lambda: amqp.channel.basic_get(queue_name)[0], message="delivery")
        amqp.channel.basic_nack(method.delivery_tag, requeue=True)
    wait_until(lambda: amqp.ready(f"{queue_name}.dlq") == 1, message="dead-lettered by the broker")
    assert amqp.ready(queue_name) == 0
    [(headers, body)] = amqp.get_all(f"{queue_name}.dlq")
    assert body == b"kills the consumer"
    assert headers["x-death"][0]["reason"] == "delivery_limit"
