"""Helpers of company-portal's tests: test tokens, settings, direct arrangement of state, outbox reading.

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
from sqlalchemy import select

from company_portal.adapters import orm
from company_portal.bootstrap import PortalBundle
from company_portal.domain.model import Account, Company, CompanyInfo, CompanySource, Group, Membership
from company_portal.service_layer.messagebus import MessageBus
from plumbing.auth.tokens import AUDIENCE, ISSUER, TokenVerifier, configure_verifier
from plumbing.config import REPO_ROOT, Settings
from plumbing.events.envelope import Envelope

with warnings.catch_warnings():  # starlette's test client warns about httpx on import (STACK-NOTES #7)
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

__all__ = ["TestClient"]

CONTRACTS = REPO_ROOT / "contracts"
KID = "test-key"
_KEY = Ed25519PrivateKey.generate()
_JWK = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(_KEY.public_key()))
_JWK.update(kid=KID, alg="EdDSA", use="sig")


def use_test_keys() -> None:
    configure_verifier(TokenVerifier(lambda: {"keys": [_JWK]}))


def compile_catalog() -> None:
    """The English catalog, compiled as `make translations` does (the .mo is not committed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / "src/company_portal/translations/en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source:
            catalog = read_po(source)
        with mo.open("wb") as target:
            write_mo(target, catalog)



def token(account_id: str, email: str = "", kind: str = "employer") -> str:
    now = datetime.now(UTC)  # token lifetimes are checked by PyJWT against the real time
    claims = {"sub": account_id, "email": email or f"{account_id[:8]}@exemple-test.ca", "kind": kind,
              "sid": "s-" + account_id[:8], "iss": ISSUER, "aud": AUDIENCE, "iat": now,
              "exp": now + timedelta(minutes=10)}
    return jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": KID})


def auth(account_id: str, email: str = "", kind: str = "employer") -> dict[str, str]:
    return {"Authorization": f"Bearer {token(account_id, email, kind)}", "X-CSRF-Token": "csrf-test-token"}


def new_id() -> str:
    return str(uuid.uuid4())


def make_settings(tmp_path: Path, database_url: str | None = None) -> Settings:
    return Settings(
        service="company-portal", mode="test", database_url=database_url or f"sqlite:///{tmp_path / 'portal.db'}",
        amqp_url="amqp://unused", exchange="ingemplois.test", identity_url="http://identity.invalid",
        public_url="http://portail.test", var_dir=tmp_path, contracts_dir=CONTRACTS, log_level="WARNING",
        db_pool_size=5,
    )


# Building state directly (arrange steps of the tests) ----------------------------------------
QC_INFO = CompanyInfo("Génivert inc.", "514-555-0100", "Canada", "1200, rue Saint-Denis", "Montréal", "QC",
                      "H2X 3J6", "1165432109")


def add_company(bus: MessageBus, info: CompanyInfo = QC_INFO, *, neq: str | None = "auto") -> str:
    if neq == "auto":
        neq = str(uuid.uuid4().int)[:10]
    info = CompanyInfo(**{**info.as_dict(), "neq": neq})
    with bus.new_uow() as uow:
        company = Company.create(new_id(), info, CompanySource.REGISTRY, bus.deps.clock.now())
        company.events.clear()
        uow.companies.add(company)
        uow.commit()
        return company.id


def add_account(bus: MessageBus, email: str | None = None, first: str = "Marie", last: str = "Tremblay") -> str:
    account_id = new_id()
    with bus.new_uow() as uow:
        uow.accounts.add(Account(account_id, email or f"{account_id[:8]}@genivert-test.ca", bus.deps.clock.now(),
                                 first_name=first, last_name=last, phone="514-555-0101", function="Ingénieure"))
        uow.commit()
    return account_id


def add_group(bus: MessageBus, company_id: str, name: str = "Groupe 001",
              members: dict[str, str] | None = None) -> str:
    """A group with members {account_id: role}; membership events are written like any other."""
    with bus.new_uow() as uow:
        company = uow.companies.get(company_id)
        group = Group.create(new_id(), company, name, bus.deps.clock.now())
        uow.groups.add(group)
        uow.session.flush()
        for account_id, role in (members or {}).items():
            uow.memberships.add(Membership.grant_new(account_id, group.id, role, bus.deps.clock.now()))
        uow.commit()
        return group.id


def outbox(bundle: PortalBundle, event_type: str | None = None) -> list[Envelope]:
    """Every envelope written to the outbox (optionally of one type), oldest first."""
    with bundle.runtime.session_factory() as session:
        bodies = session.execute(select(orm.outbox.c.body).order_by(orm.outbox.c.seq)).scalars().all()
    envelopes = [Envelope.from_json(body.encode()) for body in bodies]
    return [e for e in envelopes if event_type is None or e.type == event_type]


def envelope(event_type: str, data: dict[str, Any], producer: str = "moderation") -> bytes:
    return Envelope.new(event_type, data, producer=producer, occurred_at=datetime(2026, 11, 3, tzinfo=UTC)).to_json()


def image_bytes(width: int = 240, height: int = 120, image_format: str = "PNG", mode: str = "RGBA") -> bytes:
    """A real image, made with Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, (width, height), (20, 120, 60, 255) if mode == "RGBA" else (20, 120, 60)).save(
        out, format=image_format)
    return out.getvalue()


API = "/api/company-portal/v1"
