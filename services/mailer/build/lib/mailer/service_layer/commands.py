"""Commands the mailer's entrypoints issue (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendDueEmails:
    """Deliver the pending emails that are due, up to a batch."""

    batch_size: int = 20
