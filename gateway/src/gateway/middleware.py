"""The edge: request id, client address, CSRF cookie, rate limit and security headers."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import csrf
from gateway.errors import ErrorResponder
from gateway.headers import (
    CSRF_COOKIE,
    apply_response_headers,
    client_ip,
    public_host,
    public_scheme,
    request_id_from,
)
from gateway.ratelimit import RateLimiter
from plumbing.logs import write_access_line

#: One line per request (the only per-request INFO line of the gateway; see plumbing.logs).
access_log = logging.getLogger("gateway.access")

#: Paths that neither need a CSRF cookie nor get one (assets, probes).
_NO_CSRF_COOKIE = ("/static/", "/healthz")


@dataclass
class EdgeContext:
    """Per-request facts computed at the edge, read by the endpoints (`request.state.edge`)."""

    request_id: str
    client_ip: str
    scheme: str
    host: str
    csrf_token: str
    csrf_new: bool
    secure_cookies: bool

    @property
    def tls(self) -> bool:
        """True when the browser reached us over HTTPS."""
        return self.scheme == "https"

    def rotate_csrf(self) -> None:
        """Issue a new CSRF token with this response (after log in / log out)."""
        self.csrf_token = csrf.new_token()
        self.csrf_new = True


def cookie_string(headers: Headers) -> str:
    """Every Cookie header of the request, joined."""
    return "; ".join(headers.getlist("cookie"))


def csrf_cookie_header(token: str, secure: bool) -> bytes:
    """The Set-Cookie value of the CSRF cookie (browser session lifetime)."""
    value = f"{CSRF_COOKIE}={token}; HttpOnly; Path=/; SameSite=lax"
    return (value + "; Secure" if secure else value).encode("latin-1")


class EdgeMiddleware:
    """Runs first on every HTTP request and last on every response."""

    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        errors: ErrorResponder,
        trust_proxy: int,
        secure_cookies: bool,
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.errors = errors
        self.trust_proxy = trust_proxy
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        existing = cookie_parser(cookie_string(headers)).get(CSRF_COOKIE)
        well_formed = csrf.is_well_formed(existing)
        scheme = public_scheme(scope.get("scheme", "http"), headers, self.trust_proxy)
        edge = EdgeContext(
            request_id=request_id_from(headers),
            client_ip=client_ip(headers, scope.get("client"), self.trust_proxy),
            scheme=scheme,
            host=public_host(headers, self.trust_proxy),
            csrf_token=existing if well_formed and existing else csrf.new_token(),
            csrf_new=not well_formed,
            secure_cookies=self.secure_cookies or scheme == "https",
        )
        scope.setdefault("state", {})["edge"] = edge
        # An API client (its own Authorization header) gets no CSRF cookie: one that keeps cookies
        # (requests.Session, httpx.Client) would otherwise look like a browser on its next POST.
        issue_cookie = not path.startswith(_NO_CSRF_COOKIE) and "authorization" not in headers
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = edge_headers(list(message.get("headers", [])), edge, issue_cookie)
                message = {**message, "headers": raw}
            await send(message)

        try:
            await self._limited(scope, receive, send_with_headers, headers, edge)
        finally:
            if path != "/healthz":
                log_access(scope["method"], path, status, started, edge, scope["state"].get("cache", "-"))

    async def _limited(
        self, scope: Scope, receive: Receive, send_with_headers: Send, headers: Headers, edge: EdgeContext
    ) -> None:
        path: str = scope["path"]

        if path != "/healthz":
            verdict = await self.limiter.check(edge.client_ip, scope["method"], path)
            if not verdict.allowed:
                response = self.errors.respond(
                    "rate-limited",
                    path=path,
                    headers=headers,
                    request_id=edge.request_id,
                    csrf_token=edge.csrf_token,
                    retry_after=verdict.retry_after,
                )
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


def edge_headers(raw: list[tuple[bytes, bytes]], edge: EdgeContext, issue_cookie: bool) -> list[tuple[bytes, bytes]]:
    """A response's headers as they leave the gateway: security headers, request id, and the CSRF
    cookie when this visitor has none yet (and the response is not shareable)."""
    raw = apply_response_headers(raw, edge.request_id, edge.tls)
    if edge.csrf_new and issue_cookie and not is_shareable(raw):
        raw.append((b"set-cookie", csrf_cookie_header(edge.csrf_token, edge.secure_cookies)))
    return raw


def log_access(method: str, path: str, status: int, started: float, edge: EdgeContext, cache: str) -> None:
    """The request's access line (started: its time.perf_counter() on arrival)."""
    if access_log.isEnabledFor(logging.INFO):
        fields = {
            "method": method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client": edge.client_ip,
            "request_id": edge.request_id,
            "cache": cache,
        }
        write_access_line(access_log, f"{method} {path} {status}", fields)


def is_shareable(raw_headers: list[tuple[bytes, bytes]]) -> bool:
    """True for a response a shared cache may keep (`Cache-Control: public`): it never carries a
    per-visitor cookie, so the CSRF cookie waits for the first page that is not shareable."""
    return any(k.lower() == b"cache-control" and b"public" in v.lower() for k, v in raw_headers)
