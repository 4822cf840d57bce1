"""Ticks the worker runs: (interval in seconds, function)."""

from __future__ import annotations

from collections.abc import Callable

from mailer.service_layer.commands import SendDueEmails
from plumbing.messagebus import MessageBus

SEND_INTERVAL = 1.0


def build_tickers(bus: MessageBus) -> list[tuple[float, Callable[[], None]]]:
    def send_due_emails() -> None:
        bus.handle(SendDueEmails())

    return [(SEND_INTERVAL, send_due_emails)]
