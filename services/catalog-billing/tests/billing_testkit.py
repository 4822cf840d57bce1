"""Helpers of catalog-billing's tests: test tokens, settings, the membership projection, the outbox.

Tokens are signed with a test Ed25519 key; `use_test_keys()` points the process's verifier at that
key (plumbing.auth.tokens.configure_verifier), exactly as the real one is pointed at identity's JWKS.
"""

from __future__ import annotations

import json
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select

from catalog_billing.adapters import orm
from plumbing.auth.tokens import AUDIENCE, ISSUER, TokenVerifier, configure_verifier
from plumbing.config import REPO_ROOT, Settings
from plumbing.events.envelope import Envelope
from plumbing.service import ServiceBundle

with warnings.catch_warnings():  # starlette's test client warns about httpx on import (STACK-NOTES #7)
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["TestClient"]

API = "/api/catalog-billing/v1"
CONTRACTS = REPO_ROOT / "contracts"
T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
KID = "test-key"
_KEY = Ed25519PrivateKey.generate()
_JWK = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(_KEY.public_key()))
_JWK.update(kid=KID, alg="EdDSA", use="sig")


def use_test_keys() -> None:
    configure_verifier(TokenVerifier(lambda: {"keys": [_JWK]}))


def token(account_id: str, email: str = "", kind: str = "employer") -> str:
    now = datetime.now(UTC)  # token lifetimes are checked by PyJWT against the real time
    claims = {"sub": account_id, "email": email or f"{account_id[:8]}@exemple-test.ca", "kind": kind,
              "sid": "s-" + account_id[:8], "iss": ISSUER, "aud": AUDIENCE, "iat": now,
              "exp": now + timedelta(minutes=10)}
    return jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": KID})


def auth(account_id: str, kind: str = "employer", **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(account_id, kind=kind)}", **headers}


def new_id() -> str:
    return str(uuid.uuid4())


def make_settings(tmp_path: Path, database_url: str | None = None) -> Settings:
    return Settings(
        service="catalog-billing", mode="test", database_url=database_url or f"sqlite:///{tmp_path / 'billing.db'}",
        amqp_url="amqp://unused", exchange="ingemplois.test", identity_url="http://identity.invalid",
        public_url="http://facturation.test", var_dir=tmp_path, contracts_dir=CONTRACTS, log_level="WARNING",
        db_pool_size=5,
    )


def add_member(bundle: ServiceBundle, account_id: str, group_id: str, role: str | None,
               company_id: str = "", group_name: str = "Groupe 001", company_name: str = "Génivert inc.") -> None:
    """A row of the membership projection, as company-portal's events would leave it."""
    with bundle.runtime.engine.begin() as db:
        db.execute(insert(orm.memberships).values(
            account_id=account_id, group_id=group_id, company_id=company_id or new_id(), role=role,
            group_name=group_name, company_name=company_name, version=1, updated_at=T0))


def outbox(bundle: ServiceBundle, event_type: str | None = None) -> list[Envelope]:
    """Every envelope written to the outbox (optionally of one type), oldest first."""
    with bundle.runtime.session_factory() as session:
        bodies = session.execute(select(orm.outbox.c.body).order_by(orm.outbox.c.seq)).scalars().all()
    envelopes = [Envelope.from_json(body.encode()) for body in bodies]
    return [e for e in envelopes if event_type is None or e.type == event_type]


def envelope(event_type: str, data: dict[str, Any], producer: str = "company-portal") -> bytes:
    return Envelope.new(event_type, data, producer=producer, occurred_at=T0).to_json()
