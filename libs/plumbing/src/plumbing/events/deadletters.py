"""Dead letters on RabbitMQ: list them with why they died, show one, replay them.

Replaying publishes the message again to the consuming queue (the normal path: the consumer's
inbox makes a message that had in fact taken effect a no-op), with its attempt count reset, and
removes it from the dead-letter queue only once the broker confirmed the copy. Browsing takes the
messages without acking them and hands them back, so the queue is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.spec import BasicProperties

from plumbing.events.rabbitmq import PERSISTENT, connection_parameters, dlq_name

# Headers the consumer writes when it dead-letters (and the broker's own); dropped on replay.
_DEATH_HEADERS = (
    "x-death-reason", "x-error", "x-attempt", "x-infra-retries", "x-dead-lettered-at", "x-original-queue",
    "x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
    "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason",
)


@dataclass(frozen=True)
class DeadLetter:
    id: str
    event_type: str
    reason: str
    error: str
    attempts: int
    dead_lettered_at: str
    headers: dict[str, Any]
    body: bytes

    def summary(self) -> str:
        return f"{self.id}  {self.event_type or '?'}  {self.reason}  {self.dead_lettered_at}  {self.error[:160]}"


def _dead_letter(properties: BasicProperties, body: bytes) -> DeadLetter:
    headers = dict(properties.headers or {})
    reason = str(headers.get("x-death-reason") or "")
    error = str(headers.get("x-error") or "")
    if not reason and headers.get("x-death"):  # dead-lettered by the broker (delivery limit)
        death = headers["x-death"][0]
        reason = _text(death.get("reason", "broker"))
        error = error or f"dead-lettered by the broker from {_text(death.get('queue', '?'))}"
    message_id = properties.message_id or "sha256:" + hashlib.sha256(body).hexdigest()[:16]
    return DeadLetter(
        id=message_id,
        event_type=properties.type or "",
        reason=reason or "unknown",
        error=error,
        attempts=int(headers.get("x-attempt") or 0),
        dead_lettered_at=str(headers.get("x-dead-lettered-at") or ""),
        headers=headers,
        body=body,
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class DeadLetterQueue:
    """The dead letters of one consuming queue (`<queue>.dlq`)."""

    def __init__(self, amqp_url: str, queue: str) -> None:
        self.amqp_url = amqp_url
        self.queue = queue

    @contextmanager
    def _channel(self) -> Iterator[BlockingChannel]:
        connection = pika.BlockingConnection(connection_parameters(self.amqp_url, f"dlq {self.queue}"))
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            yield channel
        finally:
            if connection.is_open:
                connection.close()  # unacked messages go back to the queue, in their places

    def _walk(self, channel: BlockingChannel, visit: Callable[[int, DeadLetter, BasicProperties], None]) -> None:
        while True:
            method, properties, body = channel.basic_get(dlq_name(self.queue), auto_ack=False)
            if method is None:
                return
            visit(method.delivery_tag, _dead_letter(properties, body), properties)

    def list(self) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        with self._channel() as channel:
            self._walk(channel, lambda _tag, letter, _props: found.append(letter))
        return found

    def show(self, letter_id: str) -> list[DeadLetter]:
        return [letter for letter in self.list() if letter.id == letter_id]

    def replay(self, letter_id: str | None = None) -> list[str]:
        """Send back to the queue the dead letters with this id (every one when None)."""
        replayed: list[str] = []
        with self._channel() as channel:

            def visit(tag: int, letter: DeadLetter, properties: BasicProperties) -> None:
                if letter_id is not None and letter.id != letter_id:
                    return
                headers = {k: v for k, v in letter.headers.items() if k not in _DEATH_HEADERS}
                headers["x-replayed"] = int(headers.get("x-replayed") or 0) + 1
                channel.basic_publish(
                    exchange="",
                    routing_key=self.queue,
                    body=letter.body,
                    properties=BasicProperties(
                        delivery_mode=PERSISTENT,
                        message_id=properties.message_id,
                        type=properties.type,
                        content_type=properties.content_type,
                        headers=headers,
                    ),
                    mandatory=True,
                )
                channel.basic_ack(tag)  # only after the broker confirmed the copy
                replayed.append(letter.id)

            self._walk(channel, visit)
        return replayed
