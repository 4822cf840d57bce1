"""CSRF: a random token in an HttpOnly cookie, echoed by forms (`csrf_token`) or `X-CSRF-Token`."""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_FIELD = "csrf_token"
HEADER = "x-csrf-token"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def new_token() -> str:
    """A fresh CSRF token."""
    return secrets.token_urlsafe(32)


def is_well_formed(token: str | None) -> bool:
    """A cookie value the gateway could have issued."""
    return bool(token and _TOKEN.match(token))


def tokens_match(expected: str, presented: str | None) -> bool:
    """Constant-time comparison."""
    if not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def origin_allowed(headers: Headers, host: str) -> bool:
    """False when an `Origin` header is present and names another host than the request's own."""
    origin = headers.get("origin")
    if origin is None:
        return True
    try:
        netloc = urlsplit(origin).netloc.lower()
    except ValueError:
        return False
    return bool(netloc) and netloc == host


async def presented_token(headers: Headers, body: bytes, scope: dict) -> str | None:
    """The token the request brings: the header, else the form field (body left untouched)."""
    from_header = headers.get(HEADER)
    if from_header:
        return from_header
    content_type = headers.get("content-type", "").lower()
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None

    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request(dict(scope), replay)
    try:
        form = await request.form(max_part_size=len(body) + 1)
    except (HTTPException, MultiPartException, ValueError):  # malformed body: no token in it
        return None
    try:
        value = form.get(FORM_FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()
