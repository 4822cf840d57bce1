"""Readiness checks for `/readyz` (plumbing.web.app.ServiceApp): the database and the broker.

The broker check speaks AMQP (a TCP connect would pass through a proxy or load balancer whose
backend is down). It keeps one connection open between probes instead of opening one per probe
(a handshake costs the broker more than a probe is worth), and caches its answer for a moment,
so a burst of probes (several kubelets, the gateway's /healthz) costs one round trip.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import pika
import pika.exceptions

log = logging.getLogger(__name__)


class BrokerUnreachable(ConnectionError):
    """The broker did not answer the readiness check."""


class BrokerCheck:
    """A readiness check: raise BrokerUnreachable unless the broker answers.

    Each call reuses the open connection (pumping its I/O, which also answers heartbeats and
    notices a connection the broker or the network dropped) or opens a new one, with a short
    timeout so the probe answers in time. The answer is kept for `ttl` seconds.
    """

    def __init__(self, amqp_url: str, *, ttl: float = 2.0, timeout: float = 1.5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.amqp_url = amqp_url
        self.ttl = ttl
        self.timeout = timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._checked_at: float | None = None
        self._error: str | None = None
        self.connections_opened = 0

    def __call__(self) -> None:
        with self._lock:
            now = self.clock()
            if self._checked_at is None or now - self._checked_at >= self.ttl:
                self._error = self._probe()
                self._checked_at = now
            if self._error is not None:
                raise BrokerUnreachable(self._error)

    def _probe(self) -> str | None:
        """None when the broker answers, else why not."""
        connection = self._connection
        if connection is not None and connection.is_open:
            try:
                connection.process_data_events(time_limit=0)
                if connection.is_open:
                    return None
            except Exception:  # noqa: BLE001 - any failure of a dead connection: open a new one
                log.info("readiness: broker connection lost, reconnecting")
            self.close()
        try:
            self._connection = pika.BlockingConnection(self._parameters())
            self.connections_opened += 1
            return None
        except Exception as exc:  # noqa: BLE001 - pika raises more than AMQPError (STACK-NOTES)
            self.close()
            return type(exc).__name__

    def _parameters(self) -> pika.URLParameters:
        params = pika.URLParameters(self.amqp_url)
        params.socket_timeout = self.timeout
        params.stack_timeout = self.timeout
        params.blocked_connection_timeout = self.timeout
        params.connection_attempts = 1
        params.client_properties = {"connection_name": "readiness"}
        return params

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                if connection.is_open:
                    connection.close()
            except Exception:  # noqa: BLE001,S110 - closing a dead connection may fail; it is gone anyway
                pass
