"""Accounts, one-time tokens (email verification, password reset) and refresh tokens.

Plain classes: SQLAlchemy maps them imperatively (adapters/orm.py); nothing here knows it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from identity.domain.errors import InvalidName, TokenAlreadyUsed, TokenExpired
from identity.domain.events import (
    AccountRegistered,
    AccountVerified,
    Event,
    PasswordResetRequested,
    VerificationRequested,
)

MAX_NAME_LENGTH = 100
LOCALES = ("fr", "en")


class AccountKind(StrEnum):
    EMPLOYER = "employer"
    MEMBER = "member"
    STAFF = "staff"


class TokenPurpose(StrEnum):
    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"


@dataclass(frozen=True)
class LockoutPolicy:
    """After `threshold` consecutive failures, logins are refused for `duration`."""

    threshold: int = 5
    duration: timedelta = timedelta(minutes=15)


def hash_token(raw: str) -> str:
    """Only this digest of a token is stored: a database dump holds no usable link or session."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def clean_name(raw: str, field: str) -> str:
    """A first or last name: trimmed, inner spaces collapsed, 1 to 100 printable characters."""
    name = " ".join(raw.split())
    printable = all(unicodedata.category(ch)[0] != "C" for ch in name)
    if not name or len(name) > MAX_NAME_LENGTH or not printable:
        if field == "first_name":
            raise InvalidName("Entrez votre prénom (100 caractères au plus).",
                              "Enter your first name (100 characters at most).", field=field)
        raise InvalidName("Entrez votre nom de famille (100 caractères au plus).",
                          "Enter your last name (100 characters at most).", field=field)
    return name


def clean_locale(raw: str | None) -> str:
    return raw if raw in LOCALES else "fr"


class Account:
    """The aggregate: who someone is, how they prove it, and whether they may log in now."""

    def __init__(
        self,
        id: str,
        email: str,
        kind: str,
        first_name: str,
        last_name: str,
        password_hash: str,
        locale: str,
        created_at: datetime,
        verified_at: datetime | None = None,
        failed_logins: int = 0,
        locked_until: datetime | None = None,
        password_changed_at: datetime | None = None,
        deactivated_at: datetime | None = None,
    ) -> None:
        self.id = id
        self.email = email
        self.kind = kind
        self.first_name = first_name
        self.last_name = last_name
        self.password_hash = password_hash
        self.locale = locale
        self.created_at = created_at
        self.verified_at = verified_at
        self.failed_logins = failed_logins
        self.locked_until = locked_until
        self.password_changed_at = password_changed_at
        self.deactivated_at = deactivated_at
        self.events: list[Event] = []

    def __repr__(self) -> str:
        return f"<Account {self.id} {self.kind}>"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    # Email verification -------------------------------------------------------------------
    def ask_verification(self, raw_token: str, expires_at: datetime) -> None:
        self.events.append(AccountRegistered(
            account_id=self.id, email=self.email, kind=self.kind, locale=self.locale,
            first_name=self.first_name, last_name=self.last_name,
            verification_token=raw_token, verification_expires_at=expires_at,
        ))

    def ask_verification_again(self, raw_token: str, expires_at: datetime, locale: str | None = None) -> None:
        """A new confirmation link; the mail goes out in `locale` (the requester's), else the account's."""
        self.events.append(VerificationRequested(
            account_id=self.id, email=self.email, kind=self.kind, locale=locale or self.locale,
            first_name=self.first_name, verification_token=raw_token, verification_expires_at=expires_at,
        ))

    def verify(self, now: datetime) -> None:
        """Mark the address confirmed (once: a second call changes nothing and says nothing)."""
        if self.verified_at is None:
            self.verified_at = now
            self.events.append(AccountVerified(self.id, self.email, self.kind, self.locale))

    # Logging in ----------------------------------------------------------------------------
    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def login_failed(self, now: datetime, policy: LockoutPolicy) -> None:
        """Count a failure; the `threshold`-th consecutive one locks the account for a while."""
        if self.locked_until is not None and now >= self.locked_until:
            self.locked_until = None
        self.failed_logins += 1
        if self.failed_logins >= policy.threshold:
            self.locked_until = now + policy.duration
            self.failed_logins = 0

    @property
    def is_deactivated(self) -> bool:
        return self.deactivated_at is not None

    def deactivate(self, now: datetime) -> bool:
        """OIQ staff close the account: no log-in, no token; False when it already was."""
        if self.deactivated_at is not None:
            return False
        self.deactivated_at = now
        return True

    def login_succeeded(self) -> None:
        self.failed_logins = 0
        self.locked_until = None

    # Passwords -----------------------------------------------------------------------------
    def set_password(self, password_hash: str, now: datetime) -> None:
        """A new password (change or reset) also lifts a lock-out."""
        self.password_hash = password_hash
        self.password_changed_at = now
        self.failed_logins = 0
        self.locked_until = None

    def rehash(self, password_hash: str) -> None:
        """Same password, stronger hash parameters."""
        self.password_hash = password_hash

    def ask_password_reset(self, raw_token: str, expires_at: datetime, locale: str | None = None) -> None:
        """Record the request; the mail goes out in `locale` (the requester's), else the account's."""
        self.events.append(
            PasswordResetRequested(self.id, self.email, locale or self.locale, raw_token, expires_at))


class OneTimeToken:
    """A link sent by email (verify the address, reset the password): single use, short-lived."""

    def __init__(self, id: str, account_id: str, purpose: str, token_hash: str, created_at: datetime,
                 expires_at: datetime, used_at: datetime | None = None) -> None:
        self.id = id
        self.account_id = account_id
        self.purpose = purpose
        self.token_hash = token_hash
        self.created_at = created_at
        self.expires_at = expires_at
        self.used_at = used_at

    @classmethod
    def issue(cls, id: str, account_id: str, purpose: TokenPurpose, raw_token: str, now: datetime,
              ttl: timedelta) -> OneTimeToken:
        return cls(id, account_id, str(purpose), hash_token(raw_token), now, now + ttl)

    def ensure_usable(self, now: datetime) -> None:
        """TokenAlreadyUsed or TokenExpired, unless the token may still be spent."""
        if self.used_at is not None:
            raise TokenAlreadyUsed()
        if now >= self.expires_at:
            raise TokenExpired()

    def use(self, now: datetime) -> None:
        """Spend the token (once)."""
        self.ensure_usable(now)
        self.used_at = now


class RefreshToken:
    """A session: the opaque token the gateway keeps; its id is the `sid` of access tokens."""

    def __init__(self, id: str, account_id: str, token_hash: str, created_at: datetime, expires_at: datetime,
                 revoked_at: datetime | None = None) -> None:
        self.id = id
        self.account_id = account_id
        self.token_hash = token_hash
        self.created_at = created_at
        self.expires_at = expires_at
        self.revoked_at = revoked_at

    @classmethod
    def issue(cls, id: str, account_id: str, raw_token: str, now: datetime, ttl: timedelta) -> RefreshToken:
        return cls(id, account_id, hash_token(raw_token), now, now + ttl)

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
