"""Server-side browser sessions: the refresh token lives here, sealed; the browser holds only an id.

A store (Redis, or memory) never holds a usable token: each session is stored under a hash of the
cookie value (`storage_key`), and its refresh and access tokens are encrypted (AES-GCM) with a key
derived from the cookie value (`_seal_key`, HKDF), which the store never sees. A dump of Redis is
a set of ciphertexts whose keys are in browsers' cookies (docs/decisions.md, "Sealed sessions").
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.revocations import RevokedSessionsReader, token_session_id

_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

#: Refresh the access token when it expires within this many seconds.
REFRESH_MARGIN_SECONDS = 30


@dataclass
class Session:
    """What the gateway keeps per browser session."""

    refresh_token: str
    access_token: str | None = None
    access_exp: float = 0.0
    created: float = 0.0

    def needs_refresh(self, now: float) -> bool:
        """True when no access token is cached or it expires within the margin."""
        return self.access_token is None or self.access_exp - now < REFRESH_MARGIN_SECONDS


def new_session_id() -> str:
    """A fresh, unguessable session id for the cookie."""
    return secrets.token_urlsafe(32)


def is_well_formed(session_id: str) -> bool:
    """Reject obviously forged ids before touching the store."""
    return bool(_SESSION_ID.match(session_id))


def storage_key(session_id: str) -> str:
    """Stores index sessions by a hash of the id, so a store dump holds no usable cookie."""
    return hashlib.sha256(session_id.encode()).hexdigest()


_SEAL_INFO = b"ingemplois gateway session seal v1"


def _seal_key(session_id: str) -> bytes:
    """The encryption key of a session's tokens: derived from the cookie value, never stored."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(session_id.encode())


def encode_session(session_id: str, session: Session) -> str:
    """What a store keeps: the tokens sealed (AES-GCM, bound to the storage key), timings in clear."""
    secret = json.dumps({"refresh_token": session.refresh_token, "access_token": session.access_token}).encode()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_seal_key(session_id)).encrypt(nonce, secret, storage_key(session_id).encode())
    return json.dumps({"sealed": base64.urlsafe_b64encode(nonce + sealed).decode(),
                       "access_exp": session.access_exp, "created": session.created})


def decode_session(session_id: str, raw: str | bytes) -> Session | None:
    """The session a store kept under this id, or None if it cannot be opened with this id."""
    try:
        stored = json.loads(raw)
        blob = base64.urlsafe_b64decode(stored["sealed"])
        secret = AESGCM(_seal_key(session_id)).decrypt(blob[:12], blob[12:], storage_key(session_id).encode())
        tokens = json.loads(secret)
        return Session(refresh_token=tokens["refresh_token"], access_token=tokens["access_token"],
                       access_exp=float(stored["access_exp"]), created=float(stored["created"]))
    except (ValueError, TypeError, KeyError, InvalidTag):
        return None


def _legacy(raw: str | bytes) -> Session | None:
    """A session stored in clear by an earlier release (sealed again when next read)."""
    try:
        stored = json.loads(raw)
        return Session(**stored) if isinstance(stored, dict) and "refresh_token" in stored else None
    except (ValueError, TypeError):
        return None


class SessionStore(Protocol):
    """Where sessions live; every read slides the expiry."""

    async def get(self, session_id: str) -> Session | None: ...

    async def put(self, session_id: str, session: Session) -> None: ...

    async def delete(self, session_id: str) -> None: ...

    async def close(self) -> None: ...


