"""The micro-cache: anonymous GETs of responses a service marked shareable, for a second or so.

A response is kept only when the service said so (`Cache-Control: public, s-maxage=N`, no
`private`/`no-store`/`no-cache`, no Set-Cookie or X-Session-*, status 200, `Vary` on nothing but
the language and cookies) and the request
was anonymous (no session cookie, no Authorization: checked by the caller). The key is the
service, the raw path and query, and the language the page is rendered in (the `lang` cookie, then
Accept-Language, as the services pick it): a shareable page must depend on nothing else.

Per process, in memory, bounded. Concurrent misses of one key are coalesced: the first request
goes to the service, the others wait for its answer and get it only if it is shareable (else
each asks the service itself, since the answer may be personal).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gateway.proxy import UpstreamResponse

CacheKey = tuple[str, bytes, str]

_S_MAXAGE = re.compile(r"(?:^|[,\s])s-maxage\s*=\s*(\d+)")
#: What a cached answer may vary on: the key holds the language; other cookies must not matter to
#: a shareable page. An answer varying on anything else (Accept-Encoding, Authorization, *) is not kept.
_ALLOWED_VARY = frozenset({"accept-language", "cookie"})


def shareable_seconds(response: UpstreamResponse) -> int:
    """How long a shared cache may keep `response`: its s-maxage when it is public, else 0."""
    if response.status != 200:
        return 0
    control = ",".join(v for k, v in response.headers if k.lower() == "cache-control").lower()
    if "public" not in control or "private" in control or "no-store" in control or "no-cache" in control:
        return 0
    if any(k.lower() == "set-cookie" or k.lower().startswith("x-session-") for k, _ in response.headers):
        return 0
    vary = {part.strip().lower() for k, v in response.headers if k.lower() == "vary" for part in v.split(",")}
    if vary - _ALLOWED_VARY:
        return 0
    found = _S_MAXAGE.search(control)
    return int(found.group(1)) if found else 0


@dataclass
class _Entry:
    expires: float
    response: UpstreamResponse


class MicroCache:
    """In-memory, per-process cache of shareable upstream answers, with request coalescing."""

    def __init__(self, max_seconds: float, max_entries: int = 2000, max_body: int = 512 * 1024,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_seconds = max_seconds
        self.max_entries = max_entries
        self.max_body = max_body
        self._clock = clock
        self._entries: dict[CacheKey, _Entry] = {}
        self._inflight: dict[CacheKey, asyncio.Future[UpstreamResponse | None]] = {}
        #: Requests waiting for another one's answer right now.
        self.waiting = 0

    def get(self, key: CacheKey) -> UpstreamResponse | None:
        """A fresh answer for `key`, if any."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= self._clock():
            del self._entries[key]
            return None
        return entry.response

    async def fetch(
        self, key: CacheKey, produce: Callable[[], Awaitable[UpstreamResponse]]
    ) -> tuple[UpstreamResponse, str]:
        """The answer for `key` and where it came from: "hit", "coalesced", "miss" or "bypass"."""
        cached = self.get(key)
        if cached is not None:
            return cached, "hit"
        leader = self._inflight.get(key)
        if leader is not None:
            self.waiting += 1
            try:
                shared = await asyncio.shield(leader)  # None when the leader failed: try on our own
            finally:
                self.waiting -= 1
            if shared is not None and shareable_seconds(shared) > 0:
                return shared, "coalesced"
            return await produce(), "bypass"
        future: asyncio.Future[UpstreamResponse | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        response: UpstreamResponse | None = None
        try:
            response = await produce()
        finally:
            self._inflight.pop(key, None)
            future.set_result(response)  # waiters see None after a failure or a cancellation
        seconds = min(shareable_seconds(response), self.max_seconds)
        if seconds > 0 and len(response.body) <= self.max_body:
            self._store(key, _Entry(self._clock() + seconds, response))
            return response, "miss"
        return response, "bypass"

    def _store(self, key: CacheKey, entry: _Entry) -> None:
        if len(self._entries) >= self.max_entries:
            now = self._clock()
            for old in [k for k, e in self._entries.items() if e.expires <= now]:
                del self._entries[old]
            if len(self._entries) >= self.max_entries:  # all fresh: drop the oldest half
                for old in list(self._entries)[: self.max_entries // 2]:
                    del self._entries[old]
        self._entries[key] = entry
