"""API keys of the groups' HR systems (DESIGN.md, "API keys"), in process: a principal·e creates,
lists and revokes them through the API; the secret is shown once and stored hashed; events tell
catalog-billing; a key is refused when revoked, of another group, used to manage keys, or past
its rate limit (429 problem+json with Retry-After)."""

from __future__ import annotations

import hashlib

#: The fixtures (bundle, client, clock, bank, test keys).
from api_fixtures import bank, bundle, client, clock, test_keys  # noqa: F401 (fixtures of this module only)
from api_testkit import (
    API,
    add_member,
    auth,
    create_key,
    key_auth,
    new_id,
    outbox,
)
from sqlalchemy import select

from offers.adapters.orm_api_keys import api_keys as table
from plumbing.ratelimit import KeyRateLimiter, configure_api_key_limiter


def test_a_principal_creates_a_key_shown_once_and_stored_hashed(bundle, client) -> None:
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    created = create_key(client, principal, group, "  SIRH   Workday ")
    token = created["key"]
    key_id = created["id"]
    assert token.startswith(f"ingk_{key_id}_") and len(token) == len(f"ingk_{key_id}_") + 64
    assert created["name"] == "SIRH Workday" and created["prefix"] == f"ingk_{key_id[:8]}"
    assert created["active"] is True and created["last_used_at"] is None
    secret = token.rsplit("_", 1)[1]
    with bundle.runtime.engine.connect() as db:
        row = db.execute(select(table).where(table.c.id == key_id)).mappings().one()
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(dict(row))
    listed = client.get(f"{API}/groups/{group}/api-keys", headers=auth(principal)).json()["items"]
    assert [k["id"] for k in listed] == [key_id]
    assert "key" not in listed[0] and secret not in str(listed)
    [issued] = outbox(bundle, "offers.api_key.issued")
    assert issued.data == {
        "key_id": key_id,
        "group_id": group,
        "creator_id": principal,
        "secret_hash": row["secret_hash"],
        "issued_at": issued.data["issued_at"],
    }


def test_only_a_principal_signed_in_manages_keys(bundle, client) -> None:
    principal, affichage, group = new_id(), new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    add_member(bundle, affichage, group, "affichage")
    refused = client.post(f"{API}/groups/{group}/api-keys", json={"name": "x"}, headers=auth(affichage))
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json" and refused.json()["code"] == "role"
    stranger = client.get(f"{API}/groups/{group}/api-keys", headers=auth(new_id()))
    assert stranger.status_code == 404
    key = create_key(client, principal, group)["key"]
    with_key = client.post(f"{API}/groups/{group}/api-keys", json={"name": "y"}, headers=key_auth(key))
    assert with_key.status_code == 403 and with_key.json()["code"] == "api_key_not_allowed"
    assert len(outbox(bundle, "offers.api_key.issued")) == 1


def test_a_blank_name_is_refused_next_to_the_field(bundle, client) -> None:
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    response = client.post(
        f"{API}/groups/{group}/api-keys", json={"name": "   "}, headers=auth(principal, **{"Accept-Language": "en"})
    )
    assert response.status_code == 422
    assert response.json()["field"] == "name" and "name" in response.json()["detail"]


def test_a_revoked_key_is_refused_and_the_revocation_is_announced(bundle, client) -> None:
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    created = create_key(client, principal, group)
    assert client.get(f"{API}/groups/{group}/offers", headers=key_auth(created["key"])).status_code != 401
    response = client.delete(f"{API}/groups/{group}/api-keys/{created['id']}", headers=auth(principal))
    assert response.status_code == 204
    refused = client.get(f"{API}/groups/{group}/offers", headers=key_auth(created["key"]))
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    again = client.delete(f"{API}/groups/{group}/api-keys/{created['id']}", headers=auth(principal))
    assert again.status_code == 204
    [revoked] = outbox(bundle, "offers.api_key.revoked")
    assert revoked.data["key_id"] == created["id"] and revoked.data["group_id"] == group
    [listed] = client.get(f"{API}/groups/{group}/api-keys", headers=auth(principal)).json()["items"]
    assert listed["active"] is False and listed["revoked_at"] is not None


def test_a_key_of_another_group_cannot_be_revoked_from_this_one(bundle, client) -> None:
    principal, group, other = new_id(), new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    add_member(bundle, principal, other, "principal")
    created = create_key(client, principal, other)
    response = client.delete(f"{API}/groups/{group}/api-keys/{created['id']}", headers=auth(principal))
    assert response.status_code == 404
    assert outbox(bundle, "offers.api_key.revoked") == []


def test_a_key_reaches_its_own_group_only(bundle, client) -> None:
    principal, group, other = new_id(), new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    add_member(bundle, principal, other, "principal")  # the creator belongs to both; the key to one
    key = create_key(client, principal, group)["key"]
    assert client.get(f"{API}/groups/{group}/offers", headers=key_auth(key)).status_code == 200
    response = client.get(f"{API}/groups/{other}/offers", headers=key_auth(key))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    created = client.post(f"{API}/groups/{other}/offers", json={"profile": "ing"}, headers=key_auth(key))
    assert created.status_code == 404


def test_malformed_and_forged_keys_are_refused(bundle, client) -> None:
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    created = create_key(client, principal, group)
    forged = created["key"][:-4] + ("0000" if not created["key"].endswith("0000") else "1111")
    for key in (forged, "ingk_nope", f"ingk_{new_id()}_{'a' * 64}", "ingk_" + "x" * 500):
        response = client.get(f"{API}/groups/{group}/offers", headers=key_auth(key))
        assert response.status_code == 401, key


def test_the_last_use_of_a_key_is_recorded(bundle, client, clock) -> None:
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    created = create_key(client, principal, group)
    clock.advance(hours=2)
    client.get(f"{API}/groups/{group}/offers", headers=key_auth(created["key"]))
    [listed] = client.get(f"{API}/groups/{group}/api-keys", headers=auth(principal)).json()["items"]
    assert listed["last_used_at"] == "2026-11-02T16:00:00Z"
    clock.advance(seconds=30)  # within the minute: not written again
    client.get(f"{API}/groups/{group}/offers", headers=key_auth(created["key"]))
    [listed] = client.get(f"{API}/groups/{group}/api-keys", headers=auth(principal)).json()["items"]
    assert listed["last_used_at"] == "2026-11-02T16:00:00Z"
    clock.advance(minutes=5)
    client.get(f"{API}/groups/{group}/offers", headers=key_auth(created["key"]))
    [listed] = client.get(f"{API}/groups/{group}/api-keys", headers=auth(principal)).json()["items"]
    assert listed["last_used_at"] == "2026-11-02T16:05:30Z"


def test_past_the_rate_limit_a_key_gets_429_with_retry_after(bundle, client) -> None:
    configure_api_key_limiter(KeyRateLimiter("3/minute"))
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    key = create_key(client, principal, group)["key"]
    other_key = create_key(client, principal, group, "Autre")["key"]
    statuses = [client.get(f"{API}/groups/{group}/offers", headers=key_auth(key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(f"{API}/groups/{group}/offers", headers=key_auth(key, **{"Accept-Language": "en"}))
    assert limited.status_code == 429 and limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["code"] == "rate_limited" and limited.json()["title"] == "Too many requests"
    # Another key, and a person's token, count apart.
    assert client.get(f"{API}/groups/{group}/offers", headers=key_auth(other_key)).status_code == 200
    assert client.get(f"{API}/groups/{group}/offers", headers=auth(principal)).status_code == 200
