"""Upstream HTTP: one lazily created httpx.AsyncClient per service, buffered exchanges."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import anyio
import httpx

from gateway.config import SERVICE_NAMES, GatewayConfig

log = logging.getLogger(__name__)

REFRESH_PATH = "/api/identity/v1/tokens/refresh"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class UpstreamError(Exception):
    """An upstream could not answer; `kind` names the error page (ERRORS key)."""

    def __init__(self, kind: str, service: str, cause: str = "") -> None:
        super().__init__(f"{service}: {kind} {cause}".strip())
        self.kind = kind
        self.service = service


@dataclass
class UpstreamResponse:
    """A buffered upstream answer (body as sent: still compressed if it was; headers latin-1)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitive."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class Upstreams:
    """The services the gateway talks to, by name."""

    def __init__(
        self,
        config: GatewayConfig,
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self._config = config
        self._transports = dict(transports or {})
        self._clients: dict[str, httpx.AsyncClient] = {}

    def base_url(self, service: str) -> str | None:
        """Where `service` lives, or None when the gateway has no route to it."""
        if service in self._transports:
            return f"http://{service}.internal"
        return self._config.upstreams.get(service)

    def configured(self) -> list[str]:
        """Services with an upstream, in the suite's order."""
        return [name for name in SERVICE_NAMES if self.base_url(name)]

    def client(self, service: str) -> httpx.AsyncClient:
        """The shared client of `service`, created on first use."""
        client = self._clients.get(service)
        if client is None:
            base = self.base_url(service)
            if base is None:
                raise UpstreamError("unavailable", service, "no upstream configured")
            client = httpx.AsyncClient(
                base_url=base,
                transport=self._transports.get(service),
                timeout=httpx.Timeout(self._config.upstream_timeout),
                follow_redirects=False,
                trust_env=False,
            )
            client.headers = httpx.Headers()  # forward the browser's headers, not httpx's defaults
            self._clients[service] = client
        return client

    async def request(
        self,
        service: str,
        method: str,
        raw_target: bytes,
        headers: list[tuple[str, str]],
        body: bytes = b"",
        timeout: float | None = None,
    ) -> UpstreamResponse:
        """One buffered exchange; `raw_target` is the path and query, as the client sent them.

        Raises UpstreamError: "timeout" (504), "unavailable" (503: not configured or refused
        connection), "bad-gateway" (502: any other failure).
        """
        client = self.client(service)
        url = client.base_url.copy_with(raw_path=raw_target)
        limit = self._config.upstream_timeout if timeout is None else timeout
        try:
            with anyio.fail_after(limit):  # also bounds in-process (ASGI transport) upstreams
                content = body if body or method in _BODY_METHODS else None
                raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
                request = client.build_request(method, url, headers=raw_headers, content=content)
                response = await client.send(request, stream=True)
                try:
                    received = b"".join([chunk async for chunk in response.aiter_raw()])
                finally:
                    await response.aclose()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise UpstreamError("unavailable", service, repr(exc)) from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise UpstreamError("timeout", service, repr(exc)) from exc
        except Exception as exc:  # protocol errors, or an in-process app that raised
            log.warning("upstream %s failed: %r", service, exc)
            raise UpstreamError("bad-gateway", service, repr(exc)) from exc
        decoded = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
        return UpstreamResponse(response.status_code, decoded, received)

    async def post_json(self, service: str, path: str, payload: Any, headers: list[tuple[str, str]]) -> tuple[int, Any]:
        """POST a JSON body; return (status, parsed JSON or None). Raises UpstreamError."""
        response = await self.request(
            service,
            "POST",
            path.encode(),
            [*headers, ("content-type", "application/json"), ("accept", "application/json")],
            json.dumps(payload).encode(),
        )
        try:
            parsed = json.loads(response.body) if response.body else None
        except ValueError:
            parsed = None
        return response.status, parsed

    def local_location(self, service: str, location: str) -> str:
        """Turn a Location that points at the upstream's own address into a local path."""
        base = self.base_url(service)
        if base and location.startswith(base):
            rest = location[len(base) :]
            if rest == "" or rest[0] in "/?#":
                return rest or "/"
        return location

    async def aclose(self) -> None:
        """Close every client created so far."""
        clients, self._clients = self._clients, {}
        for client in clients.values():
            await client.aclose()
