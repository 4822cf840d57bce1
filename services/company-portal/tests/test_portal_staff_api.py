"""The synchronous staff API of docs/portal-flows.md: staff tokens only, Idempotency-Key stored with the answer."""

from __future__ import annotations

from portal_testkit import API, add_account, add_company, add_group, auth, new_id

STAFF = new_id()


def staff(key: str | None = None) -> dict[str, str]:
    headers = auth(STAFF, "sophie@oiq.qc.ca", kind="staff")
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_only_staff_may_call(client, bus):
    company_id = add_company(bus)
    for kind in ("employer", "member"):
        response = client.get(f"{API}/staff/companies", params={"q": "Génivert"}, headers=auth(new_id(), kind=kind))
        assert (response.status_code, response.json()["code"]) == (403, "staff_only")
    response = client.post(f"{API}/staff/companies/{company_id}/groups", json={"name": "Laval"},
                           headers={**auth(new_id()), "Idempotency-Key": "k-12345678"})
    assert response.status_code == 403


def test_search_and_read_companies_with_groups_and_members(client, bus):
    company_id = add_company(bus, neq="1165432109")
    principal = add_account(bus, "marie@genivert-test.ca")
    add_group(bus, company_id, members={principal: "principal"})
    found = client.get(f"{API}/staff/companies", params={"q": "1165432109"}, headers=staff()).json()["items"]
    assert [(c["legal_name"], c["user_count"], c["groups"][0]["name"]) for c in found] == [
        ("Génivert inc.", 1, "Groupe 001")]
    detail = client.get(f"{API}/staff/companies/{company_id}", headers=staff()).json()
    assert detail["groups"][0]["members"][0]["email"] == "marie@genivert-test.ca"
    users = client.get(f"{API}/staff/users", params={"q": "marie@"}, headers=staff()).json()["items"]
    assert users[0]["groups"][0]["role"] == "principal"
    assert client.get(f"{API}/staff/companies/{new_id()}", headers=staff()).status_code == 404


def test_state_changing_calls_need_an_idempotency_key(client, bus):
    company_id = add_company(bus)
    response = client.post(f"{API}/staff/companies/{company_id}/groups", json={"name": "Laval"}, headers=staff())
    assert response.status_code == 400


def test_a_retry_with_the_same_key_gets_the_stored_answer(client, bus, bundle):
    company_id = add_company(bus)
    first = client.post(f"{API}/staff/companies/{company_id}/groups", json={"name": "Laval"},
                        headers=staff("create-laval-1"))
    again = client.post(f"{API}/staff/companies/{company_id}/groups", json={"name": "Laval"},
                        headers=staff("create-laval-1"))
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    groups = client.get(f"{API}/staff/companies/{company_id}", headers=staff()).json()["groups"]
    assert [g["name"] for g in groups] == ["Laval"]
    reused = client.post(f"{API}/staff/companies/{company_id}/groups", json={"name": "Québec"},
                         headers=staff("create-laval-1"))
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    clash = client.post(f"{API}/staff/companies/{company_id}/groups", json={"name": "laval"},
                        headers=staff("create-laval-2"))
    assert (clash.status_code, clash.json()["code"]) == (409, "group_name_taken")


def test_patch_company_and_move_membership(client, bus, bundle):
    company_id = add_company(bus)
    fixed = client.patch(f"{API}/staff/companies/{company_id}", json={"phone": "(514) 555-0111", "neq": ""},
                         headers=staff("patch-0001"))
    assert (fixed.status_code, fixed.json()["phone"]) == (200, "514-555-0111")
    bad = client.patch(f"{API}/staff/companies/{company_id}", json={"postal_code": "H2X"}, headers=staff("patch-02"))
    assert (bad.status_code, bad.json()["field"]) == (422, "postal_code")
    principal, member = add_account(bus), add_account(bus)
    source = add_group(bus, company_id, members={principal: "principal", member: "affichage"})
    target = add_group(bus, company_id, "Laval")
    body = {"account_id": member, "from_group_id": source, "to_group_id": target, "role": "principal"}
    moved = client.post(f"{API}/staff/memberships/move", json=body, headers=staff("move-0001"))
    assert (moved.status_code, moved.json()["group_id"], moved.json()["role"]) == (200, target, "principal")
    last = client.post(f"{API}/staff/memberships/move", headers=staff("move-0002"),
                       json={**body, "account_id": principal})
    assert (last.status_code, last.json()["code"]) == (409, "last_principal")
    english = client.post(f"{API}/staff/memberships/move", json={**body, "account_id": principal},
                          headers={**staff("move-0003"), "Accept-Language": "en"})
    assert english.json()["detail"].startswith("The group must always keep")


def test_staff_check_company_data_without_saving_anything(client, bus):
    good = {"legal_name": "Génivert inc.", "neq": "1165-432-109", "address": "1200, rue Saint-Denis",
            "city": "Montréal", "province": "québec", "postal_code": "h2x3j6", "country": "Canada",
            "phone": "514 555 0100"}
    checked = client.post(f"{API}/staff/company-checks", json=good, headers=staff())
    assert checked.status_code == 200
    assert checked.json() == {**good, "neq": "1165432109", "province": "QC", "postal_code": "H2X 3J6",
                              "phone": "514-555-0100"}
    bad = client.post(f"{API}/staff/company-checks", json={**good, "neq": "12345", "phone": "12"},
                      headers={**staff(), "Accept-Language": "en"})
    assert bad.status_code == 422
    problem = bad.json()
    assert problem["field"] == problem["errors"][0]["field"]
    assert {e["field"] for e in problem["errors"]} == {"neq", "phone"}
    assert all(e["detail"] and e["code"] for e in problem["errors"])
    assert client.get(f"{API}/staff/companies", params={"q": "Génivert"}, headers=staff()).json()["items"] == []
    assert client.post(f"{API}/staff/company-checks", json=good, headers=auth(new_id())).status_code == 403


def test_a_correction_with_a_bad_neq_answers_every_field_error(client, bus):
    company_id = add_company(bus)
    response = client.patch(f"{API}/staff/companies/{company_id}", json={"neq": "12AB", "postal_code": "99999"},
                            headers=staff("bad-neq-0001"))
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"neq", "postal_code"}


def test_the_company_check_refuses_the_neq_of_a_registered_company(client, bus):
    """A creation never leads to a known company (issue 7): the check says which company has the NEQ."""
    add_company(bus, neq="1165432109")
    data = {"legal_name": "Autre inc.", "neq": "1165432109", "address": "1, rue A", "city": "Laval",
            "province": "QC", "postal_code": "H7N 1A1", "country": "Canada", "phone": "450 555 0100"}
    refused = client.post(f"{API}/staff/company-checks", json=data, headers=staff())
    assert refused.status_code == 422
    (error,) = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("neq", "neq_registered")
    assert error["detail"].startswith("Ce NEQ est celui de l'entreprise « Génivert inc. »")
