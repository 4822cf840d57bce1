"""The worker runner: threads for relays, consumers and tickers; restarts dead threads; heartbeat;
stops on an event or a signal."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from plumbing import entry
from plumbing.events.transport import Subscription
from plumbing.liveness import beat, is_alive, touch
from plumbing.testing import wait_until
from plumbing.worker import run_worker


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


class CrashingTransport:
    """Crashes on its first two runs (a bug), then consumes until stopped."""

    def __init__(self) -> None:
        self.runs = 0
        self.consuming = threading.Event()

    def consume(self, subscription: Subscription, stop: threading.Event) -> None:
        self.runs += 1
        if self.runs <= 2:
            raise ValueError("Expected connected socket, but getpeername() failed")
        self.consuming.set()
        while not stop.wait(0.05):
            beat()


def test_a_crashing_consumer_thread_is_restarted_and_the_heartbeat_resumes(tmp_path: Path) -> None:
    heartbeat = tmp_path / "heartbeat"
    transport, stop = CrashingTransport(), threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=([], [Subscription("a", ("#",), noop_handler)], transport, (), stop),
        kwargs={"heartbeat": heartbeat, "restart_delays": (0.05, 0.1)},
        daemon=True,
    )
    worker.start()
    wait_until(transport.consuming.is_set, timeout=10, message="consumer restarted after two crashes")
    assert transport.runs == 3
    wait_until(lambda: is_alive(heartbeat, max_age=5), timeout=10, message="heartbeat written once healthy")
    stop.set()
    worker.join(5)
    assert not worker.is_alive()


def test_no_heartbeat_while_a_thread_makes_no_progress(tmp_path: Path) -> None:
    """A thread that is alive but stuck (no beat) leaves the heartbeat file stale."""
    heartbeat = tmp_path / "heartbeat"
    stuck, stop = FakeRelay(), threading.Event()  # FakeRelay never beats
    worker = threading.Thread(
        target=run_worker, args=([stuck], [], None, (), stop),
        kwargs={"heartbeat": heartbeat, "stale_after": 2.0}, daemon=True,
    )
    worker.start()
    assert stuck.running.wait(5)
    wait_until(lambda: heartbeat.exists(), timeout=5, message="first heartbeat while fresh")
    wait_until(lambda: not is_alive(heartbeat, max_age=1.0), timeout=10, message="heartbeat goes stale")
    stop.set()
    worker.join(5)


def test_alive_command_reads_the_heartbeat_age(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    heartbeat = tmp_path / "hb"
    monkeypatch.setenv("WORKER_HEARTBEAT_FILE", str(heartbeat))
    with pytest.raises(SystemExit) as missing:
        entry.main(["alive"])
    assert missing.value.code == 1
    touch(heartbeat)
    with pytest.raises(SystemExit) as fresh:
        entry.main(["alive", "--max-age", "60"])
    assert fresh.value.code == 0
    os.utime(heartbeat, (0, 0))
    with pytest.raises(SystemExit) as stale:
        entry.main(["alive", "--max-age", "60"])
    assert stale.value.code == 1


def test_subscriptions_need_a_transport() -> None:
    with pytest.raises(ValueError, match="transport"):
        run_worker([], [Subscription("a", ("#",), noop_handler)], None)