class MemorySessionStore:
    """In-process store for the embedded, single-process mode."""

    def __init__(self, ttl_seconds: int, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._data: dict[str, tuple[str, float]] = {}

    async def get(self, session_id: str) -> Session | None:
        key = storage_key(session_id)
        entry = self._data.get(key)
        now = self._clock()
        if entry is None or entry[1] <= now:
            self._data.pop(key, None)
            return None
        self._data[key] = (entry[0], now + self._ttl)
        return decode_session(session_id, entry[0])

    async def put(self, session_id: str, session: Session) -> None:
        now = self._clock()
        if len(self._data) > 10_000:  # keep the dict from growing without bound
            self._data = {k: v for k, v in self._data.items() if v[1] > now}
        self._data[storage_key(session_id)] = (encode_session(session_id, session), now + self._ttl)

    async def delete(self, session_id: str) -> None:
        self._data.pop(storage_key(session_id), None)

    async def close(self) -> None:
        self._data.clear()


class RedisSessionStore:
    """Sessions shared by every gateway process, sealed JSON under `<prefix>session:<sha256(id)>`."""

    def __init__(self, redis_url: str, prefix: str, ttl_seconds: int) -> None:
        from redis.asyncio import Redis  # imported here: the in-memory mode needs no redis

        self._redis = Redis.from_url(redis_url)  # lazy: connects on first command
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _key(self, session_id: str) -> str:
        return f"{self._prefix}session:{storage_key(session_id)}"

    async def get(self, session_id: str) -> Session | None:
        raw = await self._redis.getex(self._key(session_id), ex=self._ttl)
        if raw is None:
            return None
        session = decode_session(session_id, raw)
        if session is None and (session := _legacy(raw)) is not None:
            await self.put(session_id, session)  # stored in clear before sealing existed: seal it now
        return session

    async def put(self, session_id: str, session: Session) -> None:
        await self._redis.set(self._key(session_id), encode_session(session_id, session), ex=self._ttl)

    async def delete(self, session_id: str) -> None:
        await self._redis.delete(self._key(session_id))

    async def close(self) -> None:
        await self._redis.aclose()


def make_session_store(redis_url: str | None, prefix: str, ttl_seconds: int) -> SessionStore:
    """Redis when configured, else in memory."""
    if redis_url:
        return RedisSessionStore(redis_url, prefix, ttl_seconds)
    return MemorySessionStore(ttl_seconds)


class RefreshRejected(Exception):
    """Identity refused the refresh token: the session is over."""


class RefreshUnavailable(Exception):
    """Identity could not be asked (down, timeout, unexpected answer)."""


#: Sends `{"refresh_token": …}` to identity; returns (HTTP status, parsed JSON body or None).
RefreshCall = Callable[[str], Awaitable[tuple[int, Any]]]


class SessionManager:
    """Opens, closes and loads sessions, and turns them into fresh access tokens."""

    def __init__(self, store: SessionStore, clock: Callable[[], float] = time.time,
                 revoked: RevokedSessionsReader | None = None) -> None:
        self.store = store
        self._clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self.revoked = revoked

    async def _usable(self, session: Session) -> bool:
        """The cached access token may be served: not about to expire, and its session not ended
        by identity since (gateway.revocations; else identity is asked, and refuses)."""
        if session.needs_refresh(self._clock()):
            return False
        sid = token_session_id(session.access_token) if self.revoked is not None else None
        return sid is None or not await self.revoked.revoked(sid)  # type: ignore[union-attr]

    async def open(self, refresh_token: str) -> str:
        """Store a new session for `refresh_token`; return its id (for the cookie)."""
        session_id = new_session_id()
        await self.store.put(session_id, Session(refresh_token=refresh_token, created=self._clock()))
        return session_id

    async def close(self, session_id: str) -> None:
        """Forget the session."""
        await self.store.delete(session_id)

    async def load(self, session_id: str) -> Session | None:
        """The session behind a cookie value, or None when unknown, expired or malformed."""
        if not is_well_formed(session_id):
            return None
        return await self.store.get(session_id)

    async def access_token(self, session_id: str, session: Session, refresh: RefreshCall) -> str:
        """A valid access token for the session, refreshed through identity when needed.

        Raises RefreshRejected (the session was dropped) or RefreshUnavailable.
        """
        if await self._usable(session):
            return session.access_token  # type: ignore[return-value]
        key = storage_key(session_id)
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:  # one refresh at a time per session in this process
                current = await self.store.get(session_id)
                if current is None:
                    raise RefreshRejected()
                if await self._usable(current):
                    return current.access_token  # type: ignore[return-value]
                status, body = await refresh(current.refresh_token)
                if status in (400, 401, 403):
                    await self.store.delete(session_id)
                    raise RefreshRejected()
                token, expires_in = _parse_token(status, body)
                current.access_token = token
                current.access_exp = self._clock() + expires_in
                await self.store.put(session_id, current)
                return token
        finally:
            if not lock.locked() and self._locks.get(key) is lock:
                del self._locks[key]


def _parse_token(status: int, body: Any) -> tuple[str, float]:
    if status != 200 or not isinstance(body, dict):
        raise RefreshUnavailable(f"refresh answered {status}")
    token, expires_in = body.get("access_token"), body.get("expires_in")
    if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
        raise RefreshUnavailable("refresh answer lacks access_token/expires_in")
    return token, float(expires_in)
