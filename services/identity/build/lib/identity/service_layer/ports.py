"""What the handlers need from the outside world, as protocols (adapters implement them)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from identity.domain.emails import EmailPolicy
from identity.domain.keys import KeyRotationPolicy, SigningKey
from identity.domain.model import Account, LockoutPolicy
from identity.domain.passwords import PasswordPolicy
from plumbing.clock import Clock
from plumbing.revocations import MemoryRevokedSessions, RevokedSessions


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    def burn(self, password: str) -> None:
        """Spend the time of one verification (unknown email: answer as slowly as a real one)."""


class AccessTokenSigner(Protocol):
    def sign(self, account: Account, session_id: str, now: datetime) -> tuple[str, int]:
        """A signed access token for the account in this session, and its lifetime in seconds."""


#: Makes a new signing key pair of the given generation (adapters.keystore.generate_signing_key).
SigningKeyFactory = Callable[[int, datetime], SigningKey]


def new_secret() -> str:
    """An opaque, unguessable token (256 bits) for links and sessions."""
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    clock: Clock
    hasher: PasswordHasher
    signer: AccessTokenSigner
    email_policy: EmailPolicy
    public_url: str
    new_signing_key: SigningKeyFactory
    #: Common and breached passwords (bootstrap loads the shipped list; empty in bare unit tests).
    password_policy: PasswordPolicy = field(default_factory=PasswordPolicy)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)
    #: Where ended sessions are announced to the gateway's token cache (plumbing.revocations)…
    revoked_sessions: RevokedSessions = field(default_factory=MemoryRevokedSessions)
    #: …for this long: an access token's lifetime and a margin.
    revocation_ttl: int = 360
    verification_ttl: timedelta = timedelta(hours=48)
    reset_ttl: timedelta = timedelta(hours=1)
    refresh_ttl: timedelta = timedelta(hours=12)
    #: At most this many reset emails per account and reset_ttl (a victim is not flooded).
    max_resets_per_ttl: int = 5
    #: At most this many verification emails (sign-up's included) per account and window.
    max_verifications_per_window: int = 5
    verification_window: timedelta = timedelta(hours=1)
    key_rotation: KeyRotationPolicy = field(default_factory=KeyRotationPolicy)
    new_secret: Callable[[], str] = new_secret
    new_id: Callable[[], str] = new_id
