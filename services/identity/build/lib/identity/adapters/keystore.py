"""Ed25519 signing keys in the `signing_keys` table, and the public JWKS built from them.

The first key is created on first use (after migrations). Two workers starting at once both try
to insert generation 1: the unique generation lets one win; the other re-reads and uses it.
Each process caches the keys and reads them again when the copy is older than
`reload_interval` (a minute), so a rotation (`rotate-signing-key`) reaches every process
without a restart. Which key signs and which ones are published is decided at each call from
the cached rows and the clock (domain/keys.py), so the new key starts signing at its
`not_before` everywhere at once. Serving the JWKS never touches the database once the keys are
read (WarmSigningKeys re-reads them in a thread, before a request).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from identity.adapters.orm import signing_keys
from identity.domain.keys import SigningKey, published_at, signing_key_at
from plumbing.clock import Clock

log = logging.getLogger(__name__)

#: How old the cached keys may get before a process reads them again.
RELOAD_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class ActiveKey:
    """The key that signs now, ready for PyJWT."""

    kid: str
    private_key: Ed25519PrivateKey


@dataclass(frozen=True)
class _Loaded:
    keys: list[SigningKey]
    private_keys: dict[str, Ed25519PrivateKey]
    jwks: dict[str, dict[str, Any]]
    read_at: datetime


def generate_signing_key(generation: int, now: datetime) -> SigningKey:
    """A new Ed25519 key pair; its kid is derived from the public key."""
    private = Ed25519PrivateKey.generate()
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    kid = base64.urlsafe_b64encode(hashlib.sha256(jwk["x"].encode()).digest()[:12]).decode().rstrip("=")
    jwk.update({"kid": kid, "alg": "EdDSA", "use": "sig"})
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return SigningKey(kid, generation, pem, json.dumps(jwk), now)


def _columns(key: SigningKey) -> dict[str, Any]:
    return {column.name: getattr(key, column.name) for column in signing_keys.columns}


class SigningKeyStore:
    def __init__(self, engine: Engine, clock: Clock, reload_interval: timedelta = RELOAD_INTERVAL) -> None:
        self._engine = engine
        self._clock = clock
        self._reload_interval = reload_interval
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def needs_reload(self) -> bool:
        """Never read, or read longer ago than the reload interval."""
        loaded = self._loaded
        if loaded is None:
            return True
        age = self._clock.now() - loaded.read_at
        return age >= self._reload_interval or age < timedelta(0)

    def ensure_loaded(self) -> None:
        """Read the keys if needed (creating the first one if there is none). Blocking: call from a thread.

        A failed re-read keeps the keys already read (and tries again after another interval);
        only the first read raises.
        """
        if not self.needs_reload():
            return
        with self._lock:
            if not self.needs_reload():
                return
            try:
                self._load()
            except SQLAlchemyError as exc:
                if self._loaded is None:
                    raise
                log.warning("signing keys not re-read (%s): keeping the ones read before", type(exc).__name__)
                self._loaded = dataclasses.replace(self._loaded, read_at=self._clock.now())

    def _rows(self) -> list[Any]:
        with self._engine.connect() as connection:
            return list(connection.execute(select(signing_keys).order_by(signing_keys.c.generation)))

    def _load(self) -> None:
        rows = self._rows()
        if not rows:
            try:
                with self._engine.begin() as connection:
                    connection.execute(insert(signing_keys).values(**_columns(
                        generate_signing_key(1, self._clock.now()))))
                log.info("created the first signing key")
            except IntegrityError:
                log.info("another process created the first signing key: using it")
            rows = self._rows()
        keys = [SigningKey(**row._mapping) for row in rows]
        private_keys = {}
        for key in keys:
            private = serialization.load_pem_private_key(key.private_key_pem.encode(), password=None)
            assert isinstance(private, Ed25519PrivateKey)
            private_keys[key.kid] = private
        jwks = {key.kid: json.loads(key.public_jwk) for key in keys}
        if self._loaded is not None and [k.kid for k in keys] != [k.kid for k in self._loaded.keys]:
            log.info("signing keys changed: generations %s", [key.generation for key in keys])
        self._loaded = _Loaded(keys, private_keys, jwks, self._clock.now())

    def _keys(self) -> _Loaded:
        if self._loaded is None:
            self.ensure_loaded()
        assert self._loaded is not None
        return self._loaded

    def jwks(self) -> dict[str, Any]:
        """The public keys published now (from the keys read last; reads them on the first call)."""
        loaded = self._keys()
        return {"keys": [loaded.jwks[key.kid] for key in published_at(loaded.keys, self._clock.now())]}

    def signing_key(self, now: datetime | None = None) -> ActiveKey:
        """The key that signs at `now` (re-reads the keys first when the copy is old: blocking)."""
        self.ensure_loaded()
        loaded = self._keys()
        key = signing_key_at(loaded.keys, now or self._clock.now()) or loaded.keys[-1]
        return ActiveKey(key.kid, loaded.private_keys[key.kid])
