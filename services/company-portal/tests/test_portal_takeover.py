"""A stranger cannot become principal of an existing company (issue 7).

A creation request naming a known company is turned into a choice of that company; one open request
per account; an account in at most one company; approvals check all of it again in their
transaction; staff see every match; a new group in an existing company is announced to its principals.
"""

from __future__ import annotations

import pytest
from portal_testkit import API, QC_INFO, add_account, add_company, add_group, auth, new_id, outbox
from test_portal_service_layer import ABOUT, COMPANY, wizard

from company_portal.domain import errors
from company_portal.service_layer import commands as c
from company_portal.service_layer import views

GENIVERT_NEQ = "1165432109"
OTHER = {**COMPANY, "legal_name": "Hydro-Boréal Conseil inc."}


@pytest.fixture
def genivert(bus):
    company_id = add_company(bus, neq=GENIVERT_NEQ)
    principal = add_account(bus, "marie@genivert-test.ca")
    group_id = add_group(bus, company_id, members={principal: "principal"})
    return company_id, group_id, principal


def creation_tab(bus, account_id, **fields):
    bus.handle(c.StartCompanyCreation(account_id))
    return bus.handle(c.SaveCompanyInfo(account_id, {**OTHER, **fields}))


# The wizard ---------------------------------------------------------------------------------
def test_a_creation_with_a_known_neq_offers_that_company_and_cannot_be_confirmed_away(bus, genivert):
    company_id, group_id, _ = genivert
    stranger = new_id()
    for confirm in ("", "on"):
        with pytest.raises(errors.CompanyExists) as caught:
            creation_tab(bus, stranger, neq=GENIVERT_NEQ, legal_name="Vert Génie Québec", not_listed=confirm)
        assert caught.value.by_neq and caught.value.field == "neq" and caught.value.status == 422
        [match] = caught.value.matches
        assert (match["id"], match["has_users"], [g["id"] for g in match["groups"]]) == (company_id, True,
                                                                                         [group_id])
    assert not bus.query(views.draft, stranger).get("company_done")
    with pytest.raises(errors.Conflict):  # nothing to submit
        bus.handle(c.SubmitRequest(stranger, "x@ailleurs-test.ca"))


def test_a_creation_with_a_known_name_needs_a_confirmation(bus, genivert):
    company_id, _, _ = genivert
    stranger = new_id()
    with pytest.raises(errors.CompanyExists) as caught:
        creation_tab(bus, stranger, legal_name="GENIVERT")  # "Génivert inc." normalized
    assert (caught.value.by_neq, caught.value.field) == (False, "not_listed")
    assert [m["id"] for m in caught.value.matches] == [company_id]
    # a known company with another NEQ than the one typed is another company
    creation_tab(bus, stranger, legal_name="Génivert", neq="1199999999")
    # or the requester confirms theirs is another one
    other = new_id()
    creation_tab(bus, other, legal_name="Génivert", not_listed="on")
    bus.handle(c.SaveAboutYou(other, "o@autre-test.ca", {**ABOUT, "group": "new"}))
    request = bus.handle(c.SubmitRequest(other, "o@autre-test.ca"))
    assert request.kind == "company_creation"


def test_one_open_request_per_account(bus, genivert):
    company_id, group_id, _ = genivert
    requester = new_id()
    wizard(bus, requester, company={**OTHER, "neq": "1187654321"})
    for start in (c.StartCompanyCreation(requester), c.ChooseCompany(requester, company_id)):
        with pytest.raises(errors.Conflict) as caught:
            bus.handle(start)
        assert caught.value.code == "duplicate_request"


def test_an_account_belongs_to_one_company(bus, genivert):
    _, _, principal = genivert
    elsewhere = add_company(bus, neq="1177777777")
    with pytest.raises(errors.Conflict) as caught:
        bus.handle(c.ChooseCompany(principal, elsewhere))
    assert caught.value.code == "already_in_company" and "Génivert inc." in caught.value.message_fr
    with pytest.raises(errors.Conflict):
        bus.handle(c.StartCompanyCreation(principal))


