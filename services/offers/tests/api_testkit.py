"""Helpers of offers' API tests: test tokens (a test Ed25519 key the process's verifier trusts),
settings on a fresh SQLite file, the membership projection, the outbox, API keys."""

from __future__ import annotations

import json
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select, update

from offers.adapters import orm
from plumbing.auth.tokens import AUDIENCE, ISSUER, TokenVerifier, configure_verifier
from plumbing.config import REPO_ROOT, Settings
from plumbing.events.envelope import Envelope
from plumbing.service import ServiceBundle

with warnings.catch_warnings():  # starlette's test client warns about httpx on import (STACK-NOTES #7)
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["TestClient"]

API = "/api/offers/v1"
CONTRACTS = REPO_ROOT / "contracts"
T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
KID = "offers-test-key"
_KEY = Ed25519PrivateKey.generate()
_JWK = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(_KEY.public_key()))
_JWK.update(kid=KID, alg="EdDSA", use="sig")


def use_test_keys() -> None:
    configure_verifier(TokenVerifier(lambda: {"keys": [_JWK]}))


def token(account_id: str, kind: str = "employer", email: str = "") -> str:
    now = datetime.now(UTC)  # token lifetimes are checked by PyJWT against the real time
    claims = {
        "sub": account_id,
        "email": email or f"{account_id[:8]}@exemple-test.ca",
        "kind": kind,
        "sid": "s-" + account_id[:8],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=10),
    }
    return jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": KID})


def auth(account_id: str, kind: str = "employer", **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(account_id, kind)}", **headers}


def key_auth(key: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", **headers}


def new_id() -> str:
    return str(uuid.uuid4())


def make_settings(tmp_path: Path) -> Settings:
    return Settings(
        service="offers",
        mode="test",
        database_url=f"sqlite:///{tmp_path / 'offers.db'}",
        amqp_url="amqp://unused",
        exchange="ingemplois.test",
        identity_url="http://identity.invalid",
        public_url="http://emplois.test",
        var_dir=tmp_path,
        contracts_dir=CONTRACTS,
        log_level="WARNING",
        db_pool_size=5,
    )


def add_member(
    bundle: ServiceBundle,
    account_id: str,
    group_id: str,
    role: str | None,
    group_name: str = "Groupe 001",
    company_name: str = "Génivert inc.",
) -> None:
    """A row of the membership projection, as company-portal's events would leave it."""
    with bundle.runtime.engine.begin() as db:
        db.execute(
            insert(orm.memberships).values(
                account_id=account_id,
                group_id=group_id,
                company_id=new_id(),
                role=role,
                group_name=group_name,
                company_name=company_name,
                version=1,
                updated_at=T0,
            )
        )


def set_role(bundle: ServiceBundle, account_id: str, group_id: str, role: str | None) -> None:
    """What portal.membership.role_changed (or revoked: None) leaves in the projection."""
    t = orm.memberships
    with bundle.runtime.engine.begin() as db:
        db.execute(update(t).where((t.c.account_id == account_id) & (t.c.group_id == group_id)).values(role=role))


def outbox(bundle: ServiceBundle, event_type: str | None = None) -> list[Envelope]:
    with bundle.runtime.session_factory() as session:
        bodies = session.execute(select(orm.outbox.c.body).order_by(orm.outbox.c.seq)).scalars().all()
    envelopes = [Envelope.from_json(body.encode()) for body in bodies]
    return [e for e in envelopes if event_type is None or e.type == event_type]


#: Everything sending needs (DESIGN.md, "Offer"); the deadline is after T0.
COMPLETE_CONTENT: dict[str, Any] = {
    "title_fr": "Ingénieur·e de projets en structures",
    "title_en": "Structural project engineer",
    "description_fr": "<p><strong>Raison d'être</strong> : concevoir des ponts.</p><ul><li>Tâches et "
    "responsabilités : calculs.</li><li>Qualifications : membre de l'Ordre.</li></ul>",
    "function_type": "conception",
    "engineering_domains": ["civil"],
    "employment_type": "permanent",
    "position_status": "temps-plein",
    "work_formula": "hybride",
    "application_deadline": "2026-12-15",
    "workplace": {
        "kind": "address",
        "street": "1801, avenue McGill College",
        "city": "montreal",
        "postal_code": "H3A 2N4",
    },
}
COMPLETE_CONFIG: dict[str, Any] = {
    "featured": False,
    "posting": "immediate",
    "apply_method": "url",
    "apply_to": "https://carrieres.exemple-test.ca/postes/42",
}


def create_key(client: TestClient, principal: str, group_id: str, name: str = "SIRH") -> dict[str, Any]:
    response = client.post(f"{API}/groups/{group_id}/api-keys", json={"name": name}, headers=auth(principal))
    assert response.status_code == 201, response.text
    return response.json()
