"""Header rules: request ids, security headers, what crosses the gateway in each direction."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from random import getrandbits

SESSION_COOKIE = "ingemplois_session"
CSRF_COOKIE = "ingemplois_csrf"
GATEWAY_COOKIES = frozenset({SESSION_COOKIE, CSRF_COOKIE})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: Set on every response; the gateway's value replaces an upstream's (CSP: see below).
SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ("cross-origin-opener-policy", "same-origin"),
)
HSTS = "max-age=31536000; includeSubDomains"

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)

#: Incoming headers the gateway drops or replaces before forwarding.
_REPLACED_ON_REQUEST = frozenset(
    {
        "host",
        "content-length",
        "expect",
        "cookie",
        "x-csrf-token",
        "x-request-id",
        "x-forwarded-for",
        "x-forwarded-proto",
        "x-forwarded-host",
        "x-forwarded-port",
        "forwarded",
        "traceparent",
        "tracestate",
    }
)

#: Response headers the gateway's server writes itself (an upstream's copy would make them twice).
_SERVER_OWNED = frozenset({"content-length", "x-request-id", "date", "server"})

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_from(headers: Mapping[str, str]) -> str:
    """Keep the client's X-Request-Id when well-formed, else 32 fresh random hex digits (as a uuid4
    hex looks). From `random`, not the OS: an id names a request in logs, it is no secret (a client
    may choose its own), and os.urandom's system call cost 3 µs a request (bench/gateway/cost.py).
    `random` reseeds itself in each forked worker."""
    candidate = headers.get("x-request-id", "")
    return candidate if _REQUEST_ID.match(candidate) else f"{getrandbits(128):032x}"


def _from_trusted_hop(value: str, hops: int) -> str | None:
    """The entry that the outermost of `hops` trusted proxies wrote: the `hops`-th from the right.

    Entries further left were sent by the client and can be anything; with fewer entries than
    trusted hops the request did not come through them all, and nothing is trusted."""
    if hops <= 0:
        return None
    entries = [entry.strip() for entry in value.split(",")]
    if len(entries) < hops:
        return None
    return entries[-hops] or None


def client_ip(headers: Mapping[str, str], peer: tuple[str, int] | None, trust_proxy: int) -> str:
    """The client's address: behind `trust_proxy` trusted hops, the X-Forwarded-For entry the
    outermost one added (never a client-controlled entry); else the peer."""
    forwarded = _from_trusted_hop(headers.get("x-forwarded-for", ""), trust_proxy)
    if forwarded:
        return forwarded
    return peer[0] if peer else "unknown"


def public_scheme(scope_scheme: str, headers: Mapping[str, str], trust_proxy: int) -> str:
    """`https` when the browser reached us over TLS (directly or through a trusted proxy)."""
    proto = (_from_trusted_hop(headers.get("x-forwarded-proto", ""), trust_proxy) or "").lower()
    if proto in {"http", "https"}:
        return proto
    return "https" if scope_scheme in {"https", "wss"} else "http"


def public_host(headers: Mapping[str, str], trust_proxy: int) -> str:
    """The host the browser used (X-Forwarded-Host behind a trusted proxy)."""
    forwarded = _from_trusted_hop(headers.get("x-forwarded-host", ""), trust_proxy)
    if forwarded:
        return forwarded.lower()
    return headers.get("host", "").lower()


def strip_gateway_cookies(cookie_header: str) -> str:
    """Remove `ingemplois_session` and `ingemplois_csrf` from a Cookie header, keep the rest verbatim."""
    kept = []
    for part in cookie_header.split(";"):
        name = part.split("=", 1)[0].strip()
        if part.strip() and name not in GATEWAY_COOKIES:
            kept.append(part.strip())
    return "; ".join(kept)


def _connection_listed(headers: Iterable[tuple[str, str]]) -> set[str]:
    listed: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            listed.update(token.strip().lower() for token in value.split(","))
    return listed


def forwardable_request_headers(items: list[tuple[str, str]], keep_authorization: bool) -> list[tuple[str, str]]:
    """Client headers that may go upstream as they are (the gateway adds its own after)."""
    dropped = HOP_BY_HOP | _REPLACED_ON_REQUEST | _connection_listed(items)
    result = []
    for name, value in items:
        lower = name.lower()
        if lower in dropped or lower.startswith("x-session-"):
            continue
        if lower == "authorization" and not keep_authorization:
            continue
        result.append((lower, value))
    return result


def forwardable_response_headers(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Upstream headers that may reach the browser (no hop-by-hop, no X-Session-*, no length; no
    Date or Server either: the gateway's own server sends those, once)."""
    dropped = HOP_BY_HOP | _SERVER_OWNED | _connection_listed(items)
    result = []
    for name, value in items:
        lower = name.lower()
        if lower in dropped or lower.startswith("x-session-"):
            continue
        if lower == "set-cookie" and value.split("=", 1)[0].strip() in GATEWAY_COOKIES:
            continue  # only the gateway sets its own cookies
        result.append((lower, value))
    return result


def apply_response_headers(
    raw_headers: list[tuple[bytes, bytes]], request_id: str, tls: bool
) -> list[tuple[bytes, bytes]]:
    """Add the security headers and the request id to a response's raw header list.

    The gateway's values replace an upstream's for the fixed headers. The gateway's CSP is always
    present; an upstream's own, different CSP is kept beside it, and browsers enforce both, so a
    service can tighten the policy but never loosen or drop it.
    """
    replaced = {name.encode() for name, _ in SECURITY_HEADERS} | {
        b"x-request-id",
        b"strict-transport-security",
    }
    out = [(k, v) for k, v in raw_headers if k.lower() not in replaced]
    csp = CONTENT_SECURITY_POLICY.encode()
    if not any(k.lower() == b"content-security-policy" and v == csp for k, v in out):
        out.append((b"content-security-policy", csp))
    out.extend((name.encode(), value.encode()) for name, value in SECURITY_HEADERS)
    if tls:
        out.append((b"strict-transport-security", HSTS.encode()))
    out.append((b"x-request-id", request_id.encode()))
    return out
