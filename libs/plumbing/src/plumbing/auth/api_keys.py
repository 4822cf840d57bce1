"""API keys of employers' HR systems (offers DESIGN.md, "API keys"): the format, generation, hashing
and verification, once for every service that accepts them.

A key reads `ingk_<key id>_<secret>`: the key id is a uuid4 (it names the row), the secret 32
random bytes in hex. Only the SHA-256 of the secret is stored: a secret that random needs no slow
hash. Checks compare digests in constant time.

Resolving a key into a caller needs the service's own table (offers owns the keys, catalog-billing
keeps a projection of them): `resolve(token, find)` with the service's `find(key_id)`. The caller
acts as the key's creator, in the key's group only, with the creator's current role (the service's
membership projection decides, as for a person); `api_key_bearer_info` is the piece of connexion's
`x-bearerInfoFunc` that services call for `Bearer ingk_…`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PREFIX = "ingk_"
SECRET_BYTES = 32
#: `kind` of the Principal a key resolves to: never staff, whoever created it.
API_KEY_KIND = "api_key"
_FORMAT = re.compile(r"^ingk_([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})_([0-9a-f]{64})$")
#: How much of the key lists show (`ingk_` and the start of the id): enough to tell keys apart.
DISPLAY_LENGTH = len(PREFIX) + 8


@dataclass(frozen=True)
class NewApiKey:
    """A key just generated: `token` is shown once to its creator; only `secret_hash` is stored."""

    key_id: str
    token: str
    secret_hash: str

    @property
    def display_prefix(self) -> str:
        return display_prefix(self.key_id)


@dataclass(frozen=True)
class ParsedKey:
    key_id: str
    secret: str


@dataclass(frozen=True)
class StoredKey:
    """What a service holds about a key (its table or its projection)."""

    key_id: str
    group_id: str
    creator_id: str
    secret_hash: str
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class ApiKeyCaller:
    """A request made with a valid, unrevoked key: it acts as `account_id` in `group_id` only."""

    key_id: str
    group_id: str
    account_id: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def generate() -> NewApiKey:
    key_id = str(uuid.uuid4())
    secret = secrets.token_hex(SECRET_BYTES)
    return NewApiKey(key_id, f"{PREFIX}{key_id}_{secret}", hash_secret(secret))


def display_prefix(key_id: str) -> str:
    return f"{PREFIX}{key_id[:8]}"


def looks_like_key(token: str | None) -> bool:
    """True for anything meant as a key (`ingk_…`), well formed or not: it is never a JWT."""
    return bool(token) and str(token).startswith(PREFIX)


def parse(token: str | None) -> ParsedKey | None:
    """The key id and secret of a well-formed key, else None."""
    if not token or len(token) > 200:
        return None
    found = _FORMAT.match(token)
    return ParsedKey(found.group(1), found.group(2)) if found else None


def secret_matches(secret: str, secret_hash: str) -> bool:
    """Constant-time comparison of the secret's digest with the stored one."""
    return hmac.compare_digest(hash_secret(secret).encode("ascii"), secret_hash.encode("ascii"))


def resolve(token: str | None, find: Callable[[str], StoredKey | None]) -> ApiKeyCaller | None:
    """The caller of a key: None when malformed, unknown, revoked or with a wrong secret."""
    parsed = parse(token)
    if parsed is None:
        return None
    stored = find(parsed.key_id)
    if stored is None:
        secret_matches(parsed.secret, "0" * 64)  # the same work whether the id exists or not
        return None
    if not secret_matches(parsed.secret, stored.secret_hash) or stored.revoked_at is not None:
        return None
    return ApiKeyCaller(stored.key_id, stored.group_id, stored.creator_id)


def token_info(caller: ApiKeyCaller) -> dict[str, Any]:
    """connexion's token_info for a key: the creator as a non-staff principal, and the key."""
    from plumbing.auth.tokens import Principal  # here: the service layers import this module, not requests

    return {"sub": caller.account_id, "principal": Principal(caller.account_id, "", API_KEY_KIND), "api_key": caller}


def caller_of(info: dict[str, Any] | None) -> ApiKeyCaller | None:
    """The key behind a request's token_info, or None for a person's token."""
    found = (info or {}).get("api_key")
    return found if isinstance(found, ApiKeyCaller) else None
