"""The keys that sign access tokens: which one signs now, which ones the JWKS publishes, rotation.

A key signs from `not_before` (None: from its creation) until a newer key starts; it is
published in the JWKS until `not_after` (None: until a rotation sets it). A rotation adds a
key that starts signing after `activation_delay`, once every identity process has read it and
every verifier can fetch it, so no verifier meets a token whose key it cannot find; the older
keys stay published until every token they signed has expired (access TTL plus a margin).

Plain classes: SQLAlchemy maps SigningKey imperatively (adapters/orm.py); the key material is
made by an adapter (adapters/keystore.py), never here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class KeyRotationPolicy:
    #: From the rotation to the first token the new key signs: identity's processes re-read their
    #: keys every minute and a JWKS may be cached for 5 minutes (its Cache-Control), hence 6.
    activation_delay: timedelta = timedelta(minutes=6)
    #: The access tokens' lifetime (IDENTITY_ACCESS_TTL).
    access_ttl: timedelta = timedelta(minutes=5)
    #: Kept published a little longer than the last token signed lives (clock skew, leeway).
    margin: timedelta = timedelta(minutes=5)


class SigningKey:
    """One Ed25519 key pair: its private key (PEM) and public JWK, and its validity window."""

    def __init__(self, kid: str, generation: int, private_key_pem: str, public_jwk: str, created_at: datetime,
                 not_before: datetime | None = None, not_after: datetime | None = None) -> None:
        self.kid = kid
        self.generation = generation
        self.private_key_pem = private_key_pem
        self.public_jwk = public_jwk
        self.created_at = created_at
        self.not_before = not_before
        self.not_after = not_after

    def __repr__(self) -> str:
        return f"<SigningKey {self.generation} {self.kid}>"

    @property
    def signs_from(self) -> datetime:
        return self.not_before or self.created_at

    def has_started(self, now: datetime) -> bool:
        return self.not_before is None or self.not_before <= now

    def is_published(self, now: datetime) -> bool:
        return self.not_after is None or now < self.not_after

    def publish_until(self, until: datetime) -> None:
        """Stop publishing at `until`, or earlier if that was already planned."""
        if self.not_after is None or until < self.not_after:
            self.not_after = until


def signing_key_at(keys: Iterable[SigningKey], now: datetime) -> SigningKey | None:
    """The newest key that has started and is still published: the one that signs at `now`."""
    usable = [key for key in keys if key.has_started(now) and key.is_published(now)]
    return max(usable, key=lambda key: key.generation, default=None)


def published_at(keys: Iterable[SigningKey], now: datetime) -> list[SigningKey]:
    """The keys the JWKS lists at `now`, oldest first."""
    return sorted((key for key in keys if key.is_published(now)), key=lambda key: key.generation)


def rotate(keys: list[SigningKey], new: SigningKey, now: datetime, policy: KeyRotationPolicy, *,
           compromised: bool = False) -> None:
    """Make `new` the next signing key and plan the end of publication of the older `keys`.

    Routine: `new` signs from `now + activation_delay`; the older keys stay published until the
    tokens they may sign until then have expired. Compromised: `new` signs at once and the older
    keys are no longer published (the tokens they signed stop verifying once a verifier
    refetches the JWKS). With no key signing now, `new` starts at once either way.
    """
    starts = now if compromised or signing_key_at(keys, now) is None else now + policy.activation_delay
    new.not_before = starts
    until = now if compromised else starts + policy.access_ttl + policy.margin
    for key in keys:
        key.publish_until(until)
