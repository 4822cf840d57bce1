"""Per-IP rate limits (moving window) with the `limits` library, in memory or in Redis."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from gateway.routing import matches_prefix

log = logging.getLogger(__name__)

#: POST targets that get the stricter "auth" limit (log in, sign up, password reset).
AUTH_PATHS: tuple[str, ...] = (
    "/compte/connexion",
    "/compte/mot-de-passe-oublie",
    "/compte/verification/renvoyer",
    "/api/identity/v1/sessions",
    "/api/identity/v1/accounts",
    "/api/identity/v1/password-resets",
)
#: Plain string prefix: /compte/inscription, /compte/inscription/…, /compte/inscription-entreprise…
AUTH_STRING_PREFIX = "/compte/inscription"


def is_auth_request(method: str, path: str) -> bool:
    """True for the POSTs the auth limit guards."""
    if method != "POST":
        return False
    return path.startswith(AUTH_STRING_PREFIX) or any(matches_prefix(path, p) for p in AUTH_PATHS)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one rate-limit check."""

    allowed: bool
    retry_after: int = 0


class RateLimiter:
    """Applies the default limit to every request and the auth limit to auth POSTs."""

    def __init__(self, default: str, auth: str, redis_url: str | None = None, prefix: str = "gw:") -> None:
        storage: Storage
        if redis_url:
            uri = redis_url if redis_url.startswith("async+") else "async+" + redis_url
            storage = RedisStorage(uri, implementation="redispy", key_prefix=prefix + "ratelimit")
        else:
            storage = MemoryStorage()
        self.storage = storage
        self._limiter = MovingWindowRateLimiter(storage)
        self._default = parse(default)
        self._auth = parse(auth)

    async def check(self, client_ip: str, method: str, path: str) -> Verdict:
        """Count this request; say whether it may go on. Storage failures let it through."""
        items = [("default", self._default)]
        if is_auth_request(method, path):
            items.append(("auth", self._auth))
        try:
            for scope, item in items:
                if not await self._limiter.hit(item, scope, client_ip):
                    stats = await self._limiter.get_window_stats(item, scope, client_ip)
                    retry = max(1, math.ceil(stats.reset_time - time.time()))
                    return Verdict(False, retry)
        except Exception:  # a rate-limit store outage must not take the site down
            log.exception("rate-limit storage unavailable; request let through")
        return Verdict(True)

    async def close(self) -> None:
        """Release the Redis connections, if any."""
        bridge = getattr(self.storage, "bridge", None)
        client = getattr(bridge, "storage", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()
