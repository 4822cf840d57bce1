"""A service's worker process: outbox relays, event consumers and periodic tasks, in threads.

Each service's worker `main()` builds its parts in its composition root and hands them here.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plumbing.events.relay import OutboxRelay
from plumbing.events.transport import ConsumerTransport, Subscription
from plumbing.liveness import beat, last_beat, touch, wait_beating

log = logging.getLogger(__name__)


class WorkerCrashed(RuntimeError):
    """Kept for callers that catch it: threads are now restarted instead (see run_worker)."""


@dataclass
class _Part:
    """One supervised thread: what it runs, its thread, and its restart bookkeeping."""

    name: str
    target: Callable[..., None]
    args: tuple[Any, ...]
    thread: threading.Thread | None = None
    started_at: float = 0.0
    restarts: int = 0
    restart_at: float | None = None


def run_worker(
    relays: Sequence[OutboxRelay],
    subscriptions: Sequence[Subscription],
    transport: ConsumerTransport | None,
    tickers: Iterable[tuple[float, Callable[[], None]]] = (),
    stop: threading.Event | None = None,
    join_timeout: float = 15.0,
    *,
    heartbeat: Path | None = None,
    stale_after: float = 60.0,
    restart_delays: tuple[float, float] = (1.0, 30.0),
) -> None:
    """Run everything until `stop` is set (or SIGTERM/SIGINT in the main thread), then join.

    A ticker `(seconds, fn)` calls `fn` every `seconds` (first call after one period); its
    exceptions are logged and it goes on. Relays and consumers handle their own failures; a
    thread that still dies (a bug) is logged and restarted after a back-off that doubles up to
    `restart_delays[1]` (reset once it ran for a minute). With `heartbeat`, the file is touched
    every half second while every thread is alive and has beaten (plumbing.liveness) within
    `stale_after` seconds; the liveness probe watches its age.
    """
    if subscriptions and transport is None:
        raise ValueError("subscriptions need a transport")
    stop = stop if stop is not None else threading.Event()
    parts: list[_Part] = []
    for i, relay in enumerate(relays):
        parts.append(_Part(f"relay-{i}", relay.run, (stop,)))
    for sub in subscriptions:
        assert transport is not None
        parts.append(_Part(f"consumer-{sub.queue}", transport.consume, (sub, stop)))
    for i, (interval, fn) in enumerate(tickers):
        parts.append(_Part(f"ticker-{i}-{getattr(fn, '__name__', 'fn')}", _tick, (interval, fn, stop)))

    restore = _install_signal_handlers(stop)
    try:
        for part in parts:
            _start(part)
        log.info("worker running: %s", ", ".join(p.name for p in parts) or "nothing")
        while not stop.wait(0.5):
            _supervise(parts, stop, restart_delays)
            if heartbeat is not None and _healthy(parts, stale_after):
                touch(heartbeat)
    finally:
        stop.set()
        restore()
        for relay in relays:
            relay.wake()  # a relay backing off would otherwise sleep out its delay
        for part in parts:
            if part.thread is None:
                continue
            part.thread.join(join_timeout)
            if part.thread.is_alive():
                log.warning("worker thread %s did not stop within %.0fs", part.name, join_timeout)
    log.info("worker stopped")


def _start(part: _Part) -> None:
    def body() -> None:
        try:
            part.target(*part.args)
        except BaseException:
            log.exception("worker thread %s crashed; it will be restarted", part.name)

    part.thread = threading.Thread(target=body, name=part.name, daemon=True)
    part.started_at = time.monotonic()
    beat(part.name)
    part.thread.start()


def _supervise(parts: Sequence[_Part], stop: threading.Event, restart_delays: tuple[float, float]) -> None:
    """Restart the threads that died (not those that returned because `stop` is set)."""
    now = time.monotonic()
    for part in parts:
        if part.thread is None or part.thread.is_alive() or stop.is_set():
            continue
        if part.restart_at is None:
            if now - part.started_at > 60:
                part.restarts = 0
            first, most = restart_delays
            delay = min(first * 2 ** part.restarts, most)
            part.restart_at = now + delay
            log.error("worker thread %s died; restarting it in %.0fs", part.name, delay)
        elif now >= part.restart_at:
            part.restarts += 1
            part.restart_at = None
            log.warning("restarting worker thread %s (restart %d)", part.name, part.restarts)
            _start(part)


def _healthy(parts: Sequence[_Part], stale_after: float) -> bool:
    now = time.monotonic()
    for part in parts:
        if part.thread is None or not part.thread.is_alive():
            return False
        last = last_beat(part.name)
        if last is None or now - last > stale_after:
            log.warning("worker thread %s has not made progress for %.0fs", part.name, now - (last or 0))
            return False
    return True


def _tick(interval: float, fn: Callable[[], None], stop: threading.Event) -> None:
    while not wait_beating(stop, interval):
        try:
            fn()
        except Exception:  # noqa: BLE001 - a periodic task failing once must not stop the worker
            log.exception("periodic task %s failed", getattr(fn, "__name__", fn))


def _install_signal_handlers(stop: threading.Event) -> Callable[[], None]:
    """SIGTERM and SIGINT set `stop` (main thread only); returns a function restoring the old ones."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
