"""The in-process adapter of UpstreamClient: an httpx transport (e.g. `httpx.ASGITransport(app=...)`)
called directly, without an httpx.Client, so there is no cookie jar and no default header."""

from __future__ import annotations

import logging

import anyio
import httpx

from gateway.proxy import BODY_METHODS, UpstreamError, UpstreamResponse

log = logging.getLogger(__name__)


class InProcessUpstream:
    """Calls a service that lives in this process (embedded mode, tests)."""

    def __init__(self, service: str, base_url: str, transport: httpx.AsyncBaseTransport) -> None:
        self.service = service
        self.base_url = base_url
        self._transport = transport
        self._base = httpx.URL(base_url)

    async def exchange(
        self, method: str, raw_target: bytes, headers: list[tuple[str, str]], body: bytes, timeout: float
    ) -> UpstreamResponse:
        """One buffered exchange, bounded by `timeout` seconds (also for an app that hangs)."""
        url = self._base.copy_with(raw_path=raw_target)
        content = body if body or method in BODY_METHODS else None
        raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        try:
            with anyio.fail_after(timeout):
                request = httpx.Request(method, url, headers=raw_headers, content=content)
                response = await self._transport.handle_async_request(request)
                try:
                    received = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
                finally:
                    await response.aclose()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise UpstreamError("unavailable", self.service, repr(exc)) from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise UpstreamError("timeout", self.service, repr(exc)) from exc
        except Exception as exc:  # an in-process app that raised
            log.warning("upstream %s failed: %r", self.service, exc)
            raise UpstreamError("bad-gateway", self.service, repr(exc)) from exc
        decoded = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return UpstreamResponse(response.status_code, decoded, received)

    async def aclose(self) -> None:
        """Close the transport."""
        await self._transport.aclose()
