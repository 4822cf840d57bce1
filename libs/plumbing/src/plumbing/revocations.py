"""Ended sessions, told at once to whoever caches access tokens (the gateway).

identity ends sessions in its database (password reset or change, lock-out, deactivation); the
gateway caches each session's access token until shortly before it expires (5 minutes). So that
an ended session stops working on its very next request, identity writes the ids of the sessions
it ended here, right after its commit, and the gateway looks the session id (the token's `sid`)
up before it uses a cached token. An entry lives as long as an access token, after which no cached
token of that session can be valid anyway (and identity refuses to refresh it).

Redis (`<prefix>revoked-session:<sid>`, prefix = the gateway's key prefix) when several processes
share the cache; otherwise one process-wide set, which is what the embedded suite uses (identity
and the gateway in one process). See docs/decisions.md.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol


def revoked_key(prefix: str, session_id: str) -> str:
    return f"{prefix}revoked-session:{session_id}"


class RevokedSessions(Protocol):
    """identity's side: record ended sessions for `ttl_seconds` (≥ the access-token lifetime)."""

    def mark(self, session_ids: Iterable[str], ttl_seconds: int) -> None: ...


class MemoryRevokedSessions:
    """In one process: identity marks, the gateway reads, with no server in between."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def mark(self, session_ids: Iterable[str], ttl_seconds: int) -> None:
        now = self._clock()
        with self._lock:
            if len(self._until) > 10_000:
                self._until = {sid: until for sid, until in self._until.items() if until > now}
            for session_id in session_ids:
                self._until[session_id] = now + ttl_seconds

    def is_revoked(self, session_id: str) -> bool:
        until = self._until.get(session_id)
        return until is not None and until > self._clock()

    async def is_revoked_async(self, session_id: str) -> bool:
        return self.is_revoked(session_id)


class RedisRevokedSessions:
    """identity's writer when the gateway keeps its sessions in Redis (a plain, blocking client)."""

    def __init__(self, redis_url: str, prefix: str) -> None:
        from redis import Redis  # imported here: the embedded mode needs no redis

        self._redis: Any = Redis.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
        self._prefix = prefix

    def mark(self, session_ids: Iterable[str], ttl_seconds: int) -> None:
        pipeline = self._redis.pipeline(transaction=False)
        for session_id in session_ids:
            pipeline.set(revoked_key(self._prefix, session_id), b"1", ex=ttl_seconds)
        pipeline.execute()


_process_wide = MemoryRevokedSessions()


def process_wide() -> MemoryRevokedSessions:
    """The one in-memory set of this process (the embedded suite's identity and gateway share it)."""
    return _process_wide


def make_revoked_sessions(redis_url: str | None, prefix: str) -> RevokedSessions:
    """Redis when configured, else the process-wide set."""
    return RedisRevokedSessions(redis_url, prefix) if redis_url else _process_wide
