"""The membership projection fed by company-portal's events decides who reaches a group's credits,
and a worker that never handled a snapshot asks for one (catalog-billing.projection.snapshot_requested)."""

from __future__ import annotations

from billing_testkit import API, auth, envelope, new_id, outbox

GROUP, COMPANY, ACCOUNT = new_id(), new_id(), new_id()


def membership(event_type: str, version: int, role: str | None = "affichage") -> bytes:
    data = {"account_id": ACCOUNT, "group_id": GROUP, "version": version}
    if role is not None:
        data |= {"company_id": COMPANY, "role": role}
    return envelope(event_type, data)


def test_membership_events_open_and_close_the_group(bundle, client):
    (consumer,) = bundle.consumers
    assert {"portal.membership.granted", "portal.membership.revoked", "portal.membership.snapshot"} <= set(
        consumer.binding_keys)
    path = f"{API}/groups/{GROUP}/credits"
    assert client.get(path, headers=auth(ACCOUNT)).status_code == 404
    consumer(membership("portal.membership.granted", 1), {})
    assert client.get(path, headers=auth(ACCOUNT)).status_code == 200
    consumer(membership("portal.membership.revoked", 2, role=None), {})
    consumer(membership("portal.membership.role_changed", 1, role="principal"), {})  # late and older: ignored
    assert client.get(path, headers=auth(ACCOUNT)).status_code == 404


def test_the_worker_asks_for_a_membership_snapshot_once(bundle):
    ((_, requester),) = bundle.tickers
    assert requester() is True
    assert requester() is False
    (asked,) = outbox(bundle, "catalog-billing.projection.snapshot_requested")
    assert asked.data == {"projections": ["memberships"]} and asked.producer == "catalog-billing"
