"""RabbitMQ transport: the production twin of the in-process broker (same behaviour).

Topology, per consuming service (declared idempotently by `declare_queues`, from the topology
step that runs with the migrations, and again by each consumer when it connects):

- one durable topic exchange shared by every service;
- `<queue>`: the service's quorum queue, bound to each of its binding keys; a message delivered
  `delivery_limit` times without an ack (it crashes its consumer) is dead-lettered by the broker;
- `<queue>.retry.<ms>ms`: one durable classic queue per back-off delay, without consumers, whose
  queue TTL is the delay; a failed message is published there and dead-letters back to `<queue>`
  when it expires (one queue per delay, so a short back-off never waits behind a long one);
- `<queue>.dlq`: a durable queue of dead letters (poison, or out of attempts), with the reason in
  the `x-death-reason`, `x-error` and `x-dead-lettered-at` headers (or the broker's `x-death`, for
  the delivery limit); `python -m plumbing.entry dlq <service> …` lists and replays them.

Failures are classified (transport.is_infrastructure_failure): a dependency that is down is
retried without counting an attempt, and the consumer slows down; a poison message is
dead-lettered at once; any other failure counts, up to the subscription's `max_attempts`.

A message is acked only after the handler returned (its effect is committed) or after its copy in
the retry or dead-letter queue was confirmed by the broker, so a crash at any point redelivers and
never loses a message; consumers' inboxes make the redelivery harmless.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pika
import pika.exceptions
from pika.adapters.blocking_connection import BlockingChannel, BlockingConnection
from pika.spec import Basic, BasicProperties

from plumbing.config import env, env_int
from plumbing.events.envelope import Envelope
from plumbing.events.transport import PublishError, Subscription, is_infrastructure_failure, is_poison
from plumbing.liveness import beat, wait_beating

log = logging.getLogger(__name__)

# Failures of the connection or channel (broker down, restart, network): reconnect and go on.
_BROKER_ERRORS: tuple[type[BaseException], ...] = (pika.exceptions.AMQPError, OSError)
# Errors that mean a cached connection had died while idle.
_STALE_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    pika.exceptions.AMQPConnectionError,
    pika.exceptions.ChannelClosed,
    pika.exceptions.ChannelWrongStateError,
    pika.exceptions.ConnectionWrongStateError,
    OSError,
)
PERSISTENT = 2  # AMQP delivery mode: written to disk


def connection_parameters(amqp_url: str, connection_name: str) -> pika.URLParameters:
    """Parameters from an AMQP URL, with timeouts so a dead broker fails fast instead of hanging.

    Query arguments in the URL (`?heartbeat=30&socket_timeout=5…`) win over these defaults.
    """
    params = pika.URLParameters(amqp_url)
    given = parse_qs(urlsplit(amqp_url).query)
    defaults: dict[str, Any] = {
        "socket_timeout": 5.0,
        "stack_timeout": 10.0,
        "blocked_connection_timeout": 30.0,
        "connection_attempts": 1,
    }
    for name, value in defaults.items():
        if name not in given:
            setattr(params, name, value)
    params.client_properties = {"connection_name": connection_name}
    return params


def declare_exchange(channel: BlockingChannel, exchange: str) -> None:
    channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)


def dlq_name(queue: str) -> str:
    return f"{queue}.dlq"


def retry_queue_name(queue: str, delay_ms: int) -> str:
    return f"{queue}.retry.{int(delay_ms)}ms"


class RabbitPublisher:
    """Publisher with confirms; the connection is opened on first use and reopened after a failure."""

    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url = amqp_url
        self.exchange = exchange
        self._lock = threading.Lock()
        self._connection: BlockingConnection | None = None
        self._channel: BlockingChannel | None = None

    def publish(self, envelope: Envelope, body: bytes, headers: Mapping[str, Any]) -> None:
        """Publish persistently; return once the broker confirmed, else raise PublishError.

        A message that no queue is bound to is confirmed and dropped by the broker: not an error.
        """
        properties = BasicProperties(
            delivery_mode=PERSISTENT,
            message_id=envelope.id,
            type=envelope.type,
            content_type="application/json",
            headers=dict(headers),
        )
        with self._lock:
            reused = self._channel is not None and self._channel.is_open
            try:
                self._publish(envelope.routing_key, body, properties)
                return
            except Exception as exc:  # noqa: BLE001 - every failure is a PublishError
                self._drop()
                if not (reused and isinstance(exc, _STALE_CONNECTION_ERRORS)):
                    raise PublishError(f"publish of {envelope.id} failed: {exc!r}") from exc
                # A connection left idle may have been closed by the broker (missed heartbeats):
                # try once on a fresh one. A duplicate, if the first went through, is harmless.
                log.info("publisher connection was stale, reconnecting: %r", exc)
            try:
                self._publish(envelope.routing_key, body, properties)
            except Exception as exc:  # noqa: BLE001 - every failure is a PublishError
                self._drop()
                raise PublishError(f"publish of {envelope.id} failed: {exc!r}") from exc

    def _publish(self, routing_key: str, body: bytes, properties: BasicProperties) -> None:
        channel = self._ensure_channel()
        channel.basic_publish(
            exchange=self.exchange,
            routing_key=routing_key,
            body=body,
            properties=properties,
            mandatory=False,
        )

    def _ensure_channel(self) -> BlockingChannel:
        if self._channel is not None and self._channel.is_open:
            return self._channel
        self._drop()
        connection = pika.BlockingConnection(connection_parameters(self.amqp_url, f"publisher {self.exchange}"))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            declare_exchange(channel, self.exchange)
        except BaseException:
            _close_quietly(connection)
            raise
        self._connection, self._channel = connection, channel
        return channel

    def _drop(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            _close_quietly(connection)

    def close(self) -> None:
        with self._lock:
            self._drop()


class RabbitConsumerTransport:
    """Consumes a subscription's quorum queue with manual acks, delayed retries and dead letters."""

    def __init__(
        self,
        amqp_url: str,
        exchange: str,
        prefetch: int = 10,
        retry_delays_ms: tuple[int, ...] = (1000, 5000, 30000),
        *,
        poll_interval: float = 0.25,
        reconnect_delays: tuple[float, float] = (0.5, 10.0),
        delivery_limit: int = 20,
        infra_delays_ms: tuple[int, ...] | None = None,
        infra_pause: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        if not retry_delays_ms:
            raise ValueError("retry_delays_ms must not be empty")
        self.amqp_url = amqp_url
        self.exchange = exchange
        self.prefetch = prefetch
        self.retry_delays_ms = tuple(int(d) for d in retry_delays_ms)
        self.infra_delays_ms = tuple(int(d) for d in (infra_delays_ms or retry_delays_ms))
        self.infra_pause = infra_pause
        self.poll_interval = poll_interval
        self.reconnect_delays = reconnect_delays
        self.delivery_limit = delivery_limit

    @property
    def delays_ms(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.retry_delays_ms) | set(self.infra_delays_ms)))

    # Topology ------------------------------------------------------------------------------
    def declare(self, subscription: Subscription) -> None:
        """Declare the exchange and the subscription's queues and bindings (idempotent)."""
        connection = self._connect(f"declare {subscription.queue}")
        try:
            self._declare(connection.channel(), subscription)
        finally:
            _close_quietly(connection)

    def _declare(self, channel: BlockingChannel, subscription: Subscription) -> None:
        declare_queues(
            channel, self.exchange, subscription.queue, subscription.binding_keys, self.delays_ms,
            self.delivery_limit,
        )

    # Consuming -----------------------------------------------------------------------------
    def consume(self, subscription: Subscription, stop: threading.Event) -> None:
        """Deliver messages to the subscription's handler until `stop` is set.

        Whatever goes wrong with the connection (pika raises many kinds of exception, not all of
        them AMQP errors: a cut socket can surface as `ValueError: Expected connected socket`),
        the consumer closes it and reconnects with exponential back-off; it never dies of it.
        """
        first_delay, max_delay = self.reconnect_delays
        delay = first_delay
        while not stop.is_set():
            beat()
            connected = threading.Event()
            try:
                self._consume_connected(subscription, stop, connected)
            except Exception as exc:  # noqa: BLE001 - reconnect, whatever the failure
                if connected.is_set():
                    delay = first_delay
                log.warning(
                    "consumer %s: broker connection lost, reconnecting in %.1fs: %r",
                    subscription.queue, delay, exc, exc_info=not isinstance(exc, _BROKER_ERRORS),
                )
                wait_beating(stop, delay)
                delay = min(delay * 2, max_delay)

    def _connect(self, purpose: str) -> BlockingConnection:
        return pika.BlockingConnection(connection_parameters(self.amqp_url, f"{purpose} {self.exchange}"))

    def _consume_connected(
        self, subscription: Subscription, stop: threading.Event, connected: threading.Event
    ) -> None:
        connection = self._connect(f"consumer {subscription.queue}")
        try:
            channel = connection.channel()
            self._declare(channel, subscription)
            channel.basic_qos(prefetch_count=self.prefetch)
            republish = connection.channel()
            republish.confirm_delivery()
            connected.set()
            log.info("consumer %s: consuming", subscription.queue)
            pause = 0.0
            for method, properties, body in channel.consume(
                subscription.queue, auto_ack=False, inactivity_timeout=self.poll_interval
            ):
                beat()
                if stop.is_set():
                    break
                if method is None:
                    continue
                if self._deliver(subscription, channel, republish, method, properties, body) == "infra":
                    # A dependency is down: slow down instead of cycling messages at full speed.
                    first, most = self.infra_pause
                    pause = min(pause * 2, most) if pause else first
                    _sleep_beating(connection, stop, pause)
                else:
                    pause = 0.0
            channel.cancel()  # hands prefetched, unhandled messages back to the queue
        finally:
            _close_quietly(connection)

    def _deliver(
        self,
        subscription: Subscription,
        channel: BlockingChannel,
        republish: BlockingChannel,
        method: Basic.Deliver,
        properties: BasicProperties,
        body: bytes,
    ) -> str:
        """Handle one message and ack it; return "ok", "infra", "retry" or "dead"."""
        headers: dict[str, Any] = dict(properties.headers or {})
        if properties.message_id is not None:
            headers["message_id"] = properties.message_id
        attempt = _as_int(headers.get("x-attempt"), default=1)
        outcome = "ok"
        try:
            subscription.handler(body, headers)
        except Exception as exc:  # noqa: BLE001 - classified below
            if is_poison(exc):
                log.warning("consumer %s: dead-lettered poison message: %s", subscription.queue, exc)
                self._dead_letter(republish, subscription, properties, body, "poison", str(exc), attempt)
                outcome = "dead"
            elif is_infrastructure_failure(exc):
                waits = _as_int(headers.get("x-infra-retries"), default=0)
                delay_ms = self.infra_delays_ms[min(waits, len(self.infra_delays_ms) - 1)]
                log.warning(
                    "consumer %s: dependency unavailable for %s, retrying in %sms (attempt not counted): %r",
                    subscription.queue, properties.message_id, delay_ms, exc,
                )
                self._retry(republish, subscription, properties, body, attempt, delay_ms, waits + 1)
                outcome = "infra"
            elif attempt >= subscription.max_attempts:
                log.error(
                    "consumer %s: dead-lettered %s after %s attempts: %r",
                    subscription.queue, properties.message_id, attempt, exc,
                )
                self._dead_letter(republish, subscription, properties, body, "max-attempts", repr(exc), attempt)
                outcome = "dead"
            else:
                delay_ms = self.retry_delays_ms[min(attempt - 1, len(self.retry_delays_ms) - 1)]
                log.warning(
                    "consumer %s: handler failed on %s (attempt %s), retrying in %sms: %r",
                    subscription.queue, properties.message_id, attempt, delay_ms, exc,
                )
                self._retry(republish, subscription, properties, body, attempt + 1, delay_ms, None)
                outcome = "retry"
        channel.basic_ack(delivery_tag=method.delivery_tag)
        return outcome

    def _retry(
        self,
        republish: BlockingChannel,
        subscription: Subscription,
        properties: BasicProperties,
        body: bytes,
        next_attempt: int,
        delay_ms: int,
        infra_retries: int | None,
    ) -> None:
        headers = _forwarded_headers(properties)
        headers["x-attempt"] = next_attempt
        if infra_retries is not None:
            headers["x-infra-retries"] = infra_retries
        republish.basic_publish(
            exchange="",
            routing_key=retry_queue_name(subscription.queue, delay_ms),
            body=body,
            properties=_copy_properties(properties, headers),
            mandatory=True,  # a missing retry queue raises, so the message is not acked and lost
        )

    def _dead_letter(
        self,
        republish: BlockingChannel,
        subscription: Subscription,
        properties: BasicProperties,
        body: bytes,
        reason: str,
        error: str,
        attempt: int,
    ) -> None:
        headers = _forwarded_headers(properties)
        headers.update({
            "x-death-reason": reason,
            "x-error": error[:2000],
            "x-attempt": attempt,
            "x-dead-lettered-at": datetime.now(UTC).isoformat(timespec="seconds"),
            "x-original-queue": subscription.queue,
        })
        republish.basic_publish(
            exchange="",
            routing_key=dlq_name(subscription.queue),
            body=body,
            properties=_copy_properties(properties, headers),
            mandatory=True,
        )


