"""Upstream HTTP: one UpstreamClient per service, buffered exchanges, no client-side state.

The port is `UpstreamClient`; two adapters implement it (see docs/decisions.md, "gateway upstream
client"): `gateway.upstream_network.NetworkUpstream` (aiohttp, over sockets, the distributed and
Kubernetes modes) and `gateway.upstream_inprocess.InProcessUpstream` (calls an in-process ASGI app
through an httpx transport, the embedded mode and the tests). Neither keeps cookies nor adds
headers of its own: each request carries the browser's headers as the gateway forwards them, and
nothing from any other request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from gateway.config import SERVICE_NAMES, GatewayConfig

log = logging.getLogger(__name__)

REFRESH_PATH = "/api/identity/v1/tokens/refresh"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


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
    #: The gateway's response headers built from this answer, by method (built once).
    prepared: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """First value of a header, case-insensitive."""
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)


class UpstreamClient(Protocol):
    """One service's address, and one buffered exchange with it."""

    base_url: str

    async def exchange(
        self, method: str, raw_target: bytes, headers: list[tuple[str, str]], body: bytes, timeout: float
    ) -> UpstreamResponse:
        """Send exactly these headers (plus Host and Content-Length); raise UpstreamError on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class Upstreams:
    """The services the gateway talks to, by name."""

    def __init__(
        self,
        config: GatewayConfig,
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self._config = config
        self._transports = dict(transports or {})
        self._clients: dict[str, UpstreamClient] = {}

    def base_url(self, service: str) -> str | None:
        """Where `service` lives, or None when the gateway has no route to it."""
        if service in self._transports:
            return f"http://{service}.internal"
        return self._config.upstreams.get(service)

    def configured(self) -> list[str]:
        """Services with an upstream, in the suite's order."""
        return [name for name in SERVICE_NAMES if self.base_url(name)]

    def client(self, service: str) -> UpstreamClient:
        """The client of `service`, created on first use (inside the event loop that will use it)."""
        client = self._clients.get(service)
        if client is None:
            base = self.base_url(service)
            if base is None:
                raise UpstreamError("unavailable", service, "no upstream configured")
            transport = self._transports.get(service)
            if transport is not None:
                from gateway.upstream_inprocess import InProcessUpstream

                client = InProcessUpstream(service, base, transport)
            else:
                from gateway.upstream_network import NetworkUpstream

                client = NetworkUpstream(service, base, self._config.upstream_pool)
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
        limit = self._config.upstream_timeout if timeout is None else timeout
        return await self.client(service).exchange(method, raw_target, headers, body, limit)

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
