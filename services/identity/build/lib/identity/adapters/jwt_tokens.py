"""Access tokens: EdDSA-signed JWTs that every service verifies with identity's JWKS."""

from __future__ import annotations

from datetime import datetime

import jwt

from identity.adapters.keystore import SigningKeyStore
from identity.domain.model import Account
from plumbing.auth.tokens import AUDIENCE, ISSUER


class JwtSigner:
    def __init__(self, keystore: SigningKeyStore, ttl_seconds: int) -> None:
        self._keystore = keystore
        self._ttl = ttl_seconds

    def sign(self, account: Account, session_id: str, now: datetime) -> tuple[str, int]:
        key = self._keystore.signing_key(now)
        issued_at = int(now.timestamp())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": account.id,
            "email": account.email,
            "kind": account.kind,
            "sid": session_id,
            "iat": issued_at,
            "exp": issued_at + self._ttl,
        }
        token = jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})
        return token, self._ttl
