"""Domain events: what happened to an account, recorded by the aggregate, published by the bus."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class Event:
    """Base class of identity's domain events."""


@dataclass(frozen=True)
class AccountRegistered(Event):
    """A new account must confirm its address; the raw token goes to the mailer, never stored."""

    account_id: str
    email: str
    kind: str
    locale: str
    first_name: str
    last_name: str
    verification_token: str
    verification_expires_at: datetime


@dataclass(frozen=True)
class VerificationRequested(Event):
    """An unverified account asked for a new confirmation link (the older ones no longer work)."""

    account_id: str
    email: str
    kind: str
    locale: str
    first_name: str
    verification_token: str
    verification_expires_at: datetime


@dataclass(frozen=True)
class AccountVerified(Event):
    account_id: str
    email: str
    kind: str
    locale: str


@dataclass(frozen=True)
class PasswordResetRequested(Event):
    account_id: str
    email: str
    locale: str
    reset_token: str
    reset_expires_at: datetime
