"""offers' API keys at catalog-billing (offers DESIGN.md, "API keys"): the projection of
offers.api_key.issued / revoked lets an HR system's key reserve a credit when it sends an offer,
as its creator in its group only, with the creator's current role; a revoked key, a key on another
group, or a key anywhere but the credit reservations is refused with problem+json."""

from __future__ import annotations

import hashlib
import secrets

import pytest
from billing_testkit import API, add_member, auth, envelope, new_id
from sqlalchemy import update

from catalog_billing.adapters import orm
from catalog_billing.service_layer import credits
from plumbing.ratelimit import KeyRateLimiter, configure_api_key_limiter


@pytest.fixture(autouse=True)
def fresh_limiter():
    from plumbing import ratelimit

    previous = ratelimit._api_key_limiter
    configure_api_key_limiter(KeyRateLimiter("1000/minute"))
    yield
    configure_api_key_limiter(previous)


def issue(bundle, group_id: str, creator: str) -> tuple[str, str]:
    """offers issues a key (the event as offers writes it); returns (key id, the whole key)."""
    key_id, secret = new_id(), secrets.token_hex(32)
    (consumer,) = bundle.consumers
    consumer(
        envelope(
            "offers.api_key.issued",
            {
                "key_id": key_id,
                "group_id": group_id,
                "creator_id": creator,
                "secret_hash": hashlib.sha256(secret.encode()).hexdigest(),
                "issued_at": "2026-11-02T14:00:00+00:00",
            },
            producer="offers",
        ),
        {},
    )
    return key_id, f"ingk_{key_id}_{secret}"


def revoke(bundle, key_id: str, group_id: str) -> None:
    (consumer,) = bundle.consumers
    consumer(
        envelope(
            "offers.api_key.revoked",
            {"key_id": key_id, "group_id": group_id, "revoked_at": "2026-11-02T15:00:00+00:00"},
            producer="offers",
        ),
        {},
    )


def grant(bus, group_id: str, quantity: int = 2) -> None:
    with bus.new_uow() as uow:
        credits.grant_purchase(
            uow,
            group_id=group_id,
            company_id=new_id(),
            credit_type="ing",
            quantity=quantity,
            invoice_id=new_id(),
            actor_account_id=None,
            now=bus.deps.clock.now(),
        )
        uow.commit()


def reserve(client, key: str, group_id: str, offer_id: str | None = None):
    return client.put(
        f"{API}/credit-reservations/{offer_id or new_id()}/ing",
        json={"group_id": group_id},
        headers={"Authorization": f"Bearer {key}"},
    )


def test_a_key_reserves_a_credit_as_its_creator_and_stops_once_revoked(bundle, bus, client) -> None:
    creator, group = new_id(), new_id()
    add_member(bundle, creator, group, "affichage")
    grant(bus, group)
    key_id, key = issue(bundle, group, creator)
    offer = new_id()
    response = reserve(client, key, group, offer)
    assert response.status_code == 201, response.text
    assert response.json()["group_id"] == group and response.json()["status"] == "reserved"
    entries = client.get(f"{API}/groups/{group}/credits/entries", headers=auth(creator)).json()["items"]
    assert [(e["reason"], e["actor_account_id"], e["offer_id"]) for e in entries if e["reason"] == "applied"] == [
        ("applied", creator, offer)
    ]
    revoke(bundle, key_id, group)
    refused = reserve(client, key, group)
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    balance = client.get(f"{API}/groups/{group}/credits", headers=auth(creator)).json()["items"]
    assert {"credit_type": "ing", "balance": 1} in balance


def test_a_key_acts_in_its_own_group_only(bundle, bus, client) -> None:
    creator, group, other = new_id(), new_id(), new_id()
    add_member(bundle, creator, group, "principal")
    add_member(bundle, creator, other, "principal")  # the creator may; the key may not
    grant(bus, other)
    _, key = issue(bundle, group, creator)
    response = reserve(client, key, other)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_key_follows_its_creators_current_role(bundle, bus, client) -> None:
    creator, group = new_id(), new_id()
    add_member(bundle, creator, group, "principal")
    grant(bus, group)
    _, key = issue(bundle, group, creator)
    t = orm.memberships
    with bundle.runtime.engine.begin() as db:
        db.execute(update(t).where(t.c.account_id == creator).values(role="finances"))
    response = reserve(client, key, group)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_key_reaches_only_the_credit_reservations(bundle, client) -> None:
    creator, group = new_id(), new_id()
    add_member(bundle, creator, group, "principal")
    _, key = issue(bundle, group, creator)
    for path in (f"/groups/{group}/credits", f"/groups/{group}/invoices", "/products"):
        response = client.get(f"{API}{path}", headers={"Authorization": f"Bearer {key}"})
        assert response.status_code == 401, path


def test_a_revocation_that_arrives_first_wins(bundle, bus, client) -> None:
    creator, group = new_id(), new_id()
    add_member(bundle, creator, group, "principal")
    grant(bus, group)
    key_id, secret = new_id(), secrets.token_hex(32)
    revoke(bundle, key_id, group)
    (consumer,) = bundle.consumers
    consumer(
        envelope(
            "offers.api_key.issued",
            {
                "key_id": key_id,
                "group_id": group,
                "creator_id": creator,
                "secret_hash": hashlib.sha256(secret.encode()).hexdigest(),
                "issued_at": "2026-11-02T14:00:00+00:00",
            },
            producer="offers",
        ),
        {},
    )
    assert reserve(client, f"ingk_{key_id}_{secret}", group).status_code == 401


def test_a_wrong_secret_is_refused(bundle, bus, client) -> None:
    creator, group = new_id(), new_id()
    add_member(bundle, creator, group, "principal")
    grant(bus, group)
    key_id, _ = issue(bundle, group, creator)
    assert reserve(client, f"ingk_{key_id}_{'0' * 64}", group).status_code == 401


def test_a_key_is_rate_limited_with_retry_after(bundle, bus, client) -> None:
    configure_api_key_limiter(KeyRateLimiter("2/minute"))
    creator, group = new_id(), new_id()
    add_member(bundle, creator, group, "principal")
    grant(bus, group, 5)
    _, key = issue(bundle, group, creator)
    statuses = [reserve(client, key, group).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    limited = reserve(client, key, group)
    assert limited.headers["content-type"] == "application/problem+json" and int(limited.headers["retry-after"]) >= 1
