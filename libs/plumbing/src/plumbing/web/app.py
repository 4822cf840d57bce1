"""One ASGI application per service: its API (connexion AsyncApp), its pages (Flask), health.

Why this shape: connexion's FlaskApp pays a WSGI bridge on every API call (0.4-0.6x bare Flask in
STACK-NOTES), while AsyncApp with non-blocking handlers is faster than bare Flask. Pages keep
Flask (Jinja, Flask-Babel, blueprints) behind a2wsgi: they are not the hot path.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote, unquote_plus

import anyio.to_thread
from a2wsgi import WSGIMiddleware
from flask import Flask
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.trace import SpanKind
from starlette.concurrency import run_in_threadpool

from plumbing.telemetry import configured, recording
from plumbing.web.locale import locale_from_headers
from plumbing.web.problem import PROBLEM_TYPE, problem_bytes

log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]
ReadinessCheck = Callable[[], None]


async def _send_bytes(send: Callable[..., Awaitable[None]], status: int, body: bytes, content_type: str,
                      extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


class ServiceApp:
    """Dispatch by path: `/api/` to the API, `/healthz` and `/readyz` here, the rest to pages."""

    def __init__(
        self,
        name: str,
        *,
        api: ASGIApp | None,
        pages: Flask | None,
        readiness_checks: dict[str, ReadinessCheck] | None = None,
        max_api_body: int = 256 * 1024,
        blocking_threads: int = 8,
    ) -> None:
        self.name = name
        self.api = api
        self.pages = WSGIMiddleware(pages, workers=blocking_threads) if pages is not None else None
        self.readiness_checks = readiness_checks or {}
        self.max_api_body = max_api_body
        self.blocking_threads = blocking_threads
        self._limiter_set = False

    def _cap_thread_limiter(self) -> None:
        # Plain `def` API handlers run in anyio's default thread pool (40 threads): cap it to the
        # real blocking concurrency (about the database pool) to keep the latency tail short.
        if not self._limiter_set:
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.blocking_threads
            self._limiter_set = True

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self._cap_thread_limiter()
        path: str = scope["path"]
        if path == "/healthz":
            alive = json.dumps({"status": "ok", "service": self.name}).encode()
            await _send_bytes(send, 200, alive, "application/json")
        elif path == "/readyz":
            await self._readyz(send)
        elif path.startswith("/api/"):
            await self._api(scope, receive, send)
        elif self.pages is not None:
            await self.pages(scope, receive, send)
        else:
            await _send_bytes(send, 404, problem_bytes(404, "fr"), PROBLEM_TYPE)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self._cap_thread_limiter()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _readyz(self, send: Any) -> None:
        results: dict[str, str] = {}
        for check_name, check in self.readiness_checks.items():
            try:
                await run_in_threadpool(check)
                results[check_name] = "ok"
            except Exception as exc:  # noqa: BLE001 - report, never raise
                results[check_name] = f"down: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        body = json.dumps({"status": "ok" if ready else "down", "service": self.name, "checks": results})
        await _send_bytes(send, 200 if ready else 503, body.encode(), "application/json")

    async def _api(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if self.api is None:
            await _send_bytes(send, 404, problem_bytes(404, "fr"), PROBLEM_TYPE)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        locale = locale_from_headers(headers)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_api_body:
            await self._too_large(send, locale)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_api_body:
                await self._too_large(send, locale)
                return
        if body and "json" in headers.get("content-type", ""):
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                detail = "The body must be UTF-8 JSON." if locale == "en" else "Le corps doit être du JSON en UTF-8."
                await _send_bytes(send, 400, problem_bytes(400, locale, detail, code="invalid_encoding"), PROBLEM_TYPE)
                return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.api(scope, replay, send)

    async def _too_large(self, send: Any, locale: str) -> None:
        detail = f"The body exceeds {self.max_api_body} bytes." if locale == "en" else (
            f"Le corps dépasse {self.max_api_body} octets.")
        await _send_bytes(send, 413, problem_bytes(413, locale, detail, code="body_too_large"), PROBLEM_TYPE)


#: Query parameters whose value never reaches a span: one-time links (/compte/verifier?token=…,
#: /compte/reinitialiser?token=…) would otherwise sit in every trace backend for their lifetime.
SECRET_QUERY_PARAMS = frozenset({"token"})


_NESTED_SECRET = re.compile(r"[?&](?:{})=".format("|".join(sorted(SECRET_QUERY_PARAMS))))


def redact_query(query: str) -> str:
    """The query string with the value of every secret parameter replaced by `REDACTED`, also when
    it is nested in another parameter's value (`/langue/en?next=/compte/reinitialiser%3Ftoken%3D…`)."""
    parts = []
    for item in query.split("&"):
        name, sep, value = item.partition("=")
        secret = unquote_plus(name) in SECRET_QUERY_PARAMS or _NESTED_SECRET.search(unquote_plus(value))
        parts.append(f"{name}=REDACTED" if sep and secret else item)
    return "&".join(parts)


def _redact_span_urls(span: Any, scope: dict[str, Any]) -> None:
    """server_request_hook: rewrite the URL attributes OpenTelemetry copied from the request."""
    raw = scope.get("query_string", b"")
    query = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    redacted = redact_query(query)
    if redacted == query:
        return
    attributes = getattr(span, "attributes", None) or {}
    for key in ("http.url", "url.full"):
        value = attributes.get(key)
        if isinstance(value, str):
            span.set_attribute(key, value.split("?", 1)[0] + "?" + unquote(redacted))
    if "url.query" in attributes:
        span.set_attribute("url.query", redacted)


_IDS = RandomIdGenerator()


class _TracedRequests:
    """Continue the caller's trace on every request, at the cost tracing has right now.

    When spans are recorded (an exporter is configured), OpenTelemetry's ASGI middleware opens a
    server span per request, without its per-message `receive`/`send` spans (three spans a request
    that add nothing). When nothing would record them, a light path only makes the caller's trace
    context (or a new, unsampled one) current, so logs and outgoing messages keep the trace id:
    the full middleware costs about 60 µs a request even then (bench/serving). Decided per
    request, so tracing switched on after start-up (tests) takes effect at once.
    """

    def __init__(self, app: ASGIApp, excluded_urls: str) -> None:
        self.app = app
        self.full = OpenTelemetryMiddleware(app, excluded_urls=excluded_urls, exclude_spans=["receive", "send"],
                                            server_request_hook=_redact_span_urls)
        self.tracer = trace.get_tracer(__name__)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if recording() or scope["type"] != "http":
            await self.full(scope, receive, send)
            return
        carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())
                   if k in (b"traceparent", b"tracestate")}
        if not carrier and configured():
            # No caller's trace and nothing recorded: what the SDK's tracer would start (a root the
            # sampler drops), without the sampler chain and the span machinery (~10 µs a request).
            span: trace.Span = trace.NonRecordingSpan(trace.SpanContext(
                _IDS.generate_trace_id(), _IDS.generate_span_id(), is_remote=False))
            token = otel_context.attach(trace.set_span_in_context(span))
        else:
            parent = propagate.extract(carrier)
            span = self.tracer.start_span(scope.get("method", "HTTP"), context=parent, kind=SpanKind.SERVER)
            token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            await self.app(scope, receive, send)
        finally:
            otel_context.detach(token)


def instrumented(app: ASGIApp, excluded_urls: str = "healthz,readyz") -> ASGIApp:
    """Wrap an ASGI app so each request continues the caller's trace (see _TracedRequests)."""
    return _TracedRequests(app, excluded_urls)