def declare_queues(
    channel: BlockingChannel,
    exchange: str,
    queue: str,
    binding_keys: tuple[str, ...],
    delays_ms: tuple[int, ...],
    delivery_limit: int = 20,
) -> None:
    """One consuming queue's topology (idempotent): the queue and its bindings, one retry queue
    per back-off delay, and the dead-letter queue. Run by the topology step and by consumers."""
    declare_exchange(channel, exchange)
    channel.queue_declare(
        queue=queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            # A message that keeps coming back without an ack (it kills the consumer process)
            # is dead-lettered by the broker after this many deliveries.
            "x-delivery-limit": delivery_limit,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dlq_name(queue),
        },
    )
    for key in binding_keys:
        channel.queue_bind(queue=queue, exchange=exchange, routing_key=key)
    channel.queue_declare(queue=dlq_name(queue), durable=True)
    for delay_ms in delays_ms:
        # One queue per delay: every message in it has the same TTL, so the head always expires
        # first and a short back-off never waits behind a long one.
        channel.queue_declare(
            queue=retry_queue_name(queue, delay_ms),
            durable=True,
            arguments={
                "x-message-ttl": int(delay_ms),
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": queue,
            },
        )


def _sleep_beating(connection: BlockingConnection, stop: threading.Event, seconds: float) -> None:
    """Wait on the connection (its heartbeats keep flowing) while beating for liveness."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        beat()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        connection.sleep(min(left, 1.0))


def _forwarded_headers(properties: BasicProperties) -> dict[str, Any]:
    """The message's own headers, without the broker's dead-letter bookkeeping."""
    return {
        k: v for k, v in (properties.headers or {}).items()
        if k != "x-death" and not k.startswith(("x-first-death-", "x-last-death-"))
    }


def _copy_properties(properties: BasicProperties, headers: dict[str, Any]) -> BasicProperties:
    return BasicProperties(
        delivery_mode=PERSISTENT,
        message_id=properties.message_id,
        type=properties.type,
        content_type=properties.content_type,
        headers=headers,
    )


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _close_quietly(connection: BlockingConnection) -> None:
    try:
        if connection.is_open:
            connection.close()
    except Exception as exc:  # noqa: BLE001 - closing a dead connection may fail in many ways
        log.debug("ignoring error on close: %r", exc)


def consumer_transport_from_env(amqp_url: str, exchange: str) -> RabbitConsumerTransport:
    """The consumer transport as configured: EVENT_RETRY_DELAYS_MS (back-offs of counted
    attempts, comma-separated), EVENT_INFRA_DELAYS_MS (back-offs while a dependency is down;
    default: the same), EVENT_PREFETCH. The topology step uses the same, so queues match."""
    def delays(name: str, default: str) -> tuple[int, ...]:
        return tuple(int(part) for part in env(name, default).split(",") if part.strip())

    retry = delays("EVENT_RETRY_DELAYS_MS", "1000,5000,30000")
    return RabbitConsumerTransport(
        amqp_url,
        exchange,
        prefetch=env_int("EVENT_PREFETCH", 10),
        retry_delays_ms=retry,
        infra_delays_ms=delays("EVENT_INFRA_DELAYS_MS", ",".join(map(str, retry))),
    )
