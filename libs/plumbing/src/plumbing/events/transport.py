"""What a transport must do, whatever carries the messages (RabbitMQ, or in-process)."""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from plumbing.events.envelope import Envelope, PoisonMessage

# A message handler receives the raw body and the message headers. It returns once the effect is
# committed. It raises PoisonMessage for a message that can never succeed (dead-letter at once).
# Any other exception is classified by `is_infrastructure_failure`: a dependency that is down
# (database, broker, network, timeouts, serialization conflicts) is retried with back-off without
# counting an attempt, for as long as it takes; anything else (a domain error, a bug) counts, and
# the message is dead-lettered after `max_attempts`.
MessageHandler = Callable[[bytes, Mapping[str, Any]], None]


class InfrastructureError(Exception):
    """Raised by a handler when something it depends on is unavailable: retry, do not count."""


@functools.cache
def _infrastructure_types() -> tuple[type[BaseException], ...]:
    import sqlalchemy.exc

    types: list[type[BaseException]] = [
        InfrastructureError,
        ConnectionError,
        TimeoutError,
        socket.gaierror,
        sqlalchemy.exc.OperationalError,  # unreachable, disconnect, serialization failure, deadlock, timeout
        sqlalchemy.exc.InterfaceError,
        sqlalchemy.exc.TimeoutError,  # no connection free in the pool
        sqlalchemy.exc.PendingRollbackError,  # the connection died inside this transaction
    ]
    try:
        import psycopg

        types += [psycopg.OperationalError, psycopg.InterfaceError]
    except ImportError:  # pragma: no cover - psycopg is a dependency, but SQLite-only installs work
        pass
    try:
        import pika.exceptions

        types.append(pika.exceptions.AMQPError)
    except ImportError:  # pragma: no cover
        pass
    try:
        import httpx

        types.append(httpx.TransportError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(types)


def is_infrastructure_failure(exc: BaseException) -> bool:
    """True when `exc` (or an exception it was raised from) means a dependency is unavailable."""
    import sqlalchemy.exc

    kinds = _infrastructure_types()
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, kinds):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def is_poison(exc: BaseException) -> bool:
    """Failures that no retry can fix: PoisonMessage, and RecursionError (absurdly nested input)."""
    return isinstance(exc, PoisonMessage | RecursionError)


class PublishError(Exception):
    """The broker did not confirm the message; the outbox row stays unpublished."""


class Publisher(Protocol):
    def publish(self, envelope: Envelope, body: bytes, headers: Mapping[str, Any]) -> None:
        """Publish persistently; return only once the broker has confirmed, else raise."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Subscription:
    """One consuming service's durable queue and what it is bound to."""

    queue: str
    binding_keys: tuple[str, ...]
    handler: MessageHandler
    max_attempts: int = 5


class ConsumerTransport(Protocol):
    def consume(self, subscription: Subscription, stop: threading.Event) -> None:
        """Deliver messages to the subscription's handler until `stop` is set."""


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: `*` is exactly one word, `#` zero or more words."""
    words = routing_key.split(".")
    parts = pattern.split(".")

    def match(i: int, j: int) -> bool:
        if i == len(parts):
            return j == len(words)
        if parts[i] == "#":
            return any(match(i + 1, k) for k in range(j, len(words) + 1))
        if j == len(words):
            return False
        return (parts[i] == "*" or parts[i] == words[j]) and match(i + 1, j + 1)

    return match(0, 0)
