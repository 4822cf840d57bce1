"""Ed25519 signing keys in the `signing_keys` table, and the public JWKS built from them.

The first key is created on first use (after migrations). Two workers starting at once both try
to insert generation 1: the unique generation lets one win; the other re-reads and uses it.
Keys are read once per process and cached, so serving the JWKS never touches the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from identity.adapters.orm import signing_keys
from plumbing.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey


def _new_key_row(generation: int, clock: Clock) -> dict[str, Any]:
    private = Ed25519PrivateKey.generate()
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    kid = base64.urlsafe_b64encode(hashlib.sha256(jwk["x"].encode()).digest()[:12]).decode().rstrip("=")
    jwk.update({"kid": kid, "alg": "EdDSA", "use": "sig"})
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return {"kid": kid, "generation": generation, "private_key_pem": pem, "public_jwk": json.dumps(jwk),
            "created_at": clock.now()}


class SigningKeyStore:
    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._lock = threading.Lock()
        self._current: SigningKey | None = None
        self._jwks: dict[str, Any] | None = None

    @property
    def loaded(self) -> bool:
        return self._jwks is not None

    def ensure_loaded(self) -> None:
        """Read the keys (creating the first one if there is none). Blocking: call from a thread."""
        if self._jwks is not None:
            return
        with self._lock:
            if self._jwks is None:
                self._load()

    def _rows(self) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(select(signing_keys).order_by(signing_keys.c.generation)))

    def _load(self) -> None:
        rows = self._rows()
        if not rows:
            try:
                with self._engine.begin() as connection:
                    connection.execute(insert(signing_keys).values(**_new_key_row(1, self._clock)))
                log.info("created the first signing key")
            except IntegrityError:
                log.info("another process created the first signing key: using it")
            rows = self._rows()
        newest = rows[-1]
        private = serialization.load_pem_private_key(newest.private_key_pem.encode(), password=None)
        assert isinstance(private, Ed25519PrivateKey)
        self._current = SigningKey(newest.kid, private)
        self._jwks = {"keys": [json.loads(row.public_jwk) for row in rows]}

    def jwks(self) -> dict[str, Any]:
        """The public key set (cached; loads it on first call)."""
        self.ensure_loaded()
        assert self._jwks is not None
        return self._jwks

    def signing_key(self) -> SigningKey:
        self.ensure_loaded()
        assert self._current is not None
        return self._current
