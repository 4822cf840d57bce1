"""The fast path: anonymous, bodiless GET and HEAD requests to a service, in one ASGI callable.

Most of the gateway's traffic is a visitor without a session reading a public page. For those, the
general path (EdgeMiddleware → ProxyFirst → Gateway.proxy, with Starlette's Request and Response
objects, a header mapping per lookup, the edge context in `scope["state"]`) cost 95-115 µs of the
gateway's CPU a request besides the upstream exchange; this callable about 40 (in process,
bench/gateway/cost.py). It does the same work for those requests only, with the same helpers
(client address, CSRF cookie, token bucket, header rules, micro-cache, access line, error pages):
one pass over the request's headers, and the response headers prepared once per distinct set of
upstream headers.

Anything else goes to the general path untouched: another method, a body, a session cookie, an
`Authorization` header, the gateway's own paths, a `.`/`..` segment, identity's paths (their
answers can open or end a session), a service without an upstream, a refused rate limit (the
general path builds the 429). A test sends the same requests both ways and compares the answers.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry.propagate import inject
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import csrf
from gateway.app import Gateway, _raw_target, has_dot_segment, is_own_path
from gateway.cache import CacheKey
from gateway.headers import (
    CSRF_COOKIE,
    HSTS,
    SESSION_COOKIE,
    apply_response_headers,
    client_ip,
    forwardable_request_headers,
    public_host,
    public_scheme,
    request_id_from,
    strip_gateway_cookies,
)
from gateway.middleware import EdgeContext, csrf_cookie_header, edge_headers, is_shareable, log_access
from gateway.proxy import UpstreamError, UpstreamResponse
from gateway.routing import resolve
from plumbing.web.locale import pick_locale

#: Request headers that send a request down the general path.
_NOT_FAST = frozenset({"authorization", "content-length", "transfer-encoding"})
_HSTS = (b"strict-transport-security", HSTS.encode())
_Headers = list[tuple[bytes, bytes]]
#: Distinct upstream header sets whose response headers are kept ready (then all are forgotten).
PREPARED_ENTRIES = 1024


class FastPath:
    """Serves eligible requests itself; hands every other one to `app` (the general path)."""

    def __init__(self, app: ASGIApp, gateway: Gateway, trust_proxy: int, secure_cookies: bool) -> None:
        self.app = app
        self.gateway = gateway
        self.trust_proxy = trust_proxy
        self.secure_cookies = secure_cookies
        self.enabled = True
        #: Requests this path took (tests check that it did).
        self.served = 0
        self._prepared: dict[tuple[Any, ...], tuple[_Headers, bool]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if is_own_path(path) or has_dot_segment(path):
            await self.app(scope, receive, send)
            return
        service = resolve(path)
        if service == "identity" or self.gateway.upstreams.base_url(service) is None:
            await self.app(scope, receive, send)
            return
        # One pass over the headers: the first value of each (as Headers.get), every Cookie header.
        first: dict[str, str] = {}
        items: list[tuple[str, str]] = []
        cookie_parts: list[str] = []
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
            items.append((name, value))
            if name == "cookie":
                cookie_parts.append(value)
            elif name not in first:
                first[name] = value
        if _NOT_FAST.intersection(first):
            await self.app(scope, receive, send)
            return
        cookie_header = "; ".join(cookie_parts)
        cookies = cookie_parser(cookie_header) if cookie_header else {}
        if SESSION_COOKIE in cookies:
            await self.app(scope, receive, send)
            return
        peer = client_ip(first, scope.get("client"), self.trust_proxy)
        if self.gateway.limiter.check_safe(peer) > 0:
            await self.app(scope, receive, send)  # refused: the general path answers 429 (and counts nothing)
            return
        await self._serve(scope, send, service, first, items, cookie_header, cookies, peer)

    async def _serve(
        self,
        scope: Scope,
        send: Send,
        service: str,
        first: dict[str, str],
        items: list[tuple[str, str]],
        cookie_header: str,
        cookies: dict[str, str],
        peer: str,
    ) -> None:
        started = time.perf_counter()
        self.served += 1
        method: str = scope["method"]
        scheme = public_scheme(scope.get("scheme", "http"), first, self.trust_proxy)
        existing = cookies.get(CSRF_COOKIE)
        well_formed = csrf.is_well_formed(existing)
        edge = EdgeContext(
            request_id=request_id_from(first),
            client_ip=peer,
            scheme=scheme,
            host=public_host(first, self.trust_proxy),
            csrf_token=existing if well_formed and existing else csrf.new_token(),
            csrf_new=not well_formed,
            secure_cookies=self.secure_cookies or scheme == "https",
        )
        status, outcome = 0, "-"
        try:
            headers = forwardable_request_headers(items, keep_authorization=True)  # (none: not fast otherwise)
            headers += [
                ("x-request-id", edge.request_id),
                ("x-csrf-token", edge.csrf_token),
                ("x-forwarded-for", edge.client_ip),
                ("x-forwarded-proto", edge.scheme),
                ("x-forwarded-host", edge.host),
            ]
            cookie = strip_gateway_cookies(cookie_header) if cookie_header else ""
            if cookie:
                headers.append(("cookie", cookie))
            carrier: dict[str, str] = {}
            inject(carrier)
            headers.extend(carrier.items())
            target = _raw_target(scope)
            upstreams, cache = self.gateway.upstreams, self.gateway.cache
            try:
                if cache is not None and method == "GET":
                    key: CacheKey = (service, target, pick_locale(cookies.get("lang"), first.get("accept-language")))
                    upstream = cache.get(key)
                    if upstream is not None:
                        outcome = "hit"
                    else:
                        upstream, outcome = await cache.fetch(
                            key, lambda: upstreams.request(service, method, target, headers, b"")
                        )
                else:
                    upstream = await upstreams.request(service, method, target, headers, b"")
            except UpstreamError as exc:
                status = await self._fail(scope, send, exc.kind, edge)
                return
            status = upstream.status
            raw, shareable = self._edge_static(service, method, upstream)
            out = list(raw)
            if edge.tls:
                out.append(_HSTS)
            out.append((b"x-request-id", edge.request_id.encode()))
            if edge.csrf_new and not shareable:
                out.append((b"set-cookie", csrf_cookie_header(edge.csrf_token, edge.secure_cookies)))
            await send({"type": "http.response.start", "status": status, "headers": out})
            await send({"type": "http.response.body", "body": b"" if method == "HEAD" else upstream.body})
        except Exception:  # as the general path: a 500 page, then the server logs the exception
            if status == 0:
                status = await self._fail(scope, send, "internal", edge)
            raise
        finally:
            log_access(method, scope["path"], status, started, edge, outcome)

    def _edge_static(self, service: str, method: str, upstream: UpstreamResponse) -> tuple[_Headers, bool]:
        """The response headers up to the request id (apply_response_headers without it and HSTS),
        and whether they make the answer shareable. They depend only on the service, the method,
        the status, the body's length and the upstream's headers: built once per distinct set
        (a service answers a page with the same headers but the Date, which the gateway drops)."""
        key = (service, method, upstream.status, len(upstream.body), tuple(upstream.headers))
        found = self._prepared.get(key)
        if found is None:
            forwarded = self.gateway.prepared_headers(service, method, upstream)
            raw = apply_response_headers(list(forwarded), "", False)[:-1]  # the request id goes last
            found = (raw, is_shareable(raw))
            if len(self._prepared) >= PREPARED_ENTRIES:
                self._prepared.clear()
            self._prepared[key] = found
        return found

    async def _fail(self, scope: Scope, send: Send, kind: str, edge: EdgeContext) -> int:
        """The gateway's error page, with the headers the general path gives it."""
        response = self.gateway.errors.respond(
            kind, path=scope["path"], headers=Headers(scope=scope), request_id=edge.request_id,
            csrf_token=edge.csrf_token,
        )

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": edge_headers(list(message.get("headers", [])), edge, True)}
            await send(message)

        async def no_body() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        await response(scope, no_body, send_with_headers)
        return response.status_code