# Approvals check again ----------------------------------------------------------------------
def test_a_staff_approval_of_a_creation_never_lands_in_a_known_company(bus, bundle, genivert):
    company_id, _, _ = genivert
    stranger = new_id()
    request = wizard(bus, stranger, company={**OTHER, "neq": "1187654321"})
    # staff "correct" the NEQ onto Génivert's (or the registry import brought it meanwhile)
    applied = bus.handle(c.ApplyStaffApproval(request.id, new_id(), "s@oiq.qc.ca",
                                              company={**OTHER, "neq": GENIVERT_NEQ}))
    assert (applied.status, applied.company_id) == ("refusee", None)
    assert "Génivert inc." in applied.decision_reason
    assert bus.query(views.my_groups, stranger) == []
    [refused] = outbox(bundle, "portal.request.refused")
    assert refused.data["decided_by"]["kind"] == "staff" and refused.data["kind"] == "company_creation"
    assert outbox(bundle, "portal.request.approved") == []
    assert [g["name"] for g in bus.query(views.company_with_groups, company_id)["groups"]] == ["Groupe 001"]


def test_a_join_approval_refuses_a_requester_now_in_another_company(bus, genivert):
    company_id, group_id, principal = genivert
    requester = new_id()
    request = wizard(bus, requester, company_id, group=group_id)
    other_group = add_group(bus, add_company(bus, neq="1177777777"), members={requester: "principal"})
    assert other_group
    with pytest.raises(errors.Conflict) as caught:
        bus.handle(c.ApproveJoinRequest(principal, "marie@genivert-test.ca", group_id, request.id, "affichage"))
    assert caught.value.code == "requester_in_other_company"
    assert bus.query(views.join_requests, principal, group_id)[0]["status"] == "en_attente"


def test_a_staff_approved_new_group_is_refused_if_the_requester_joined_another_company(bus, bundle, genivert):
    company_id, _, _ = genivert
    requester = new_id()
    request = wizard(bus, requester, company_id, group="new")
    add_group(bus, add_company(bus, neq="1177777777"), members={requester: "principal"})
    applied = bus.handle(c.ApplyStaffApproval(request.id, new_id(), "s@oiq.qc.ca"))
    assert applied.status == "refusee"
    assert applied.decision_reason.startswith("Votre compte est déjà lié à l'entreprise")  # told to the requester
    assert len(bus.query(views.company_with_groups, company_id)["groups"]) == 1
    assert outbox(bundle, "portal.group.opened") == []


def test_a_new_group_in_an_existing_company_is_announced_to_its_principals(bus, bundle, schemas, genivert):
    company_id, group_id, principal = genivert
    second = add_account(bus, "paul@genivert-test.ca")
    add_group(bus, company_id, "Laval", members={second: "principal"})
    requester = new_id()
    request = wizard(bus, requester, company_id, group="new")
    staff = new_id()
    bus.handle(c.ApplyStaffApproval(request.id, staff, "sophie@oiq.qc.ca"))
    [opened] = outbox(bundle, "portal.group.opened")
    schemas.validate(opened)
    assert opened.data["principal_emails"] == ["marie@genivert-test.ca", "paul@genivert-test.ca"]
    assert (opened.data["group_name"], opened.data["company_name"], opened.data["leader"]["email"],
            opened.data["leader"]["first_name"]) == ("Groupe 002", "Génivert inc.", "luc@genivert-test.ca", "Luc")
    assert opened.data["decided_by"] == {"account_id": staff, "email": "sophie@oiq.qc.ca"}
    [approved] = outbox(bundle, "portal.request.approved")
    assert approved.data["company_name"] == "Génivert inc."


def test_the_approval_names_the_company_created_and_the_one_typed(bus, bundle, schemas):
    request = wizard(bus, new_id(), company={**OTHER, "legal_name": "Hydro Boreal"})
    bus.handle(c.ApplyStaffApproval(request.id, new_id(), "s@oiq.qc.ca",
                                    company={**OTHER, "neq": "1187654321"}))
    [approved] = outbox(bundle, "portal.request.approved")
    schemas.validate(approved)
    assert (approved.data["company_name"], approved.data["requested_company_name"]) == (
        "Hydro-Boréal Conseil inc.", "Hydro Boreal")
    assert outbox(bundle, "portal.group.opened") == []  # a new company: nobody to tell


# Staff see every match ----------------------------------------------------------------------
def test_staff_see_the_matches_of_a_request_with_groups_and_members(client, bus, genivert):
    company_id, group_id, principal = genivert
    similar = add_company(bus, QC_INFO.__class__(**{**QC_INFO.as_dict(), "legal_name": "Génivert Québec inc."}),
                          neq="1122334455")
    request = wizard(bus, new_id(), company={**OTHER, "legal_name": "Génivert", "not_listed": "on",
                                             "neq": "1199999999"})
    staff_headers = auth(new_id(), "sophie@oiq.qc.ca", kind="staff")
    body = client.get(f"{API}/staff/requests/{request.id}/matches", headers=staff_headers).json()
    found = {m["company"]["id"]: m["reasons"] for m in body["items"]}
    # the requester's email is at genivert-test.ca, like Génivert's principal
    assert found == {company_id: ["name", "email_domain"], similar: ["similar_name"]}
    genivert_match = next(m for m in body["items"] if m["company"]["id"] == company_id)
    assert genivert_match["company"]["groups"][0]["members"][0]["email"] == "marie@genivert-test.ca"
    assert client.get(f"{API}/staff/requests/{request.id}/matches",
                      headers=auth(new_id())).status_code == 403
    assert client.get(f"{API}/staff/requests/{new_id()}/matches", headers=staff_headers).status_code == 404


