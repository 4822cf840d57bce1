"""Verify identity's access tokens locally, with its public keys (JWKS) fetched and cached.

Tokens are EdDSA-signed JWTs: `iss` = ingemplois-identity, `aud` = ingemplois, `sub` = account
id, plus `email`, `kind` (employer, member, staff) and `sid` (the session they belong to).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jwt
import requests

ISSUER = "ingemplois-identity"
AUDIENCE = "ingemplois"


class InvalidToken(Exception):
    """The token is missing, malformed, expired or not signed by identity."""


@dataclass(frozen=True)
class Principal:
    account_id: str
    email: str
    kind: str
    session_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


JwksProvider = Callable[[], dict[str, Any]]


def http_jwks_provider(identity_url: str, timeout: float = 3.0) -> JwksProvider:
    """Fetch the JWKS from identity over HTTP (distributed mode)."""

    def fetch() -> dict[str, Any]:
        response = requests.get(f"{identity_url.rstrip('/')}/api/identity/v1/jwks", timeout=timeout)
        response.raise_for_status()
        return response.json()

    return fetch


class TokenVerifier:
    def __init__(self, jwks_provider: JwksProvider, *, refresh_interval: float = 30.0, leeway: int = 10) -> None:
        self._provider = jwks_provider
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._refresh_interval = refresh_interval
        self._leeway = leeway
        self._lock = threading.Lock()

    def _refresh(self, force: bool = False) -> None:
        with self._lock:
            if not force and self._keys:
                return
            if force and time.monotonic() - self._fetched_at < self._refresh_interval and self._keys:
                return
            keyset = jwt.PyJWKSet.from_dict(self._provider())
            self._keys = {key.key_id: key for key in keyset.keys}
            self._fetched_at = time.monotonic()

    def _key_for(self, kid: str) -> Any:
        self._refresh()
        if kid not in self._keys:
            self._refresh(force=True)  # a rotated key: fetch again, at most every refresh_interval
        if kid not in self._keys:
            raise InvalidToken("unknown signing key")
        return self._keys[kid]

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            key = self._key_for(str(header.get("kid", "")))
            claims = jwt.decode(
                token,
                key=key.key,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except InvalidToken:
            raise
        except (jwt.PyJWTError, requests.RequestException, ValueError, KeyError) as exc:
            raise InvalidToken(str(exc)) from exc
        return Principal(
            account_id=str(claims["sub"]),
            email=str(claims.get("email", "")),
            kind=str(claims.get("kind", "")),
            session_id=claims.get("sid"),
        )


_verifier: TokenVerifier | None = None


def configure_verifier(verifier: TokenVerifier) -> None:
    """Set the process's verifier (the composition root does it once)."""
    global _verifier
    _verifier = verifier


def get_verifier() -> TokenVerifier:
    if _verifier is None:
        raise RuntimeError("token verifier not configured: call configure_verifier() at start-up")
    return _verifier


def principal_from_authorization(value: str | None) -> Principal | None:
    """The principal of an `Authorization: Bearer …` header, or None when absent or invalid."""
    if not value or not value.lower().startswith("bearer "):
        return None
    try:
        return get_verifier().verify(value[7:].strip())
    except InvalidToken:
        return None


def bearer_info(token: str) -> dict[str, Any] | None:
    """connexion's `x-bearerInfoFunc`: token_info for valid tokens, None (→ 401) otherwise."""
    try:
        principal = get_verifier().verify(token)
    except InvalidToken:
        return None
    return {"sub": principal.account_id, "principal": principal}
