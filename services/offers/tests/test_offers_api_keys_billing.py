"""An HR system sends an offer with its API key, and catalog-billing reserves the credit for it:
offers calls the credit bank with the key itself, catalog-billing resolves it from its projection
of offers.api_key.* (the events offers wrote) to the creator in the key's group. Once the
revocation reaches catalog-billing, the key reserves nothing there either. Both services in
process, offers' HTTP client wired to catalog-billing's app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

#: The test keys and the limiter (api_fixtures' autouse fixture).
from api_fixtures import bank, bundle, client, clock, test_keys  # noqa: F401 (fixtures of this module only)
from api_testkit import (
    API,
    COMPLETE_CONFIG,
    COMPLETE_CONTENT,
    CONTRACTS,
    T0,
    TestClient,
    add_member,
    auth,
    create_key,
    key_auth,
    make_settings,
    new_id,
    outbox,
)
from sqlalchemy import insert

from catalog_billing.adapters import orm as billing_orm
from catalog_billing.bootstrap import bootstrap as billing_bootstrap
from catalog_billing.service_layer import credits
from offers.adapters import orm
from offers.adapters.billing_client import HttpCreditBank
from offers.bootstrap import bootstrap
from plumbing.clock import FixedClock
from plumbing.config import Settings

BILLING_API = "/api/catalog-billing/v1"


class ThroughTestClient(httpx.BaseTransport):
    """offers' httpx client → catalog-billing's ASGI app (the gateway's role in the suite)."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = self.client.request(
            request.method, str(request.url), headers=dict(request.headers), content=request.read()
        )
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[dict]:
    clock = FixedClock(T0)
    billing_settings = Settings(
        service="catalog-billing",
        mode="test",
        database_url=f"sqlite:///{tmp_path / 'billing.db'}",
        amqp_url="amqp://unused",
        exchange="ingemplois.test",
        identity_url="http://identity.invalid",
        public_url="http://facturation.test",
        var_dir=tmp_path,
        contracts_dir=CONTRACTS,
        log_level="WARNING",
        db_pool_size=5,
    )
    billing = billing_bootstrap(billing_settings, clock=clock)
    billing_orm.metadata.create_all(billing.runtime.engine)
    with TestClient(billing.asgi, base_url="http://facturation.test") as billing_client:
        bank = HttpCreditBank("http://facturation.test", transport=ThroughTestClient(billing_client))
        offers_dir = tmp_path / "offers"
        offers_dir.mkdir()
        offers = bootstrap(make_settings(offers_dir), clock=clock, bank=bank)
        orm.metadata.create_all(offers.runtime.engine)
        with TestClient(offers.asgi, base_url="http://emplois.test") as offers_client:
            yield {"offers": offers, "billing": billing, "client": offers_client, "billing_client": billing_client}
    offers.runtime.engine.dispose()
    billing.runtime.engine.dispose()


def deliver(suite: dict, event_type: str) -> None:
    """What the broker does: offers' outbox events of that type to catalog-billing's consumer."""
    (consumer,) = suite["billing"].consumers
    for envelope in outbox(suite["offers"], event_type):
        consumer(envelope.to_json(), {})


def member_everywhere(suite: dict, account_id: str, group_id: str, role: str) -> None:
    add_member(suite["offers"], account_id, group_id, role)
    with suite["billing"].runtime.engine.begin() as db:
        db.execute(
            insert(billing_orm.memberships).values(
                account_id=account_id,
                group_id=group_id,
                company_id=new_id(),
                role=role,
                group_name="Groupe 001",
                company_name="Génivert inc.",
                version=1,
                updated_at=T0,
            )
        )


def balance(suite: dict, principal: str, group: str) -> int:
    items = suite["billing_client"].get(f"{BILLING_API}/groups/{group}/credits", headers=auth(principal)).json()
    return {i["credit_type"]: i["balance"] for i in items["items"]}.get("ing", 0)


def test_an_hr_system_sends_an_offer_and_its_credit_is_reserved(suite) -> None:
    principal, group = new_id(), new_id()
    member_everywhere(suite, principal, group, "principal")
    bus = suite["billing"].extras["bus"]
    with bus.new_uow() as uow:
        credits.grant_purchase(
            uow,
            group_id=group,
            company_id=new_id(),
            credit_type="ing",
            quantity=2,
            invoice_id=new_id(),
            actor_account_id=principal,
            now=T0,
        )
        uow.commit()
    client = suite["client"]
    created = create_key(client, principal, group)
    deliver(suite, "offers.api_key.issued")

    offer = client.post(
        f"{API}/groups/{group}/offers",
        json={"profile": "ing", "content": COMPLETE_CONTENT, "config": COMPLETE_CONFIG},
        headers=key_auth(created["key"]),
    ).json()
    sent = client.post(f"{API}/offers/{offer['id']}/submission", headers=key_auth(created["key"]))
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "in_validation" and sent.json()["credit_types_reserved"] == ["ing"]
    assert balance(suite, principal, group) == 1
    reservation = (
        suite["billing_client"]
        .get(f"{BILLING_API}/credit-reservations/{offer['id']}/ing", headers=auth(principal))
        .json()
    )
    assert reservation["status"] == "reserved" and reservation["group_id"] == group

    # Revoked in offers, then at catalog-billing once the event arrives.
    client.delete(f"{API}/groups/{group}/api-keys/{created['id']}", headers=auth(principal))
    deliver(suite, "offers.api_key.revoked")
    refused = suite["billing_client"].put(
        f"{BILLING_API}/credit-reservations/{new_id()}/ing", json={"group_id": group}, headers=key_auth(created["key"])
    )
    assert refused.status_code == 401
    assert balance(suite, principal, group) == 1
