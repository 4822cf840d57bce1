"""offers' HTTP bank client against catalog-billing's real credit API (its app in-process: the
connexion contract, the token check with a test key, the role check on its membership projection,
the ledger), with no network: what `HttpCreditBank` sends is what catalog-billing accepts, and what
it answers is read right (decisions §29–30)."""

from __future__ import annotations

import dataclasses
import json
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert

from catalog_billing.adapters.orm import memberships
from catalog_billing.bootstrap import bootstrap
from catalog_billing.service_layer import credits
from offers.adapters.billing_client import HttpCreditBank
from offers.service_layer.ports import BankRefused, NoCredit
from plumbing.auth import tokens
from plumbing.auth.tokens import AUDIENCE, ISSUER, TokenVerifier, configure_verifier
from plumbing.config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

KEY = Ed25519PrivateKey.generate()
JWK = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(KEY.public_key())) | {"kid": "k1", "alg": "EdDSA", "use": "sig"}
GROUP, COMPANY = str(uuid.uuid4()), str(uuid.uuid4())
PRINCIPAL, FINANCES, STAFF = (str(uuid.uuid4()) for _ in range(3))


def token(account_id: str, kind: str = "employer") -> str:
    now = datetime.now(UTC)  # lifetimes are checked against the real time
    claims = {
        "sub": account_id,
        "email": f"{account_id[:8]}@exemple-test.ca",
        "kind": kind,
        "sid": "s1",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=10),
    }
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": "k1"})


@pytest.fixture
def bank(tmp_path) -> Iterator[HttpCreditBank]:
    previous = tokens._verifier
    configure_verifier(TokenVerifier(lambda: {"keys": [JWK]}))
    settings = dataclasses.replace(
        Settings.from_env("catalog-billing"), database_url=f"sqlite:///{tmp_path / 'billing.db'}"
    )
    bundle = bootstrap(settings)
    bundle.migrate()
    with bundle.runtime.engine.begin() as connection:
        for account, role in ((PRINCIPAL, "principal"), (FINANCES, "finances")):
            connection.execute(
                insert(memberships).values(
                    account_id=account,
                    group_id=GROUP,
                    company_id=COMPANY,
                    role=role,
                    group_name="Groupe 001",
                    company_name="Génivert inc.",
                    version=1,
                    updated_at=datetime.now(UTC),
                )
            )
    bus = bundle.extras["bus"]
    with bus.new_uow() as uow:
        credits.grant_purchase(
            uow,
            group_id=GROUP,
            company_id=COMPANY,
            credit_type="ing",
            quantity=1,
            invoice_id=str(uuid.uuid4()),
            actor_account_id=None,
            now=datetime.now(UTC),
        )
        uow.commit()
    try:
        with TestClient(bundle.asgi, base_url="http://gateway.test") as client:
            yield HttpCreditBank("http://gateway.test", transport=client._transport)
    finally:
        tokens._verifier = previous
        bundle.runtime.engine.dispose()


def test_reserve_consume_release_as_catalog_billing_answers(bank: HttpCreditBank) -> None:
    offer, other = str(uuid.uuid4()), str(uuid.uuid4())
    principal = token(PRINCIPAL)
    assert bank.balances(GROUP, token=principal)["ing"] == 1
    assert bank.reserve(offer, "ing", GROUP, token=principal) is True
    assert bank.reserve(offer, "ing", GROUP, token=principal) is False  # already held: nothing taken
    assert bank.balances(GROUP, token=token(FINANCES))["ing"] == 0  # members read
    with pytest.raises(NoCredit) as none_left:
        bank.reserve(other, "ing", GROUP, token=principal)
    assert none_left.value.credit_type == "ing"
    with pytest.raises(BankRefused) as refused:
        bank.reserve(other, "ing", GROUP, token=token(FINANCES))  # finances cannot publish offers
    assert refused.value.status == 403
    bank.consume(offer, "ing", token=token(STAFF, "staff"))  # approval, with the staff's token
    bank.consume(offer, "ing", token=token(STAFF, "staff"))  # again: nothing changes
    with pytest.raises(BankRefused) as spent:
        bank.release(offer, "ing", token=principal)
    assert (spent.value.status, spent.value.code) == (409, "reservation_consumed")
    assert bank.balances(GROUP, token=principal)["ing"] == 0


def test_a_draft_gives_back_an_unconsumed_credit(bank: HttpCreditBank) -> None:
    offer = str(uuid.uuid4())
    principal = token(PRINCIPAL)
    assert bank.reserve(offer, "ing", GROUP, token=principal)
    bank.release(offer, "ing", token=principal)
    bank.release(offer, "ing", token=principal)  # again: nothing changes
    assert bank.balances(GROUP, token=principal)["ing"] == 1
    assert bank.reserve(offer, "ing", GROUP, token=principal) is True  # reserved anew
