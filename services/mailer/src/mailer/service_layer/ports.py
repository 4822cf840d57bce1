"""What the mailer's handlers need from outside, as protocols: bootstrap plugs the adapters in.

| port | adapter (bootstrap) | fake (tests) |
|---|---|---|
| `UnitOfWork` (emails, accounts + outbox/inbox) | `adapters.unit_of_work.SqlMailerUnitOfWork` | the SQLite database |
| `Mailer` | `adapters.mail.SmtpMailer`, `FileMailer` | `RecordingMailer` (tests/conftest.py) |
| `Templates` | `adapters.templates.EmailTemplates` | — |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mailer.domain.model import Attachment, Email, KnownAccount, Rendered
from plumbing.clock import Clock
from plumbing.ports import UnitOfWork as BaseUnitOfWork


@dataclass(frozen=True)
class OutgoingEmail:
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str
    date: datetime
    reply_to: str | None = None
    attachments: tuple[Attachment, ...] = field(default=(), repr=False)


class MailError(Exception):
    """Delivery failed. `permanent` when the server refused this message for good (5xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Mailer(Protocol):
    def send(self, email: OutgoingEmail) -> None:
        """Hand the email over for delivery; raise MailError when it could not be."""


class Templates(Protocol):
    def render(self, name: str, context: dict[str, Any]) -> Rendered: ...


class EmailRepository(Protocol):
    def add(self, email: Email) -> None: ...

    def get(self, email_id: str) -> Email | None: ...

    def get_by_dedup_key(self, key: str) -> Email | None: ...

    def list(self) -> list[Email]: ...

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Email]:
        """Lease up to `limit` due pending emails to this caller until `lease_until` (no other sender takes them)."""

    def release(self, email_ids: list[str], lease_until: datetime, now: datetime) -> None:
        """Give back leased emails that were not attempted: due again at once."""


class AccountDirectory(Protocol):
    def remember(self, account: KnownAccount, now: datetime) -> None:
        """Record (or update) an account's email and locale."""

    def get(self, account_id: str) -> KnownAccount | None: ...


class AttachmentStore(Protocol):
    """Files of pending emails (an application's CV), until the email is sent or given up."""

    def add(self, email_id: str, attachments: list[Attachment]) -> None: ...

    def of(self, email_id: str) -> list[Attachment]: ...

    def delete(self, email_id: str) -> int: ...


class UnitOfWork(BaseUnitOfWork, Protocol):
    emails: EmailRepository
    accounts: AccountDirectory
    attachments: AttachmentStore


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    mailer: Mailer
    clock: Clock
    templates: Templates
    public_url: str
    contact_email: str
