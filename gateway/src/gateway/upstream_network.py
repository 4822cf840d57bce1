"""The network adapter of UpstreamClient: aiohttp, with no cookie jar and no automatic headers.

Chosen over httpx for cost: httpx/httpcore spent 1.6-1.9 ms of CPU a request in the gateway
(pool bookkeeping, pure-Python parsing), aiohttp's client (C parser) about a third of that; see
bench/README.md and docs/decisions.md.
"""

from __future__ import annotations

import logging

import aiohttp
from yarl import URL

from gateway.proxy import BODY_METHODS, UpstreamError, UpstreamResponse

log = logging.getLogger(__name__)

#: Idle keep-alive connections are dropped sooner than the services' servers drop them (gunicorn's
#: --keep-alive, 2 s by default): a request never races a server closing its connection. aiohttp
#: retries idempotent requests once on a reused connection that was closed; a POST would fail.
KEEPALIVE_SECONDS = 1.0

#: aiohttp adds these unless told not to; the gateway forwards the browser's own instead.
_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")

#: Request targets whose parsed URL is kept (then all are forgotten).
URL_ENTRIES = 1024


class NetworkUpstream:
    """Calls a service over HTTP/1.1 with a keep-alive pool; the session is created lazily, in the
    event loop of the worker that uses it (after gunicorn's fork)."""

    def __init__(self, service: str, base_url: str, pool_size: int = 16) -> None:
        self.service = service
        self.base_url = base_url.rstrip("/")
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None
        self._urls: dict[bytes, URL] = {}
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._pool_size, ttl_dns_cache=60, keepalive_timeout=KEEPALIVE_SECONDS
                ),
                cookie_jar=aiohttp.DummyCookieJar(),  # never remember a Set-Cookie
                skip_auto_headers=_AUTO_HEADERS,
                auto_decompress=False,  # the body goes to the browser as the service sent it
                trust_env=False,
            )
        return self._session

    async def exchange(
        self, method: str, raw_target: bytes, headers: list[tuple[str, str]], body: bytes, timeout: float
    ) -> UpstreamResponse:
        """One buffered exchange, bounded by `timeout` seconds in total."""
        url = self._urls.get(raw_target)
        if url is None:  # parsed once per target (the busy pages are few)
            if len(self._urls) >= URL_ENTRIES:
                self._urls.clear()
            url = self._urls[raw_target] = URL(self.base_url + raw_target.decode("latin-1"), encoded=True)
        limit = self._timeouts.get(timeout)
        if limit is None:
            limit = self._timeouts[timeout] = aiohttp.ClientTimeout(total=timeout)
        data = body if body or method in BODY_METHODS else None
        try:
            async with self._client().request(
                method,
                url,
                headers=headers,
                data=data,
                allow_redirects=False,
                compress=None,
                timeout=limit,
            ) as response:
                received = await response.read()
                raw = response.raw_headers
                status = response.status
        except aiohttp.ClientConnectorError as exc:
            raise UpstreamError("unavailable", self.service, repr(exc)) from exc
        except TimeoutError as exc:
            raise UpstreamError("timeout", self.service, repr(exc)) from exc
        except Exception as exc:  # protocol errors, a connection reset mid-answer
            log.warning("upstream %s failed: %r", self.service, exc)
            raise UpstreamError("bad-gateway", self.service, repr(exc)) from exc
        decoded = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
        return UpstreamResponse(status, decoded, received)

    async def aclose(self) -> None:
        """Close the pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None
