"""The whole permission matrix through the API, and group isolation.

For every Permission × Role: `GET /groups/{id}/permissions` lists it exactly when the table of
plumbing.auth.permissions allows it, and every action endpoint of that permission answers
success or 403 accordingly. A user of group A gets 404 on every resource of group B.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from portal_testkit import API, QC_INFO, add_account, add_company, add_group, auth, image_bytes, new_id

from company_portal.domain.model import AccountRequest, CompanyInfo, RequestKind
from plumbing.auth.permissions import MATRIX, Permission, Role, allows

ROLES = [Role.PRINCIPAL, Role.AFFICHAGE, Role.FINANCES]


@dataclass
class Side:
    group_id: str
    members: dict[str, str]  # role or label → account id
    request_id: str  # a pending join request (to approve)
    other_request_id: str  # another one (to refuse)


def _side(bus, company_name: str) -> Side:
    info = CompanyInfo(**{**QC_INFO.as_dict(), "legal_name": company_name})
    company_id = add_company(bus, info)
    members = {str(role): add_account(bus, f"{role}.{company_name[:4].lower()}@test.ca") for role in ROLES}
    members["target"] = add_account(bus, f"cible.{company_name[:4].lower()}@test.ca")
    roles = {account: role for role, account in members.items() if role != "target"}
    roles[members["target"]] = "finances"
    group_id = add_group(bus, company_id, members=roles)
    request_ids = []
    for n in (1, 2):
        requester = add_account(bus, f"demande{n}.{company_name[:4].lower()}@test.ca")
        with bus.new_uow() as uow:
            request = AccountRequest.submit(new_id(), RequestKind.JOIN_GROUP, uow.accounts.get(requester), info,
                                            bus.deps.clock.now(), company_id=company_id, group_id=group_id,
                                            group_name="Groupe 001")
            uow.requests.add(request)
            uow.commit()
        request_ids.append(request.id)
    return Side(group_id, members, *request_ids)


@pytest.fixture
def world(bus) -> tuple[Side, Side]:
    return _side(bus, "Génivert inc."), _side(bus, "Structura Ingénierie ltée")


BRANDING = {"group_name": "Groupe 001", "company_name": "Génivert inc.", "address": "1200, rue Saint-Denis",
            "website": "https://genivert.ca", "description_html": "<p>Bonjour</p>"}


def actions(side: Side) -> dict[Permission, list[tuple[str, str, dict[str, Any]]]]:
    """The action endpoints of each permission: (method, path, request keyword arguments)."""
    g, target = side.group_id, side.members["target"]
    return {
        Permission.APPROVE_JOIN_REQUESTS: [
            ("GET", f"{API}/groups/{g}/join-requests", {}),
            ("POST", f"{API}/groups/{g}/join-requests/{side.request_id}/approval", {"json": {"role": "affichage"}}),
            ("POST", f"{API}/groups/{g}/join-requests/{side.other_request_id}/refusal", {"json": {"reason": "Non."}}),
        ],
        Permission.ASSIGN_ROLES: [
            ("PUT", f"{API}/groups/{g}/members/{target}/role", {"json": {"role": "affichage"}}),
            ("DELETE", f"{API}/groups/{g}/members/{target}", {}),
        ],
        Permission.EDIT_COMPANY_PROFILE: [
            ("PUT", f"{API}/groups/{g}/branding", {"json": BRANDING}),
            ("PUT", f"{API}/groups/{g}/logo", {"files": {"file": ("logo.png", image_bytes(), "image/png")}}),
        ],
        Permission.EDIT_OWN_PROFILE: [  # what every member may read
            ("GET", f"{API}/groups/{g}", {}),
            ("GET", f"{API}/groups/{g}/members", {}),
            ("GET", f"{API}/groups/{g}/branding", {}),
        ],
    }


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role, permission):
    side, _ = world
    headers = auth(side.members[str(role)])
    answer = client.get(f"{API}/groups/{side.group_id}/permissions", headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["role"] == role
    assert (permission in body["permissions"]) is allows(role, permission)
    assert set(body["permissions"]) == {str(p) for p, roles in MATRIX.items() if role in roles}
    allowed = allows(role, permission)
    for method, path, kwargs in actions(side).get(permission, []):
        response = client.request(method, path, headers=headers, **kwargs)
        if allowed:
            assert response.status_code in {200, 204}, (method, path, response.text)
        else:
            assert response.status_code == 403, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "permission_denied"


def test_the_refusal_endpoint_records_the_reason(client, world):
    side, _ = world
    response = client.post(f"{API}/groups/{side.group_id}/join-requests/{side.request_id}/refusal",
                           headers=auth(side.members["principal"]), json={"reason": "Personne inconnue."})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_reason"]) == ("refusee", "Personne inconnue.")


@pytest.mark.parametrize("role", ROLES)
def test_a_member_of_group_a_gets_404_on_every_group_b_resource(client, world, role):
    side_a, side_b = world
    headers = auth(side_a.members[str(role)])
    endpoints = [(m, p, k) for group in actions(side_b).values() for m, p, k in group]
    endpoints.append(("GET", f"{API}/groups/{side_b.group_id}/permissions", {}))
    for method, path, kwargs in endpoints:
        response = client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["code"] == "not_found"
    # and nothing changed on B's side
    principal_b = auth(side_b.members["principal"])
    assert len(client.get(f"{API}/groups/{side_b.group_id}/join-requests", headers=principal_b).json()["items"]) == 2
    members = client.get(f"{API}/groups/{side_b.group_id}/members", headers=principal_b).json()["items"]
    assert {m["account_id"]: m["role"] for m in members}[side_b.members["target"]] == "finances"


def test_a_stranger_and_a_staff_member_get_404_an_anonymous_caller_401(client, world):
    side, _ = world
    for headers in (auth(new_id()), auth(new_id(), kind="staff")):
        for method, path, kwargs in [m for group in actions(side).values() for m in group]:
            assert client.request(method, path, headers=headers, **kwargs).status_code == 404
    unknown = client.get(f"{API}/groups/{new_id()}/permissions", headers=auth(side.members["principal"]))
    assert unknown.status_code == 404
    anonymous = client.get(f"{API}/groups/{side.group_id}/permissions")
    assert anonymous.status_code == 401


def test_a_request_of_another_group_is_not_found_even_for_a_principal(client, world):
    side_a, side_b = world
    response = client.post(f"{API}/groups/{side_a.group_id}/join-requests/{side_b.request_id}/approval",
                           headers=auth(side_a.members["principal"]), json={"role": "finances"})
    assert response.status_code == 404
