"""What a transport must do, whatever carries the messages (RabbitMQ, or in-process)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from plumbing.events.envelope import Envelope

# A message handler receives the raw body and the message headers. It returns once the effect is
# committed. It raises PoisonMessage for a message that can never succeed (dead-letter at once);
# any other exception means "try again later" (retry with back-off, then dead-letter).
MessageHandler = Callable[[bytes, Mapping[str, Any]], None]


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
