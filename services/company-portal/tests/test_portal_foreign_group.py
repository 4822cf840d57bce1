"""Every portal form that names a group refuses a group the user does not belong to, and changes
nothing (issue 7: a foreign id used to be redirected to the user's own group and saved there)."""

from __future__ import annotations

import html

import pytest
from portal_testkit import QC_INFO, add_account, add_company, add_group, auth, image_bytes, new_id

from company_portal.domain.model import AccountRequest, RequestKind
from company_portal.service_layer import views

CSRF = {"csrf_token": "csrf-test-token"}
REFUSAL = "Vous n'êtes pas membre de ce groupe : rien n'a été modifié."


@pytest.fixture
def two_companies(bus):
    """A principal of their own group, and a foreign group (with a pending join request)."""
    me = add_account(bus, "principal@mine-test.ca", "Marie", "Tremblay")
    mine = add_group(bus, add_company(bus), "Groupe 001", members={me: "principal"})
    stranger = add_account(bus, "other@foreign-test.ca", "Paul", "Autre")
    foreign_company = add_company(bus)
    foreign = add_group(bus, foreign_company, "Ailleurs", members={stranger: "principal"})
    with bus.new_uow() as uow:
        applicant = uow.accounts.get(add_account(bus, "applicant@foreign-test.ca", "Ann", "Candidate"))
        request = AccountRequest.submit(new_id(), RequestKind.JOIN_GROUP, applicant, QC_INFO, bus.deps.clock.now(),
                                        company_id=foreign_company, group_id=foreign, group_name="Ailleurs")
        uow.requests.add(request)
        uow.commit()
    return {"me": me, "mine": mine, "stranger": stranger, "foreign": foreign, "request": request.id}


def _snapshot(bus, world) -> dict:
    """What the forms could change, in both groups."""
    return {
        group: (bus.query(views.group, owner, group),
                sorted((m["account_id"], m["role"]) for m in bus.query(views.members, owner, group)),
                bus.query(views.logo, group))
        for group, owner in ((world["mine"], world["me"]), (world["foreign"], world["stranger"]))
    } | {"pending": [r["id"] for r in bus.query(views.join_requests, world["stranger"], world["foreign"])]}


def _refused(response) -> None:
    assert response.status_code == 404, response.text
    assert REFUSAL in html.unescape(response.text)
    assert "location" not in response.headers


def test_a_foreign_group_id_is_refused_by_every_form_and_changes_nothing(client, bus, two_companies):
    world = two_companies
    me, foreign = auth(world["me"]), world["foreign"]
    before = _snapshot(bus, world)
    branding = {"group_name": "Piraté", "company_name": "Piraté inc.", "address": "1 rue X"}
    _refused(client.post("/entreprises/mon-entreprise", headers=me, data={**CSRF, "group_id": foreign, **branding}))
    _refused(client.post("/entreprises/mon-entreprise", headers=me, params={"groupe": foreign},
                         data={**CSRF, **branding}))
    _refused(client.post("/entreprises/mon-entreprise/logo", headers=me, data={**CSRF, "group_id": foreign},
                         files={"logo": ("logo.png", image_bytes(300, 300), "image/png")}))
    _refused(client.post("/entreprises/mon-entreprise/logo", headers=me, params={"groupe": foreign},
                         data=CSRF, files={"logo": ("logo.png", image_bytes(300, 300), "image/png")}))
    request_id = world["request"]
    _refused(client.post(f"/entreprises/demandes/{request_id}/approbation", headers=me,
                         data={**CSRF, "group_id": foreign, "role": "principal"}))
    _refused(client.post(f"/entreprises/demandes/{request_id}/refus", headers=me,
                         data={**CSRF, "group_id": foreign, "reason": "Non"}))
    stranger = world["stranger"]
    _refused(client.post(f"/entreprises/utilisateurs/{stranger}/role", headers=me,
                         data={**CSRF, "group_id": foreign, "role": "finances"}))
    _refused(client.post(f"/entreprises/utilisateurs/{stranger}/retrait", headers=me,
                         data={**CSRF, "group_id": foreign}))
    for page in ("/entreprises/mon-entreprise", "/entreprises/demandes", "/entreprises/utilisateurs"):
        _refused(client.get(page, headers=me, params={"groupe": foreign}))
    assert client.post("/entreprises/groupe-actif", headers=me,
                       data={**CSRF, "group_id": foreign}).status_code == 404
    assert _snapshot(bus, world) == before


def test_an_unknown_group_id_is_refused_the_same_way(client, bus, two_companies):
    _refused(client.post("/entreprises/mon-entreprise", headers=auth(two_companies["me"]), data={
        **CSRF, "group_id": new_id(), "group_name": "X", "company_name": "X", "address": "X"}))


def test_the_refusal_speaks_english(client, bus, two_companies):
    response = client.post("/entreprises/mon-entreprise", headers=auth(two_companies["me"]), cookies={"lang": "en"},
                           data={**CSRF, "group_id": two_companies["foreign"], "group_name": "X"})
    assert response.status_code == 404
    assert "You are not a member of this group: nothing was changed." in html.unescape(response.text)


def test_ones_own_group_id_still_saves(client, bus, two_companies):
    saved = client.post("/entreprises/mon-entreprise", headers=auth(two_companies["me"]), data={
        **CSRF, "group_id": two_companies["mine"], "group_name": "Bureau", "company_name": "Mine inc.",
        "address": "1 rue A"})
    assert saved.headers["location"] == "/entreprises/mon-entreprise?ok=entreprise"


def test_a_company_name_too_long_is_reported_next_to_its_field(client, bus, two_companies):
    response = client.post("/entreprises/mon-entreprise", headers=auth(two_companies["me"]), data={
        **CSRF, "group_id": two_companies["mine"], "group_name": "Bureau", "company_name": "N" * 201,
        "address": "1 rue A"})
    assert response.status_code == 422
    text = html.unescape(response.text)
    assert 'id="f-company_name"' in text and 'aria-describedby="e-company_name"' in text
    error_at = text.index('id="e-company_name"')
    assert text.index('id="f-company_name"') < error_at < text.index('id="f-address"')
    assert "Ce champ ne peut pas dépasser 200 caractères." in text[error_at:error_at + 200]
    assert 'id="e-legal_name"' not in text
