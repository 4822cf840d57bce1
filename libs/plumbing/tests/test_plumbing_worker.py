"""The worker runner: threads for relays, consumers and tickers; stops on an event or a signal."""

from __future__ import annotations

import os
import signal
import threading
from typing import Any

import pytest

from plumbing.events.transport import Subscription
from plumbing.testing import wait_until
from plumbing.worker import WorkerCrashed, run_worker


class FakeRelay:
    def __init__(self) -> None:
        self.running = threading.Event()
        self.stopped = threading.Event()

    def run(self, stop: threading.Event) -> None:
        self.running.set()
        stop.wait()
        self.stopped.set()

    def wake(self) -> None:
        return None


class FakeTransport:
    def __init__(self, crash: bool = False) -> None:
        self.consuming: list[str] = []
        self.crash = crash

    def consume(self, subscription: Subscription, stop: threading.Event) -> None:
        self.consuming.append(subscription.queue)
        if self.crash:
            raise RuntimeError("bug in the transport")
        stop.wait()


def noop_handler(body: bytes, headers: Any) -> None:
    return None


def test_worker_runs_everything_until_stopped_and_tickers_survive_errors() -> None:
    relay, transport, stop = FakeRelay(), FakeTransport(), threading.Event()
    ticks: list[int] = []

    def ticker() -> None:
        ticks.append(1)
        if len(ticks) == 1:
            raise RuntimeError("first tick fails")

    subs = [Subscription("a", ("x.y.z",), noop_handler), Subscription("b", ("#",), noop_handler)]
    worker = threading.Thread(
        target=run_worker, args=([relay], subs, transport, [(0.02, ticker)], stop), daemon=True
    )
    worker.start()
    assert relay.running.wait(5)
    wait_until(lambda: sorted(transport.consuming) == ["a", "b"] and len(ticks) >= 3, timeout=5)
    stop.set()
    worker.join(5)
    assert not worker.is_alive()
    assert relay.stopped.is_set()


def test_worker_stops_on_sigterm_in_the_main_thread() -> None:
    relay = FakeRelay()
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.2, lambda: relay.running.wait(5) and os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    run_worker([relay], [], None)  # returns once SIGTERM set the stop event
    timer.join()
    assert relay.stopped.is_set()
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers restored


def test_a_crashing_consumer_stops_the_worker_with_an_error() -> None:
    relay = FakeRelay()
    with pytest.raises(WorkerCrashed, match="consumer-a"):
        run_worker([relay], [Subscription("a", ("#",), noop_handler)], FakeTransport(crash=True))
    assert relay.stopped.is_set()


def test_subscriptions_need_a_transport() -> None:
    with pytest.raises(ValueError, match="transport"):
        run_worker([], [Subscription("a", ("#",), noop_handler)], None)
