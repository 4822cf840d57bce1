"""Webhook signatures, Stripe's scheme, for both adapters (the sandbox signs the same way).

    Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>[,v1=…]

The header may carry several `v1` values (Stripe sends one per active secret while a secret is
rolled); one match is enough. A timestamp further than `tolerance` seconds from now is refused,
so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

from catalog_billing.service_layer.payments import InvalidWebhook

SIGNATURE_HEADER = "Stripe-Signature"
TOLERANCE_SECONDS = 300


def compute_signature(secret: str, timestamp: int, payload: bytes) -> str:
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, payload: bytes, timestamp: int | None = None) -> str:
    """The header value a processor would send (tests, and anything that re-signs)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={compute_signature(secret, t, payload)}"


def header_value(headers: Mapping[str, str], name: str = SIGNATURE_HEADER) -> str | None:
    """A header whatever its case (ASGI gives lower-case names, tests may not)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verify_signature(payload: bytes, header: str | None, secret: str, *, tolerance: int = TOLERANCE_SECONDS,
                     now: Callable[[], float] = time.time) -> int:
    """Check `header` against `payload`; return its timestamp. Raises InvalidWebhook."""
    if not header:
        raise InvalidWebhook("missing signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise InvalidWebhook("unreadable signature timestamp") from None
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise InvalidWebhook("signature header without a timestamp or a v1 signature")
    expected = compute_signature(secret, timestamp, payload)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidWebhook("signature does not match")
    if abs(now() - timestamp) > tolerance:
        raise InvalidWebhook("signature timestamp outside the tolerance")
    return timestamp
