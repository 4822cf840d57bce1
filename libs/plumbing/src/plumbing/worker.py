"""A service's worker process: outbox relays, event consumers and periodic tasks, in threads.

Each service's worker `main()` builds its parts in its composition root and hands them here.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from plumbing.events.relay import OutboxRelay
from plumbing.events.transport import ConsumerTransport, Subscription

log = logging.getLogger(__name__)


class WorkerCrashed(RuntimeError):
    """A relay or consumer thread died of an unexpected error; the worker stopped."""


def run_worker(
    relays: Sequence[OutboxRelay],
    subscriptions: Sequence[Subscription],
    transport: ConsumerTransport | None,
    tickers: Iterable[tuple[float, Callable[[], None]]] = (),
    stop: threading.Event | None = None,
    join_timeout: float = 15.0,
) -> None:
    """Run everything until `stop` is set (or SIGTERM/SIGINT in the main thread), then join.

    A ticker `(seconds, fn)` calls `fn` every `seconds` (first call after one period); its
    exceptions are logged and it goes on. A relay or consumer that dies of an unexpected error
    stops the whole worker, which then raises WorkerCrashed (so the process exits non-zero and
    gets restarted).
    """
    if subscriptions and transport is None:
        raise ValueError("subscriptions need a transport")
    stop = stop if stop is not None else threading.Event()
    crashed: list[str] = []
    threads: list[threading.Thread] = []

    def start(name: str, target: Callable[..., None], *args: Any) -> None:
        def body() -> None:
            try:
                target(*args)
            except BaseException:
                log.exception("worker thread %s crashed; stopping the worker", name)
                crashed.append(name)
                stop.set()

        thread = threading.Thread(target=body, name=name, daemon=True)
        threads.append(thread)
        thread.start()

    restore = _install_signal_handlers(stop)
    try:
        for i, relay in enumerate(relays):
            start(f"relay-{i}", relay.run, stop)
        for sub in subscriptions:
            assert transport is not None
            start(f"consumer-{sub.queue}", transport.consume, sub, stop)
        for i, (interval, fn) in enumerate(tickers):
            start(f"ticker-{i}-{getattr(fn, '__name__', 'fn')}", _tick, interval, fn, stop)
        log.info("worker running: %s", ", ".join(t.name for t in threads) or "nothing")
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        restore()
        for relay in relays:
            relay.wake()  # a relay backing off would otherwise sleep out its delay
        for thread in threads:
            thread.join(join_timeout)
            if thread.is_alive():
                log.warning("worker thread %s did not stop within %.0fs", thread.name, join_timeout)
    log.info("worker stopped")
    if crashed:
        raise WorkerCrashed(f"worker threads crashed: {', '.join(crashed)}")


def _tick(interval: float, fn: Callable[[], None], stop: threading.Event) -> None:
    while not stop.wait(interval):
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
