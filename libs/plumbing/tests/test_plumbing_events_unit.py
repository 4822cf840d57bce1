"""Unit tests, no broker and no database: topic matching, envelopes, the in-process broker."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from plumbing.clock import SystemClock
from plumbing.events.envelope import Envelope, PoisonMessage
from plumbing.events.inprocess import InProcessBroker
from plumbing.events.transport import InfrastructureError, Subscription, topic_matches
from plumbing.testing import wait_until


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("offers.offer.submitted", "offers.offer.submitted", True),
        ("offers.offer.submitted", "offers.offer.approved", False),
        ("offers.*.submitted", "offers.offer.submitted", True),
        ("offers.*", "offers.offer.submitted", False),
        ("offers.#", "offers.offer.submitted", True),
        ("offers.#", "offers", True),
        ("#", "billing.credit.purchased", True),
        ("#.purchased", "billing.credit.purchased", True),
        ("*.*.purchased", "billing.credit.purchased", True),
        ("*.purchased", "billing.credit.purchased", False),
        ("billing.#.purchased", "billing.purchased", True),
        ("billing.#.purchased", "billing.credit.x.purchased", True),
        ("billing.#.purchased", "billing.credit.refunded", False),
        ("*", "a.b", False),
        ("a.b.c", "a.b", False),
    ],
)
def test_topic_matches_like_amqp(pattern: str, key: str, expected: bool) -> None:
    assert topic_matches(pattern, key) is expected


def make_envelope(**data: object) -> Envelope:
    return Envelope.new(
        "test.note.created", dict(data) or {"x": 1}, producer="tests", occurred_at=datetime(2026, 1, 2, tzinfo=UTC)
    )


def test_envelope_round_trips_through_json() -> None:
    envelope = make_envelope(text="héllo")
    assert Envelope.from_json(envelope.to_json()) == envelope
    assert envelope.occurred_at == "2026-01-02T00:00:00Z"
    assert "traceparent" not in envelope.to_dict()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'"a string"',
        b"null",
        b'{"type": "a.b.c"}',
        b'{"id": "1", "type": "a.b.c", "version": "one", "occurred_at": "x", "producer": "p", "data": {}}',
        b'{"id": "1", "type": "a.b.c", "version": 1, "occurred_at": "x", "producer": "p", "data": "text"}',
        b'{"id": "1", "type": "a.b.c", "version": 1, "occurred_at": "x", "producer": "p", "data": 3}',
    ],
)
def test_anything_but_an_envelope_is_poison(body: bytes) -> None:
    with pytest.raises(PoisonMessage):
        Envelope.from_json(body)


# In-process broker ---------------------------------------------------------------------------
def run_broker(broker: InProcessBroker, sub: Subscription) -> threading.Event:
    broker.declare(sub)
    stop = threading.Event()
    threading.Thread(target=broker.consume, args=(sub, stop), daemon=True).start()
    return stop


def test_inprocess_broker_retries_then_succeeds() -> None:
    calls: list[bytes] = []

    def flaky(body: bytes, headers: object) -> None:
        calls.append(body)
        if len(calls) < 3:
            raise RuntimeError("database busy")

    broker = InProcessBroker(retry_delays=(0.01, 0.02))
    sub = Subscription("q", ("test.note.*",), flaky, max_attempts=5)
    stop = run_broker(broker, sub)
    try:
        envelope = make_envelope()
        broker.publish(envelope, envelope.to_json(), {})
        assert broker.wait_idle(timeout=5)
        assert len(calls) == 3
        assert broker.dead_letters["q"] == []
    finally:
        stop.set()


def test_inprocess_broker_dead_letters_after_max_attempts_and_poison_at_once() -> None:
    calls: list[bytes] = []

    def handler(body: bytes, headers: object) -> None:
        calls.append(body)
        if body.startswith(b"poison"):
            raise PoisonMessage("bad body")
        raise RuntimeError("always fails")

    broker = InProcessBroker(retry_delays=(0.01,))
    sub = Subscription("q", ("#",), handler, max_attempts=3)
    stop = run_broker(broker, sub)
    try:
        envelope = make_envelope()
        broker.publish(envelope, b"poison", {})
        broker.publish(envelope, b"failing", {})
        wait_until(lambda: len(broker.dead_letters["q"]) == 2, timeout=5)
        assert broker.wait_idle(timeout=5)
        assert calls.count(b"poison") == 1
        assert calls.count(b"failing") == 3
        reasons = dict(broker.dead_letters["q"])
        assert reasons[b"poison"] == "bad body"
        assert "always fails" in reasons[b"failing"]
    finally:
        stop.set()


def test_inprocess_broker_routes_by_binding_and_wait_idle_covers_the_running_handler() -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[bytes] = []

    def slow(body: bytes, headers: object) -> None:
        started.set()
        release.wait(5)
        seen.append(body)

    broker = InProcessBroker()
    stop = run_broker(broker, Subscription("q", ("test.note.created",), slow))
    try:
        broker.publish(make_envelope(), b"one", {})
        other = Envelope.new("test.other.created", {}, producer="t", occurred_at=datetime.now(UTC))
        broker.publish(other, b"not bound", {})
        assert started.wait(5)
        assert broker.wait_idle(timeout=0.2) is False  # a message is still being handled
        release.set()
        assert broker.wait_idle(timeout=5)
        assert seen == [b"one"]
    finally:
        stop.set()


def test_inprocess_broker_retries_infrastructure_failures_without_counting_attempts() -> None:
    broker = InProcessBroker(retry_delays=(0.01,))
    calls: list[int] = []

    def handler(body: bytes, headers: Any) -> None:
        calls.append(1)
        if len(calls) <= 6:  # more failures than max_attempts
            raise InfrastructureError("database unreachable")

    sub = Subscription("q", ("#",), handler, max_attempts=2)
    stop = threading.Event()
    thread = threading.Thread(target=broker.consume, args=(sub, stop), daemon=True)
    broker.declare(sub)
    thread.start()
    try:
        broker.publish(Envelope.new("a.b.c", {}, producer="t", occurred_at=SystemClock().now()), b"{}", {})
        assert broker.wait_idle(timeout=10)
    finally:
        stop.set()
        thread.join(5)
    assert len(calls) == 7
    assert broker.dead_letters["q"] == []