def test_a_new_group_request_shows_its_company_as_the_target(client, bus, genivert):
    company_id, _, _ = genivert
    request = wizard(bus, new_id(), company_id, group="new")
    body = client.get(f"{API}/staff/requests/{request.id}/matches",
                      headers=auth(new_id(), kind="staff")).json()
    assert body["items"][0]["company"]["id"] == company_id
    assert body["items"][0]["reasons"][0] == "target"


# The wizard's pages -------------------------------------------------------------------------
CSRF = {"csrf_token": "csrf-test-token"}
TYPED = {**CSRF, "legal_name": "Vert Génie Québec", "phone": "514 555-0100", "country": "Canada",
         "address": "1, rue Principale", "city": "Laval", "province": "QC", "postal_code": "H7A 1A1"}


def test_the_creation_tab_offers_the_known_company_instead(client, bus, genivert):
    company_id, _, _ = genivert
    headers = auth(new_id(), "jean@ailleurs-test.ca")
    client.post("/entreprises/demande/creation", headers=headers, data=CSRF)
    page = client.post("/entreprises/demande/entreprise", headers=headers, data={**TYPED, "neq": GENIVERT_NEQ})
    assert page.status_code == 422
    assert "Cette entreprise existe déjà" in page.text and 'id="e-neq"' in page.text
    assert f'name="company_id" value="{company_id}"' in page.text and "Groupe 001" in page.text
    assert 'name="not_listed"' not in page.text  # a NEQ match cannot be confirmed away
    assert client.get("/entreprises/demande/vous", headers=headers).status_code == 303  # not reachable
    chosen = client.post("/entreprises/demande/entreprise-choisie", headers=headers,
                         data={**CSRF, "company_id": company_id})
    assert chosen.headers["location"] == "/entreprises/demande/entreprise"


def test_a_name_match_is_confirmed_on_the_creation_tab(client, bus, genivert):
    headers = auth(new_id(), "jean@ailleurs-test.ca", )
    client.post("/entreprises/demande/creation", headers=headers, data=CSRF)
    page = client.post("/entreprises/demande/entreprise", headers=headers,
                       data={**TYPED, "legal_name": "Génivert", "lang": "en"}, cookies={"lang": "en"})
    assert page.status_code == 422 and "Your company may already exist" in page.text
    assert 'name="not_listed"' in page.text
    saved = client.post("/entreprises/demande/entreprise", headers=headers,
                        data={**TYPED, "legal_name": "Génivert", "not_listed": "on"})
    assert saved.headers["location"] == "/entreprises/demande/vous"


def test_a_second_request_is_refused_with_a_message(client, bus, genivert):
    company_id, _, _ = genivert
    me = new_id()
    wizard(bus, me, company={**OTHER, "neq": "1187654321"})
    refused = client.post("/entreprises/demande/entreprise-choisie", headers=auth(me),
                          data={**CSRF, "company_id": company_id})
    assert refused.status_code == 409 and "déjà une demande en attente" in refused.text
    refused = client.post("/entreprises/demande/creation", headers=auth(me), data=CSRF)
    assert refused.status_code == 409


def test_my_requests_name_the_known_company_not_the_typed_name(client, bus, genivert):
    company_id, _, _ = genivert
    me = new_id()
    wizard(bus, me, company_id, group="new", company={**COMPANY, "legal_name": "Genivert Montreal"})
    page = client.get("/entreprises/mes-demandes", headers=auth(me))
    assert "Génivert inc." in page.text and "Genivert Montreal" not in page.text


def test_the_submitted_event_names_the_known_company(bus, bundle, schemas, genivert):
    company_id, _, _ = genivert
    wizard(bus, new_id(), company_id, group="new", company={**COMPANY, "legal_name": "Genivert Montreal"})
    [event] = outbox(bundle, "portal.request.submitted")
    schemas.validate(event)
    assert (event.data["company_name"], event.data["company"]["legal_name"]) == ("Génivert inc.",
                                                                                 "Genivert Montreal")
