"""What the mailer's handlers need from outside, as protocols: bootstrap plugs the adapters in.

| port | adapter (bootstrap) | fake (tests) |
|---|---|---|
| `UnitOfWork` (emails, accounts + outbox/inbox) | `adapters.unit_of_work.SqlMailerUnitOfWork` | the SQLite database |
| `Mailer` | `adapters.mail.SmtpMailer`, `FileMailer` | `RecordingMailer` (tests/conftest.py) |
| `Templates` | `adapters.templates.EmailTemplates` | — |
| `OffersReference` (members) | `adapters.offers_reference.HttpOffersReference` | `StaticReference` (tests) |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from mailer.domain.members import Company, FollowedCompany, Preferences
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


# Job seekers (members): follows, preferences, company names ---------------------------------


class FollowRepository(Protocol):
    def add(self, account_id: str, company_id: str, now: datetime) -> bool:
        """Follow a company; False when it already was (nothing changes)."""

    def remove(self, account_id: str, company_id: str) -> bool: ...

    def count(self, account_id: str) -> int: ...

    def list(self, account_id: str) -> list[FollowedCompany]:
        """The companies an account follows, by name, with their display names."""


class PreferenceRepository(Protocol):
    def get(self, account_id: str) -> Preferences | None: ...

    def save(self, preferences: Preferences) -> None: ...


class CompanyDirectory(Protocol):
    def get(self, company_id: str) -> Company | None: ...

    def named(self, name: str) -> Company | None:
        """The company of that display name (the demo data's), if one."""

    def remember(self, company: Company) -> bool:
        """Keep a company's name unless a later change is already held; True when it was kept."""


@dataclass(frozen=True)
class ReferenceItem:
    code: str
    fr: str
    en: str

    def label(self, locale: str) -> str:
        return self.en if locale == "en" and self.en else self.fr


class ReferenceUnavailable(Exception):
    """offers' reference data could not be read (and no copy is held)."""


class OffersReference(Protocol):
    def lists(self) -> dict[str, tuple[ReferenceItem, ...]]:
        """offers' code lists by name (engineering_domains, regions, years_on_roll, …);
        ReferenceUnavailable when they can't be had."""


class UnitOfWork(BaseUnitOfWork, Protocol):
    emails: EmailRepository
    accounts: AccountDirectory
    attachments: AttachmentStore
    # job seekers
    follows: FollowRepository
    preferences: PreferenceRepository
    companies: CompanyDirectory


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    mailer: Mailer
    clock: Clock
    templates: Templates
    public_url: str
    contact_email: str
    #: offers' code lists, for the job seekers' subscriptions (None: the members' pages are off).
    reference: OffersReference | None = None
