"""The offers API in process (contracts/offers.yaml, DESIGN.md "HTTP"): an HR system's API key
creates a draft, changes it, reads its hints and history, and sends it (the credit is reserved
with the key); the key is refused when revoked, of another group, or when its creator's current
role lacks the permission; staff decide with idempotency keys; the public reads what is online."""

from __future__ import annotations

import pytest

#: The fixtures (bundle, client, clock, bank, test keys).
from api_fixtures import bank, bundle, client, clock, test_keys  # noqa: F401 (fixtures of this module only)
from api_testkit import (
    API,
    COMPLETE_CONFIG,
    COMPLETE_CONTENT,
    add_member,
    auth,
    create_key,
    key_auth,
    new_id,
    set_role,
)

from offers.domain import hints as hints_module


@pytest.fixture
def hr(bundle, client, bank):
    """A group with an ing credit, its principal, and an API key the principal created."""
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal")
    bank.grant(group, "ing", 1)
    created = create_key(client, principal, group)
    return {"principal": principal, "group": group, "key": created["key"], "key_id": created["id"]}


def draft(client, hr, **body) -> dict:
    response = client.post(
        f"{API}/groups/{hr['group']}/offers", json={"profile": "ing", **body}, headers=key_auth(hr["key"])
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_key_creates_changes_and_sends_an_offer(client, hr, bank) -> None:
    created = draft(client, hr, content={"title_fr": "Ingénieur·e"})
    offer_id = created["id"]
    assert created["status"] == "draft" and created["status_label"] == {"fr": "En brouillon", "en": "Draft"}
    assert created["created_by"] == hr["principal"] and created["group_id"] == hr["group"]
    assert created["content"]["title_fr"] == "Ingénieur·e" and created["version"] == 1
    assert "submit" in created["actions"]

    patched = client.patch(
        f"{API}/offers/{offer_id}",
        json={"version": 1, "content": COMPLETE_CONTENT, "config": COMPLETE_CONFIG},
        headers=key_auth(hr["key"]),
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["content"]["title_fr"] == COMPLETE_CONTENT["title_fr"]
    assert body["content"]["title_en"] == COMPLETE_CONTENT["title_en"]
    assert body["config"]["apply_to"] == COMPLETE_CONFIG["apply_to"] and body["version"] == 2

    # A field left out keeps its value; one given replaces it.
    again = client.patch(
        f"{API}/offers/{offer_id}", json={"content": {"salary": "80 000 $ à 95 000 $"}}, headers=key_auth(hr["key"])
    ).json()
    assert again["content"]["salary"] == "80 000 $ à 95 000 $"
    assert again["content"]["title_fr"] == COMPLETE_CONTENT["title_fr"]

    hints = client.get(f"{API}/offers/{offer_id}/hints", headers=key_auth(hr["key"]))
    assert hints.status_code == 200 and hints.json()["items"] == again["hints"]

    sent = client.post(f"{API}/offers/{offer_id}/submission", json={}, headers=key_auth(hr["key"]))
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "in_validation"
    assert sent.json()["credit_types_reserved"] == ["ing"]
    # The bank was called with the key itself: catalog-billing resolves it to its creator.
    assert ("reserve", offer_id, "ing", hr["key"]) in bank.calls

    history = client.get(f"{API}/offers/{offer_id}/history", headers=key_auth(hr["key"])).json()["items"]
    assert [e["action"] for e in history][0] == "create" and history[-1]["to_status"] == "in_validation"
    assert {e["actor_kind"] for e in history} == {"api_key"}
    assert {e["actor_id"] for e in history} == {hr["principal"]}

    listed = client.get(
        f"{API}/groups/{hr['group']}/offers", params={"status": "in_validation"}, headers=key_auth(hr["key"])
    ).json()["items"]
    assert [o["id"] for o in listed] == [offer_id]


def test_the_hints_of_a_save_are_served_in_both_languages(client, hr, monkeypatch) -> None:
    class Hint:
        def to_dict(self):
            return {
                "code": "contact_in_description",
                "severity": "warning",
                "field": "description_fr",
                "message_fr": "Retirez le courriel de la description.",
                "message_en": "Remove the email from the description.",
            }

    monkeypatch.setattr(hints_module, "compute_hints", lambda content: [Hint()])
    created = draft(client, hr, content={"description_fr": "<p>Écrivez à rh@exemple-test.ca</p>"})
    items = client.get(f"{API}/offers/{created['id']}/hints", headers=key_auth(hr["key"])).json()["items"]
    assert items == [
        {
            "code": "contact_in_description",
            "severity": "warning",
            "field": "description_fr",
            "message": {"fr": "Retirez le courriel de la description.", "en": "Remove the email from the description."},
        }
    ]


def test_a_key_sees_the_hints_the_pages_show(client, hr) -> None:
    created = draft(
        client, hr, content={**COMPLETE_CONTENT, "description_fr": "<p>Écrivez à rh@exemple-test.ca pour postuler.</p>"}
    )
    items = client.get(f"{API}/offers/{created['id']}/hints", headers=key_auth(hr["key"])).json()["items"]
    codes = {h["code"] for h in items}
    assert "contact_in_description" in codes and {"missing_purpose", "missing_tasks"} <= codes
    contact = next(h for h in items if h["code"] == "contact_in_description")
    assert contact["field"] == "description_fr" and contact["message"]["fr"] and contact["message"]["en"]
    # Fixed, they go away on the next save.
    fixed = client.patch(
        f"{API}/offers/{created['id']}", json={"content": COMPLETE_CONTENT}, headers=key_auth(hr["key"])
    ).json()
    assert "contact_in_description" not in {h["code"] for h in fixed["hints"]}


def test_an_incomplete_offer_is_refused_with_every_missing_field(client, hr, bank) -> None:
    created = draft(client, hr, content={"title_fr": "Ingénieur·e"})
    response = client.post(f"{API}/offers/{created['id']}/submission", headers=key_auth(hr["key"]))
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "incomplete"
    assert {"description_fr", "application_deadline", "apply_to"} <= {e["field"] for e in problem["errors"]}
    assert bank.calls == [] or all(call[0] != "reserve" for call in bank.calls)
    assert client.get(f"{API}/offers/{created['id']}", headers=key_auth(hr["key"])).json()["status"] == "draft"


def test_a_stale_version_changes_nothing(client, hr) -> None:
    created = draft(client, hr)
    response = client.patch(
        f"{API}/offers/{created['id']}", json={"version": 7, "content": {"title_fr": "X"}}, headers=key_auth(hr["key"])
    )
    assert response.status_code == 409 and response.json()["code"] == "stale"
    assert client.get(f"{API}/offers/{created['id']}", headers=key_auth(hr["key"])).json()["content"]["title_fr"] == ""


def test_a_key_whose_creator_lost_the_role_is_refused(bundle, client, hr, bank) -> None:
    created = draft(client, hr, content=COMPLETE_CONTENT, config=COMPLETE_CONFIG)
    set_role(bundle, hr["principal"], hr["group"], "finances")  # the creator is demoted
    refused = client.post(f"{API}/offers/{created['id']}/submission", headers=key_auth(hr["key"]))
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "role"
    new = client.post(f"{API}/groups/{hr['group']}/offers", json={"profile": "ing"}, headers=key_auth(hr["key"]))
    assert new.status_code == 403
    # Finances still reads the group's offers (members see them), and nothing was reserved.
    assert client.get(f"{API}/offers/{created['id']}", headers=key_auth(hr["key"])).json()["status"] == "draft"
    assert all(call[0] != "reserve" for call in bank.calls)
    set_role(bundle, hr["principal"], hr["group"], None)  # then leaves the group
    gone = client.get(f"{API}/offers/{created['id']}", headers=key_auth(hr["key"]))
    assert gone.status_code == 404


def test_a_revoked_key_and_another_groups_key_are_refused(bundle, client, hr) -> None:
    created = draft(client, hr)
    other_principal, other_group = new_id(), new_id()
    add_member(bundle, other_principal, other_group, "principal")
    add_member(bundle, other_principal, hr["group"], "principal")  # even a member of both groups
    other_key = create_key(client, other_principal, other_group)["key"]
    for method, path in (
        ("GET", f"/offers/{created['id']}"),
        ("PATCH", f"/offers/{created['id']}"),
        ("POST", f"/offers/{created['id']}/submission"),
        ("GET", f"/offers/{created['id']}/hints"),
        ("GET", f"/offers/{created['id']}/history"),
    ):
        body = {"content": {"title_fr": "Piraté"}} if method == "PATCH" else None
        response = client.request(method, f"{API}{path}", json=body, headers=key_auth(other_key))
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    client.delete(f"{API}/groups/{hr['group']}/api-keys/{hr['key_id']}", headers=auth(hr["principal"]))
    revoked = client.patch(
        f"{API}/offers/{created['id']}", json={"content": {"title_fr": "Après"}}, headers=key_auth(hr["key"])
    )
    assert revoked.status_code == 401 and revoked.headers["content-type"] == "application/problem+json"
    assert (
        client.get(f"{API}/offers/{created['id']}", headers=auth(hr["principal"])).json()["content"]["title_fr"] == ""
    )


def test_staff_calls_are_for_staff_and_replay_with_an_idempotency_key(client, hr, clock) -> None:
    created = draft(client, hr, content=COMPLETE_CONTENT, config=COMPLETE_CONFIG)
    offer_id = created["id"]
    assert client.post(f"{API}/offers/{offer_id}/submission", headers=key_auth(hr["key"])).status_code == 200
    for headers in (key_auth(hr["key"]), auth(hr["principal"])):
        response = client.post(f"{API}/staff/offers/{offer_id}/return", json={"comment": "Précisez."}, headers=headers)
        assert response.status_code == 403 and response.json()["code"] == "staff_only"
    staff = auth(new_id(), "staff", **{"Idempotency-Key": "decision-0001"})
    returned = client.post(
        f"{API}/staff/offers/{offer_id}/return", json={"comment": "Précisez le salaire."}, headers=staff
    )
    assert returned.status_code == 200 and returned.json()["status"] == "to_revise"
    replay = client.post(
        f"{API}/staff/offers/{offer_id}/return", json={"comment": "Précisez le salaire."}, headers=staff
    )
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == returned.json()
    reused = client.post(f"{API}/staff/offers/{offer_id}/return", json={"comment": "Autre chose"}, headers=staff)
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    seen = client.get(f"{API}/staff/offers/{offer_id}", headers=auth(new_id(), "staff")).json()
    assert seen["offer"]["status"] == "to_revise" and seen["live_content"] is None
    assert seen["history"][-1]["reason"] == "Précisez le salaire." and seen["group"]["id"] == hr["group"]


def test_an_approved_offer_is_public_without_a_key(client, hr) -> None:
    created = draft(client, hr, content=COMPLETE_CONTENT, config=COMPLETE_CONFIG)
    offer_id = created["id"]
    client.post(f"{API}/offers/{offer_id}/submission", headers=key_auth(hr["key"]))
    assert client.get(f"{API}/published-offers/{offer_id}").status_code == 404
    staff = auth(new_id(), "staff", **{"Idempotency-Key": "approve-0001"})
    approved = client.post(f"{API}/staff/offers/{offer_id}/approval", json={}, headers=staff)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "published" and approved.json()["online"] is True
    public = client.get(f"{API}/published-offers")
    assert public.status_code == 200 and [o["id"] for o in public.json()["items"]] == [offer_id]
    one = client.get(f"{API}/published-offers/{offer_id}").json()
    assert one["content"]["title_fr"] == COMPLETE_CONTENT["title_fr"]
    assert one["apply_method"] == "url" and one["apply_url"] == COMPLETE_CONFIG["apply_to"]

    # A live offer changed through the API: the changes go to validation, the offer stays online.
    refused = client.patch(f"{API}/offers/{offer_id}", json={"config": {"featured": True}}, headers=key_auth(hr["key"]))
    assert refused.status_code == 422 and refused.json()["field"] == "config"
    modified = client.patch(
        f"{API}/offers/{offer_id}",
        json={"content": {"title_fr": "Ingénieur·e principal·e"}},
        headers=key_auth(hr["key"]),
    )
    assert modified.status_code == 200, modified.text
    assert modified.json()["status"] == "in_validation" and modified.json()["online"] is True
    still = client.get(f"{API}/published-offers/{offer_id}").json()
    assert still["content"]["title_fr"] == COMPLETE_CONTENT["title_fr"]  # the public sees the approved version


def test_reference_data_is_public(client) -> None:
    response = client.get(f"{API}/reference", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    lists = response.json()["lists"]
    assert {
        "engineering_domains",
        "function_types",
        "employment_types",
        "position_statuses",
        "work_formulas",
        "interests",
        "years_on_roll",
        "regions",
    } <= set(lists)
    assert len(lists["regions"]) == 17 and all(r["municipalities"] for r in lists["regions"])
    assert {"code": "presentiel", "fr": "Présentiel", "en": "On site"} in lists["work_formulas"]


def test_without_a_token_group_resources_answer_401(client, hr) -> None:
    response = client.get(f"{API}/groups/{hr['group']}/offers")
    assert response.status_code == 401 and response.headers["content-type"] == "application/problem+json"
