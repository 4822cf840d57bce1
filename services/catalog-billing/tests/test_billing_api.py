"""The credit API, quotes, products and invoices through connexion (contracts/catalog-billing.yaml):
responses validated against the contract, problem+json errors, group isolation (non-member → 404,
role without the permission → 403), idempotency."""

from __future__ import annotations

import pytest
from billing_testkit import API, add_member, auth, new_id, outbox

from catalog_billing.service_layer import credits

GROUP, COMPANY = new_id(), new_id()
PRINCIPAL, AFFICHAGE, FINANCES, OUTSIDER, STAFF = (new_id() for _ in range(5))


@pytest.fixture
def group(bundle, bus):
    add_member(bundle, PRINCIPAL, GROUP, "principal", COMPANY)
    add_member(bundle, AFFICHAGE, GROUP, "affichage", COMPANY)
    add_member(bundle, FINANCES, GROUP, "finances", COMPANY)
    with bus.new_uow() as uow:
        credits.grant_purchase(uow, group_id=GROUP, company_id=COMPANY, credit_type="ing", quantity=2,
                               invoice_id=new_id(), actor_account_id=FINANCES, now=bus.deps.clock.now())
        uow.commit()
    return GROUP


def reserve(client, offer: str, who: str = AFFICHAGE, credit_type: str = "ing", kind: str = "employer", **headers):
    return client.put(f"{API}/credit-reservations/{offer}/{credit_type}", json={"group_id": GROUP},
                      headers=auth(who, kind, **headers))


def test_balances_and_entries_for_every_member(client, group):
    for member in (PRINCIPAL, AFFICHAGE, FINANCES):
        answer = client.get(f"{API}/groups/{group}/credits", headers=auth(member))
        assert answer.status_code == 200
        balances = {i["credit_type"]: i["balance"] for i in answer.json()["items"]}
        assert balances["ing"] == 2 and balances["cpi"] == 0
    entries = client.get(f"{API}/groups/{group}/credits/entries", headers=auth(FINANCES)).json()["items"]
    assert [(e["reason"], e["delta"], e["credit_type"]) for e in entries] == [("purchase", 2, "ing")]
    assert entries[0]["invoice_id"] and entries[0]["created_at"] == "2026-11-02T14:00:00Z"


def test_a_non_member_sees_nothing_and_staff_sees_everything(client, group):
    for path in ("credits", "credits/entries", "invoices"):
        answer = client.get(f"{API}/groups/{group}/{path}", headers=auth(OUTSIDER))
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
        assert client.get(f"{API}/groups/{group}/{path}", headers=auth(STAFF, "staff")).status_code == 200
    assert client.get(f"{API}/groups/{new_id()}/credits", headers=auth(AFFICHAGE)).status_code == 404
    assert client.get(f"{API}/groups/{group}/credits").status_code == 401


def test_reserve_consume_release_through_the_api(client, group, bundle):
    offer = new_id()
    first = reserve(client, offer)
    assert first.status_code == 201 and first.json()["status"] == "reserved"
    again = reserve(client, offer)
    assert again.status_code == 200 and again.json() == first.json()
    assert [e.data["offer_id"] for e in outbox(bundle, "billing.credit.applied")] == [offer]

    consumed = client.post(f"{API}/credit-reservations/{offer}/ing/consumption", headers=auth(AFFICHAGE))
    assert consumed.status_code == 200 and consumed.json()["status"] == "consumed"
    refused = client.post(f"{API}/credit-reservations/{offer}/ing/release", headers=auth(AFFICHAGE))
    assert refused.status_code == 409 and refused.json()["code"] == "reservation_consumed"

    other = new_id()
    assert reserve(client, other).status_code == 201
    released = client.post(f"{API}/credit-reservations/{other}/ing/release", headers=auth(PRINCIPAL))
    assert released.status_code == 200 and released.json()["released_at"] == "2026-11-02T14:00:00Z"
    assert client.get(f"{API}/credit-reservations/{other}/ing", headers=auth(FINANCES)).json()["status"] == "released"
    balances = client.get(f"{API}/groups/{group}/credits", headers=auth(FINANCES)).json()["items"]
    assert {i["credit_type"]: i["balance"] for i in balances}["ing"] == 1
    assert len(outbox(bundle, "billing.credit.released")) == 1


def test_no_credit_is_a_409_problem_in_both_languages(client, group):
    assert reserve(client, new_id()).status_code == 201
    assert reserve(client, new_id()).status_code == 201
    refused = reserve(client, new_id())
    assert refused.status_code == 409
    assert refused.json()["code"] == "no_credit" and "crédits" in refused.json()["detail"]
    english = reserve(client, new_id(), **{"Accept-Language": "en"})
    assert "credits" in english.json()["detail"] and english.json()["title"] == "Conflict"


