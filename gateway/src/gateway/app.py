"""The gateway application: its own paths, then the proxy with sessions and CSRF."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from opentelemetry.propagate import inject
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import csrf
from gateway.cache import CacheKey, MicroCache
from gateway.config import VENDOR_FILES, GatewayConfig
from gateway.errors import LOCALES, ErrorResponder
from gateway.headers import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    forwardable_request_headers,
    forwardable_response_headers,
    strip_gateway_cookies,
)
from gateway.health import check_all
from gateway.middleware import EdgeContext, EdgeMiddleware, cookie_string
from gateway.proxy import REFRESH_PATH, UpstreamError, UpstreamResponse, Upstreams
from gateway.ratelimit import RateLimiter
from gateway.revocations import make_revoked_reader
from gateway.routing import resolve
from gateway.sessions import (
    RefreshCall,
    RefreshRejected,
    RefreshUnavailable,
    SessionManager,
    make_session_store,
)
from plumbing.web.app import instrumented
from plumbing.web.locale import pick_locale

log = logging.getLogger(__name__)

PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
_OWN_PREFIXES = ("/static/", "/langue/")
_HTTP_ERROR_KINDS = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 413: "too-large"}
_UNPRINTABLE = set(chr(c) for c in range(0x21)) | {"\x7f", "\\"}


def is_own_path(path: str) -> bool:
    """Paths the gateway answers itself rather than proxying."""
    return path == "/healthz" or path == "/static" or path.startswith(_OWN_PREFIXES)


def safe_local_path(target: str) -> bool:
    """A same-site path: one leading "/", no scheme or host, no backslash or control character."""
    if not target.startswith("/") or target.startswith("//"):
        return False
    if any(ch in _UNPRINTABLE for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def has_dot_segment(path: str) -> bool:
    """True for a path with a `.` or `..` segment. httpx removes them before sending upstream, so the
    service would answer another path than the one routed and rate-limited here (browsers never send them)."""
    return any(segment in (".", "..") for segment in path.split("/"))


def _raw_target(scope: Scope) -> bytes:
    raw_path: bytes = scope.get("raw_path") or quote(scope["path"]).encode()
    query: bytes = scope.get("query_string", b"")
    return raw_path + b"?" + query if query else raw_path


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The whole request body, or None when it exceeds `limit` bytes."""
    if request.method in ("GET", "HEAD") and not {"content-length", "transfer-encoding"}.intersection(request.headers):
        return b""  # no body announced: nothing to read (the server sends one empty message)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class ProxyRoute(Route):
    """The catch-all route; it leaves the gateway's own paths to their routes (so they 405)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and is_own_path(scope["path"]):
            return Match.NONE, {}
        return super().matches(scope)


class ProxyFirst:
    """Sends proxied requests straight to Gateway.proxy and everything else (own paths, other
    methods, lifespan) through the Starlette app: its middleware and routing cost ~30-50 µs a request
    on the hot path for nothing (bench/gateway). Same answers either way (tests)."""

    def __init__(self, app: ASGIApp, gateway: Gateway) -> None:
        self.app = app
        self.gateway = gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in PROXY_METHODS or is_own_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.gateway.proxy(request)
        except Exception as exc:  # as Starlette's ServerErrorMiddleware would, then the server logs it
            failure = await self.gateway.server_error(request, exc)
            await failure(scope, receive, send)
            raise
        await response(scope, receive, send)


class Gateway:
    """Holds the gateway's collaborators and its endpoints."""

    def __init__(
        self,
        config: GatewayConfig,
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.config = config
        self.upstreams = Upstreams(config, transports)
        self.sessions = SessionManager(
            make_session_store(config.redis_url, config.redis_prefix, config.session_ttl_seconds),
            revoked=make_revoked_reader(config.redis_url, config.redis_prefix),
        )
        self.limiter = RateLimiter(
            config.rate_limit_default, config.rate_limit_auth, config.redis_url, config.redis_prefix
        )
        self.errors = ErrorResponder()
        self.cache = MicroCache(config.microcache_seconds) if config.microcache_seconds > 0 else None

    # -- helpers ---------------------------------------------------------------------------

    def fail(self, request: Request, kind: str, **extra: Any) -> Response:
        """The gateway's error answer for this request."""
        edge: EdgeContext = request.state.edge
        return self.errors.respond(
            kind,
            path=request.url.path,
            headers=request.headers,
            request_id=edge.request_id,
            csrf_token=edge.csrf_token,
            **extra,
        )

    def _refresh_call(self, edge: EdgeContext) -> RefreshCall:
        async def call(refresh_token: str) -> tuple[int, Any]:
            headers = [("x-request-id", edge.request_id), ("x-forwarded-for", edge.client_ip)]
            carrier: dict[str, str] = {}
            inject(carrier)
            headers.extend(carrier.items())
            try:
                return await self.upstreams.post_json(
                    "identity", REFRESH_PATH, {"refresh_token": refresh_token}, headers
                )
            except UpstreamError as exc:
                raise RefreshUnavailable(str(exc)) from exc

        return call

    def _session_cookie(self, response: Response, edge: EdgeContext, value: str | None) -> None:
        if value is None:
            response.delete_cookie(SESSION_COOKIE, path="/", secure=edge.secure_cookies, httponly=True, samesite="lax")
        else:
            response.set_cookie(
                SESSION_COOKIE,
                value,
                path="/",
                secure=edge.secure_cookies,
                httponly=True,
                samesite="lax",
            )

    def prepared_headers(self, service: str, method: str, upstream: UpstreamResponse) -> list[tuple[bytes, bytes]]:
        """The upstream answer's headers as the gateway forwards them (built once per answer and
        method: a cached answer is sent many times). Shared: copy before changing."""
        raw = upstream.prepared.get(method)
        if raw is None:
            raw = upstream.prepared[method] = self._response_headers(service, method, upstream)
        return raw

    def _to_response(self, service: str, method: str, upstream: UpstreamResponse) -> Response:
        response = Response(status_code=upstream.status)
        response.body = b"" if method == "HEAD" else upstream.body
        response.raw_headers = list(self.prepared_headers(service, method, upstream))
        return response

    def _response_headers(self, service: str, method: str, upstream: UpstreamResponse) -> list[tuple[bytes, bytes]]:
        headers = [
            (name, self.upstreams.local_location(service, value) if name == "location" else value)
            for name, value in forwardable_response_headers(upstream.headers)
        ]
        body = b"" if method == "HEAD" else upstream.body
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        if method == "HEAD":
            length = upstream.header("content-length")
            if length is not None:
                raw.append((b"content-length", length.encode("latin-1")))
        elif not (upstream.status < 200 or upstream.status in (204, 304)):
            raw.append((b"content-length", str(len(body)).encode()))
        return raw

    # -- endpoints -------------------------------------------------------------------------

    async def healthz(self, request: Request) -> Response:
        """GET /healthz."""
        document = await check_all(self.upstreams, self.config.health_timeout)
        return JSONResponse(document, headers={"cache-control": "no-store"})

    async def language(self, request: Request) -> Response:
        """GET /langue/<fr|en>?next=/path: remember the language, go back to a local page."""
        lang = request.path_params["lang"]
        if lang not in LOCALES:
            return self.fail(request, "not-found")
        target = request.query_params.get("next", "/")
        response = RedirectResponse(target if safe_local_path(target) else "/", status_code=303)
        response.set_cookie(
            "lang",
            lang,
            max_age=LANG_COOKIE_MAX_AGE,
            path="/",
            samesite="lax",
            httponly=True,
            secure=request.state.edge.secure_cookies,
        )
        return response

    async def vendor(self, request: Request) -> Response:
        """GET /static/vendor/<file>: whitelisted front-end packages from node_modules."""
        relative = VENDOR_FILES.get(request.path_params["name"])
        path = self.config.vendor_dir / relative if relative else None
        if path is None or not path.is_file():
            return self.fail(request, "not-found")
        return FileResponse(path, headers={"cache-control": "public, max-age=86400"})

    async def proxy(self, request: Request) -> Response:
        """Every other path: check, attach the session's token, forward, apply session headers."""
        edge: EdgeContext = request.state.edge
        path, method = request.url.path, request.method
        if has_dot_segment(request.scope["path"]):
            return self.fail(request, "bad-request")
        service = resolve(path)
        if self.upstreams.base_url(service) is None:
            return self.fail(request, "unavailable")
        body = await _read_body(request, self.config.max_body_bytes)
        if body is None:
            return self.fail(request, "too-large")

        cookies = cookie_parser(cookie_string(request.headers))
        has_session_cookie = SESSION_COOKIE in cookies
        has_gateway_cookie = has_session_cookie or CSRF_COOKIE in cookies
        # Its own Authorization header and no session: an API client (the CSRF cookie alone, which
        # a cookie-keeping HR client may have picked up on a public page, names nobody).
        api_client = "authorization" in request.headers and not has_session_cookie
        unsafe = method not in csrf.SAFE_METHODS
        if unsafe and not api_client:
            if not csrf.origin_allowed(request.headers, edge.host):
                return self.fail(request, "origin")
            if has_gateway_cookie:
                presented = await csrf.presented_token(request.headers, body, request.scope)
                if edge.csrf_new or not csrf.tokens_match(edge.csrf_token, presented):
                    return self.fail(request, "csrf")

        cache_key: CacheKey | None = None
        anonymous = not has_session_cookie and "authorization" not in request.headers
        if self.cache is not None and method == "GET" and anonymous:
            language = pick_locale(cookies.get("lang"), request.headers.get("accept-language"))
            cache_key = (service, _raw_target(request.scope), language)
            cached = self.cache.get(cache_key)
            if cached is not None:
                request.state.cache = "hit"
                return self._to_response(service, method, cached)

        session_id: str | None = cookies.get(SESSION_COOKIE) if has_session_cookie else None
        bearer: str | None = None
        clear_cookie = False
        if session_id is not None:
            try:
                session = await self.sessions.load(session_id)
                if session is None:
                    clear_cookie, session_id = True, None
                else:
                    bearer = await self.sessions.access_token(session_id, session, self._refresh_call(edge))
            except RefreshRejected:
                clear_cookie, session_id = True, None
            except RefreshUnavailable as exc:
                log.warning("cannot refresh session token: %s", exc)
                if unsafe:  # never run a form as anonymous when the user is logged in
                    return self.fail(request, "unavailable")
            except Exception:
                log.exception("session store unavailable")
                return self.fail(request, "unavailable")

        headers = forwardable_request_headers(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            keep_authorization=not has_session_cookie,
        )
        headers += [
            ("x-request-id", edge.request_id),
            ("x-csrf-token", edge.csrf_token),
            ("x-forwarded-for", edge.client_ip),
            ("x-forwarded-proto", edge.scheme),
            ("x-forwarded-host", edge.host),
        ]
        cookie = strip_gateway_cookies(cookie_string(request.headers))
        if cookie:
            headers.append(("cookie", cookie))
        if bearer:
            headers.append(("authorization", f"Bearer {bearer}"))
        carrier: dict[str, str] = {}
        inject(carrier)
        headers.extend(carrier.items())

        try:
            if cache_key is not None and self.cache is not None:
                upstream, outcome = await self.cache.fetch(
                    cache_key, lambda: self.upstreams.request(service, method, cache_key[1], headers, body)
                )
                request.state.cache = outcome
            else:
                upstream = await self.upstreams.request(service, method, _raw_target(request.scope), headers, body)
        except UpstreamError as exc:
            return self.fail(request, exc.kind)
        response = self._to_response(service, method, upstream)

        if service == "identity":
            grant = upstream.header("x-session-grant")
            ended = upstream.header("x-session-end")
            try:
                if grant:
                    if session_id:
                        await self.sessions.close(session_id)
                    self._session_cookie(response, edge, await self.sessions.open(grant))
                    edge.rotate_csrf()
                    clear_cookie = False
                elif ended:
                    if session_id:
                        await self.sessions.close(session_id)
                    edge.rotate_csrf()
                    clear_cookie = True
            except Exception:
                log.exception("session store unavailable")
                return self.fail(request, "unavailable")
        if clear_cookie:
            self._session_cookie(response, edge, None)
        return response

    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Starlette HTTPExceptions (404 from static files, 405…) as error pages."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return self.fail(request, _HTTP_ERROR_KINDS.get(status, "internal"))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        """Unexpected exceptions: a 500 page (the exception is still logged by the server)."""
        return self.fail(request, "internal")

    async def aclose(self) -> None:
        """Release clients and connections."""
        await self.upstreams.aclose()
        await self.sessions.store.close()
        if self.sessions.revoked is not None:
            await self.sessions.revoked.close()
        await self.limiter.close()

    def routes(self) -> list[BaseRoute]:
        """The gateway's own paths, then the catch-all proxy."""
        return [
            Route("/healthz", self.healthz, methods=["GET", "HEAD"]),
            Route("/langue/{lang}", self.language, methods=["GET", "HEAD"]),
            Route("/static/vendor/{name:path}", self.vendor, methods=["GET", "HEAD"]),
            Mount("/static", app=StaticFiles(directory=self.config.static_dir), name="static"),
            ProxyRoute("/{path:path}", self.proxy, methods=PROXY_METHODS),
        ]


def create_gateway(
    config: GatewayConfig,
    transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> ASGIApp:
    """Build the gateway ASGI app. `transports` maps service names to in-process transports
    (e.g. httpx.ASGITransport(app=...)) for the embedded mode; they win over configured URLs.

    The returned app has a `gateway` attribute (the Gateway object) for tests and runners, and
    `fast_path` (gateway.fastpath.FastPath: anonymous reads; `enabled = False` sends every
    request down the general path).
    """
    from gateway.fastpath import FastPath
    gateway = Gateway(config, transports)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await gateway.aclose()

    app = Starlette(
        routes=gateway.routes(),
        exception_handlers={HTTPException: gateway.http_error, Exception: gateway.server_error},
        lifespan=lifespan,
    )
    edge = EdgeMiddleware(
        ProxyFirst(app, gateway),
        limiter=gateway.limiter,
        errors=gateway.errors,
        trust_proxy=config.trust_proxy,
        secure_cookies=config.secure_cookies,
    )
    fast = FastPath(edge, gateway, trust_proxy=config.trust_proxy, secure_cookies=config.secure_cookies)
    traced = instrumented(fast, excluded_urls="healthz")
    traced.gateway = gateway  # type: ignore[attr-defined]
    traced.fast_path = fast  # type: ignore[attr-defined]
    return traced
