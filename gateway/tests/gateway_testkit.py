"""Test kit: fake upstream services (tiny Starlette apps behind httpx.ASGITransport), gateway harness."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway import SERVICE_NAMES

PEER = "203.0.113.7"
CSRF_RE = re.compile(r"ingemplois_csrf=([^;]+)")
SESSION_RE = re.compile(r"ingemplois_session=([^;]*)")


@dataclass
class IdentityState:
    """What the fake identity does on refresh, and what it was asked."""

    expires_in: int = 300
    refresh_status: int = 200
    refresh_calls: list[dict[str, Any]] = field(default_factory=list)
    #: When set, access tokens are JWT-shaped and carry this `sid` (like identity's), else "at-<n>".
    sid: str | None = None

    def access_token(self, n: int) -> str:
        if self.sid is None:
            return f"at-{n}"
        part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
        return f"{part({'alg': 'EdDSA'})}.{part({'sub': 'acc-1', 'sid': self.sid, 'n': n})}.c2ln"


def echo_payload(service: str, request: Request, body: bytes) -> dict[str, Any]:
    return {
        "service": service,
        "method": request.method,
        "path": request.url.path,
        "raw_path": request.scope.get("raw_path", b"").decode("latin-1"),
        "query": request.url.query,
        "headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers.raw},
        "header_names": [k.decode("latin-1") for k, _ in request.headers.raw],
        "body_b64": base64.b64encode(body).decode(),
    }


def fake_service(name: str, identity: IdentityState | None = None) -> Starlette:
    """An upstream that echoes what it received, plus a few scripted paths."""

    async def handle(request: Request) -> Response:
        body = await request.body()
        path = request.url.path
        if path == "/healthz":
            return JSONResponse({"status": "ok"})
        if path.endswith("/slow"):
            await asyncio.sleep(0.6)
        if path.endswith("/boom"):
            raise RuntimeError("upstream crashed")
        if path.endswith("/redirect"):
            return Response(status_code=303, headers={"location": f"http://{name}.internal/emplois?x=1"})
        if path.endswith("/own-headers"):
            return Response(
                "hi",
                headers={
                    "content-security-policy": "default-src 'none'",
                    "x-frame-options": "SAMEORIGIN",
                    "x-custom": "kept",
                    "x-session-grant": "forged-by-" + name,
                    "x-request-id": "upstream-id-should-go",
                },
            )
        if path.endswith("/cookies"):
            response = Response("cookies")
            response.set_cookie("pref", "1")
            response.set_cookie("seen", "2", httponly=True)
            response.set_cookie("ingemplois_session", "forged-by-" + name)
            return response
        if path.endswith("/gzip"):
            import gzip

            return Response(
                gzip.compress(b"compressed hello"),
                headers={"content-encoding": "gzip", "content-type": "text/plain"},
            )
        if name == "identity" and identity is not None:
            if path == "/api/identity/v1/tokens/refresh":
                identity.refresh_calls.append(
                    {"json": json.loads(body), "content_type": request.headers.get("content-type")}
                )
                if identity.refresh_status != 200:
                    return JSONResponse({"title": "no"}, status_code=identity.refresh_status)
                n = len(identity.refresh_calls)
                return JSONResponse(
                    {"access_token": identity.access_token(n), "expires_in": identity.expires_in,
                     "token_type": "Bearer"}
                )
            if path == "/compte/connexion" and request.method == "POST":
                return Response(status_code=303, headers={"location": "/employeur", "x-session-grant": "refresh-abc"})
            if path == "/compte/deconnexion" and request.method == "POST":
                return Response(status_code=303, headers={"location": "/", "x-session-end": "1"})
        return JSONResponse(echo_payload(name, request, body), headers={"x-upstream": name})

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return Starlette(routes=[Route("/{p:path}", handle, methods=methods)])


@dataclass
class Harness:
    """A gateway in front of fake services, and a client for it."""

    app: Any
    client: httpx.AsyncClient
    identity: IdentityState

    @property
    def gateway(self) -> Any:
        return self.app.gateway

    def csrf_cookie(self) -> str | None:
        return self.client.cookies.get("ingemplois_csrf")

    async def prime(self) -> str:
        """A first page view, which gives the browser its CSRF cookie; returns the token."""
        response = await self.client.get("/")
        assert response.status_code == 200
        token = self.csrf_cookie()
        assert token
        return token


def all_transports(
    identity: IdentityState, names: tuple[str, ...] = SERVICE_NAMES
) -> dict[str, httpx.AsyncBaseTransport]:
    return {name: httpx.ASGITransport(app=fake_service(name, identity)) for name in names}


def upstream_saw(response: httpx.Response) -> dict[str, Any]:
    """The echo of the fake upstream."""
    assert response.status_code == 200, response.text[:500]
    return response.json()


def upstream_body(response: httpx.Response) -> bytes:
    return base64.b64decode(upstream_saw(response)["body_b64"])


@contextlib.asynccontextmanager
async def loopback_server(app: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on a free loopback port in this event loop; yields its base URL."""
    import socket

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
