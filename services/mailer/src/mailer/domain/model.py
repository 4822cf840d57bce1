"""An email queued for delivery, and the rules of its delivery: idempotence, retries, back-off."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

MAX_ATTEMPTS = 8
# Wait after the n-th failed attempt (n = 1..7); the 8th failure is final.
BACKOFF: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
)


class EmailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def dedup_key(event_id: str, template: str, recipient: str | None = None) -> str:
    """One email per (event, template): the key a redelivered event can never get past.

    An event that mails the same template to several people (`per_recipient`) gets one key per
    address: `<event id>:<template>:<sha256(lower-cased address)[:16]>` (an address can be 254
    characters, the key at most 200).
    """
    if recipient is None:
        return f"{event_id}:{template}"
    digest = hashlib.sha256(recipient.strip().lower().encode()).hexdigest()[:16]
    return f"{event_id}:{template}:{digest}"


def message_id_for(key: str) -> str:
    """A Message-ID stable across retries, so a receiving server can drop a duplicate."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return f"<{digest}@ingemplois>"


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after `attempts` failed attempts (1-based)."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


@dataclass(frozen=True)
class KnownAccount:
    """An account the mailer can write to by id (identity told its address and language)."""

    account_id: str
    email: str
    locale: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email (an application's CV), kept only until the email is sent."""

    filename: str
    content_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Rendered:
    """The three parts of a composed email."""

    subject: str
    text: str
    html: str


@dataclass(eq=False)
class Email:
    id: str
    dedup_key: str
    template: str
    recipient: str
    subject: str
    text_body: str
    html_body: str
    message_id: str
    status: EmailStatus
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    last_error: str | None = None
    sent_at: datetime | None = None
    #: Where an answer goes (an application: the candidate), else None.
    reply_to: str | None = None

    @classmethod
    def queue(cls, *, event_id: str, template: str, recipient: str, rendered: Rendered, now: datetime,
              per_recipient: bool = False, reply_to: str | None = None) -> Email:
        key = dedup_key(event_id, template, recipient if per_recipient else None)
        if "\n" in rendered.subject or "\r" in rendered.subject:
            raise ValueError("a subject is one line")
        return cls(
            id=str(uuid.uuid4()),
            dedup_key=key,
            template=template,
            recipient=recipient,
            subject=rendered.subject,
            text_body=rendered.text,
            html_body=rendered.html,
            message_id=message_id_for(key),
            status=EmailStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            reply_to=reply_to,
        )

    def mark_sent(self, now: datetime) -> None:
        """Delivered: the bodies are dropped, since they carry single-use tokens."""
        self.status = EmailStatus.SENT
        self.attempts += 1
        self.sent_at = now
        self.last_error = None
        self.text_body = ""
        self.html_body = ""

    def record_failure(self, error: str, now: datetime, *, permanent: bool = False) -> None:
        """A failed attempt: retry later with back-off, or give up (permanent, or too many)."""
        self.attempts += 1
        self.last_error = error[:2000]
        if permanent or self.attempts >= MAX_ATTEMPTS:
            self.status = EmailStatus.FAILED
        else:
            self.next_attempt_at = now + retry_delay(self.attempts)

    @property
    def pending(self) -> bool:
        return self.status == EmailStatus.PENDING