def test_roles_and_isolation_on_the_credit_operations(client, group):
    offer = new_id()
    denied = reserve(client, offer, FINANCES)
    assert denied.status_code == 403 and denied.headers["x-required-permission"] == "create_publish_offers"
    assert reserve(client, offer, OUTSIDER).status_code == 404
    assert reserve(client, offer, STAFF, kind="staff").status_code == 201
    for operation in ("consumption", "release"):
        assert client.post(f"{API}/credit-reservations/{offer}/ing/{operation}",
                           headers=auth(OUTSIDER)).status_code == 404
        assert client.post(f"{API}/credit-reservations/{offer}/ing/{operation}",
                           headers=auth(FINANCES)).status_code == 403
    assert client.get(f"{API}/credit-reservations/{offer}/ing", headers=auth(OUTSIDER)).status_code == 404
    assert client.post(f"{API}/credit-reservations/{new_id()}/ing/release",
                       headers=auth(AFFICHAGE)).status_code == 404


def test_bad_input_is_a_400_never_a_500(client, group):
    assert client.put(f"{API}/credit-reservations/{new_id()}/gold", json={"group_id": GROUP},
                      headers=auth(AFFICHAGE)).status_code == 400
    assert client.put(f"{API}/credit-reservations/not-a-uuid/ing", json={"group_id": GROUP},
                      headers=auth(AFFICHAGE)).status_code == 400
    assert client.put(f"{API}/credit-reservations/{new_id()}/ing", json={"group_id": GROUP, "x": 1},
                      headers=auth(AFFICHAGE)).status_code == 400
    assert client.get(f"{API}/groups/{GROUP}/credits/entries?limit=0", headers=auth(AFFICHAGE)).status_code == 400


def test_an_idempotency_key_replays_the_stored_answer(client, group):
    offer = new_id()
    first = reserve(client, offer, **{"Idempotency-Key": "reserve-" + offer})
    replay = reserve(client, offer, **{"Idempotency-Key": "reserve-" + offer})
    assert first.status_code == replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == first.json()


def test_quotes_price_a_quoted_product_for_an_offer(client, group):
    offer = new_id()
    body = {"group_id": GROUP, "offer_id": offer, "product_code": "envoi-regions", "persons": 850}
    created = client.post(f"{API}/quotes", json=body, headers=auth(AFFICHAGE, **{"Idempotency-Key": "quote-1-abc"}))
    assert created.status_code == 201, created.text
    quote = created.json()
    assert quote["amount"] == "2000.00" and quote["currency"] == "CAD" and quote["offer_id"] == offer
    replay = client.post(f"{API}/quotes", json=body, headers=auth(AFFICHAGE, **{"Idempotency-Key": "quote-1-abc"}))
    assert replay.json()["id"] == quote["id"]
    assert client.get(f"{API}/quotes/{quote['id']}", headers=auth(FINANCES)).json() == quote
    assert client.get(f"{API}/quotes/{quote['id']}", headers=auth(OUTSIDER)).status_code == 404
    assert client.post(f"{API}/quotes", json=body, headers=auth(FINANCES, **{"Idempotency-Key": "quote-2-abc"})
                       ).status_code == 403
    fixed = client.post(f"{API}/quotes", json={**body, "product_code": "ing-5"},
                        headers=auth(STAFF, "staff", **{"Idempotency-Key": "quote-3-abc"}))
    assert fixed.status_code == 422 and fixed.json()["field"] == "product_code"
    assert client.post(f"{API}/quotes", json=body, headers=auth(AFFICHAGE)).status_code == 400  # key required


def test_products_list_the_catalog(client, group):
    items = client.get(f"{API}/products", headers=auth(FINANCES)).json()["items"]
    codes = [p["code"] for p in items]
    assert {"ing-1", "ing-5", "ing-10", "ing-20", "cpi-1", "vedette", "extension", "envoi-regions"} <= set(codes)
    regions = next(p for p in items if p["code"] == "envoi-regions")
    assert regions["quoted"] and regions["per_person_price"] == "2.00" and regions["name"]["fr"]


def test_invoices_of_a_group_answer_what_exists(client, group):
    answer = client.get(f"{API}/groups/{group}/invoices", headers=auth(FINANCES))
    assert answer.status_code == 200 and isinstance(answer.json()["items"], list)
