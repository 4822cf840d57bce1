"""A rate limit per key (an API key, a client…) for the services: the `limits` library's moving
window, as the gateway uses for its writes (gateway/ratelimit.py), shared in Redis when the suite
runs distributed (REDIS_URL), in this process's memory when embedded or in tests.

`hit(scope, key)` counts one request: 0 when it may go on, else the seconds to wait (for
`Retry-After`). A store outage lets the request through: the limit exists to stop a flood, and a
Redis failure must not take the API down.
"""

from __future__ import annotations

import logging
import math
import time

from limits import parse
from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)


class KeyRateLimiter:
    def __init__(self, limit: str, redis_url: str | None = None, prefix: str = "ingemplois:") -> None:
        """`limit` in the `limits` notation ("120/minute")."""
        storage: Storage
        if redis_url:
            storage = RedisStorage(
                redis_url, key_prefix=prefix + "ratelimit", socket_timeout=2, socket_connect_timeout=2
            )
        else:
            storage = MemoryStorage()
        self.storage = storage
        self.item = parse(limit)
        self._limiter = MovingWindowRateLimiter(storage)

    def hit(self, scope: str, key: str) -> int:
        try:
            if self._limiter.hit(self.item, scope, key):
                return 0
            stats = self._limiter.get_window_stats(self.item, scope, key)
            return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:  # a rate-limit store outage must not take the API down
            log.exception("rate-limit storage unavailable; request let through")
            return 0


#: Requests per key in the window when API_KEY_RATE_LIMIT is not set.
DEFAULT_API_KEY_LIMIT = "120/minute"
_api_key_limiter: KeyRateLimiter | None = None


def api_key_limiter() -> KeyRateLimiter:
    """The process's limiter of API keys (built on first use from API_KEY_RATE_LIMIT and REDIS_URL)."""
    global _api_key_limiter
    if _api_key_limiter is None:
        from plumbing.config import env

        _api_key_limiter = KeyRateLimiter(env("API_KEY_RATE_LIMIT") or DEFAULT_API_KEY_LIMIT, env("REDIS_URL") or None)
    return _api_key_limiter


def configure_api_key_limiter(limiter: KeyRateLimiter | None) -> None:
    """Replace the process's API-key limiter (tests: a small limit; None: built again from the env)."""
    global _api_key_limiter
    _api_key_limiter = limiter
