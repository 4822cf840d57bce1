"""In-process transport for the embedded mode: same interface as RabbitMQ, no server.

Each subscription gets its own queue and delivery thread; failures are classified as on the broker
(infrastructure failures retried without counting, poison kept at once, others retried with
back-off and then kept as dead letters).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Mapping
from typing import Any

from plumbing.events.envelope import Envelope
from plumbing.events.transport import Subscription, is_infrastructure_failure, is_poison, topic_matches

log = logging.getLogger(__name__)


class InProcessBroker:
    def __init__(self, retry_delays: tuple[float, ...] = (0.05, 0.2, 1.0, 3.0)) -> None:
        self.retry_delays = retry_delays
        self._queues: dict[str, tuple[Subscription, queue.Queue[tuple[bytes, dict[str, Any], int]]]] = {}
        self._lock = threading.Lock()
        self.dead_letters: dict[str, list[tuple[bytes, str]]] = {}
        self._retrying = 0  # messages waiting for their retry timer (wait_idle must see them)

    # Publisher side -----------------------------------------------------------------------
    def publish(self, envelope: Envelope, body: bytes, headers: Mapping[str, Any]) -> None:
        with self._lock:
            targets = [
                q for sub, q in self._queues.values()
                if any(topic_matches(key, envelope.routing_key) for key in sub.binding_keys)
            ]
        for target in targets:
            target.put((body, dict(headers), 1))

    def close(self) -> None:
        return None

    # Consumer side ------------------------------------------------------------------------
    def declare(self, subscription: Subscription) -> None:
        """Create the subscription's queue (messages published before this are not kept)."""
        with self._lock:
            if subscription.queue not in self._queues:
                self._queues[subscription.queue] = (subscription, queue.Queue())
                self.dead_letters.setdefault(subscription.queue, [])

    def consume(self, subscription: Subscription, stop: threading.Event) -> None:
        self.declare(subscription)
        _, inbox = self._queues[subscription.queue]
        while not stop.is_set():
            try:
                body, headers, attempt = inbox.get(timeout=0.1)
            except queue.Empty:
                continue
            try:
                self._deliver(subscription, inbox, body, headers, attempt)
            finally:
                inbox.task_done()

    def _deliver(
        self,
        subscription: Subscription,
        inbox: queue.Queue[tuple[bytes, dict[str, Any], int]],
        body: bytes,
        headers: dict[str, Any],
        attempt: int,
    ) -> None:
        try:
            subscription.handler(body, headers)
        except Exception as exc:  # noqa: BLE001 - classified as on the broker
            if is_poison(exc):
                log.warning("dead-lettered poison message", extra={"queue": subscription.queue, "error": str(exc)})
                self.dead_letters[subscription.queue].append((body, str(exc)))
                return
            infra = is_infrastructure_failure(exc)
            if not infra and attempt >= subscription.max_attempts:
                log.error("dead-lettered after %s attempts", attempt, extra={"queue": subscription.queue})
                self.dead_letters[subscription.queue].append((body, repr(exc)))
                return
            delay = self.retry_delays[min(attempt - 1, len(self.retry_delays) - 1)]
            log.warning("handler failed, retrying in %.2fs (%s): %r", delay,
                        "attempt not counted" if infra else f"attempt {attempt}", exc)
            next_attempt = attempt if infra else attempt + 1
            with self._lock:
                self._retrying += 1

            def requeue() -> None:
                inbox.put((body, headers, next_attempt))
                with self._lock:
                    self._retrying -= 1

            timer = threading.Timer(delay, requeue)
            timer.daemon = True
            timer.start()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until every message was handled, retries included (tests and seeding)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle = self._retrying == 0 and all(q.unfinished_tasks == 0 for _, q in self._queues.values())
            if idle:
                return True
            time.sleep(0.02)
        return False
