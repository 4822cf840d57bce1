"""Sessions that identity ended: the token cache asks here before it serves a cached access token.

identity writes the ids of the sessions it ends (password reset or change, lock-out, deactivation)
into plumbing.revocations right after its commit; the gateway reads the session id (`sid` claim)
of the access token it cached and, when that session was ended, asks identity for a new token
instead, which identity refuses: the browser is signed out on its very next request rather than
when the cached token expires. One Redis EXISTS per request that carries a session (docs/decisions.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Protocol

from plumbing.revocations import MemoryRevokedSessions, process_wide, revoked_key


class RevokedSessionsReader(Protocol):
    async def revoked(self, session_id: str) -> bool: ...

    async def close(self) -> None: ...


class MemoryRevokedReader:
    """The process-wide set (embedded suite: identity writes to it in the same process)."""

    def __init__(self, board: MemoryRevokedSessions | None = None) -> None:
        self._board = board or process_wide()

    async def revoked(self, session_id: str) -> bool:
        return self._board.is_revoked(session_id)

    async def close(self) -> None:
        return None


class RedisRevokedReader:
    """`<prefix>revoked-session:<sid>` in the gateway's Redis."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        from redis.asyncio import Redis  # imported here: the in-memory mode needs no redis

        self._redis: Any = Redis.from_url(redis_url)
        self._prefix = prefix

    async def revoked(self, session_id: str) -> bool:
        return bool(await self._redis.exists(revoked_key(self._prefix, session_id)))

    async def close(self) -> None:
        await self._redis.aclose()


def make_revoked_reader(redis_url: str | None, prefix: str) -> RevokedSessionsReader:
    return RedisRevokedReader(redis_url, prefix) if redis_url else MemoryRevokedReader()


def token_session_id(access_token: str | None) -> str | None:
    """The `sid` claim of an access token identity issued to the gateway, read without verifying
    (the gateway got it straight from identity; the services verify it). None if it has none."""
    if not access_token or access_token.count(".") != 2:
        return None
    payload = access_token.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, binascii.Error):
        return None
    sid = claims.get("sid") if isinstance(claims, dict) else None
    return sid if isinstance(sid, str) and sid else None
