"""Unit tests of the service layer: every rule, through the message bus, on SQLite with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from portal_testkit import QC_INFO, add_account, add_company, add_group, new_id, outbox

from company_portal.domain import errors
from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from company_portal.service_layer.messagebus import Idempotent, fingerprint
from plumbing.auth.permissions import NotAMember, PermissionDenied

ABOUT = {"first_name": "Luc", "last_name": "Gagnon", "phone": "514 555-0199", "extension": "204",
         "function": "Chargé de projets"}
COMPANY = {k: v for k, v in QC_INFO.as_dict().items() if k != "neq"}


def wizard(bus, account_id, company_id=None, group="new", company=COMPANY, about=ABOUT):
    if company_id:
        bus.handle(c.ChooseCompany(account_id, company_id))
    else:
        bus.handle(c.StartCompanyCreation(account_id))
    bus.handle(c.SaveCompanyInfo(account_id, dict(company)))
    bus.handle(c.SaveAboutYou(account_id, "luc@genivert-test.ca", {**about, "group": group}))
    return bus.handle(c.SubmitRequest(account_id, "luc@genivert-test.ca", "fr"))


@pytest.fixture
def company_with_group(bus):
    company_id = add_company(bus)
    principal = add_account(bus, "marie@genivert-test.ca")
    group_id = add_group(bus, company_id, members={principal: "principal"})
    return company_id, group_id, principal


# The wizard ---------------------------------------------------------------------------------
def test_a_join_request_goes_to_the_groups_principals(bus, bundle, company_with_group):
    company_id, group_id, _ = company_with_group
    requester = new_id()
    request = wizard(bus, requester, company_id, group=group_id)
    assert (request.kind, request.status, request.group_id) == ("join_group", "en_attente", group_id)
    [event] = outbox(bundle, "portal.request.submitted")
    assert event.data["principal_emails"] == ["marie@genivert-test.ca"]
    assert event.data["group"] == {"id": group_id, "name": "Groupe 001"}
    assert event.data["requester"]["extension"] == "204"
    assert event.data["requester"]["phone"] == "514-555-0199"
    assert bus.query(views.draft, requester) == {}  # consumed


def test_a_company_without_users_allows_only_a_new_group(bus, bundle):
    company_id = add_company(bus)
    empty_group = add_group(bus, company_id)  # a group, but nobody in it
    requester = new_id()
    bus.handle(c.ChooseCompany(requester, company_id))
    bus.handle(c.SaveCompanyInfo(requester, COMPANY))
    with pytest.raises(errors.InvalidInput) as caught:
        bus.handle(c.SaveAboutYou(requester, "x@y.ca", {**ABOUT, "group": empty_group}))
    assert [(e.field, e.code) for e in caught.value.errors] == [("group", "new_group_only")]
    request = wizard(bus, requester, company_id, group="new")
    assert request.kind == "new_group" and request.group_id is None
    assert "principal_emails" not in outbox(bundle, "portal.request.submitted")[0].data


def test_a_company_creation_request_carries_the_typed_data(bus, bundle):
    request = wizard(bus, new_id(), company={**COMPANY, "legal_name": "Hydro-Boréal Conseil inc.",
                                             "neq": "1187654321"})
    assert (request.kind, request.company_id, request.neq) == ("company_creation", None, "1187654321")
    company = outbox(bundle, "portal.request.submitted")[0].data["company"]
    assert company["legal_name"] == "Hydro-Boréal Conseil inc." and "id" not in company


def test_a_bad_tab_saves_nothing(bus, company_with_group):
    company_id, _, _ = company_with_group
    requester = new_id()
    bus.handle(c.ChooseCompany(requester, company_id))
    before = bus.query(views.draft, requester)
    with pytest.raises(errors.InvalidInput) as caught:
        bus.handle(c.SaveCompanyInfo(requester, {**COMPANY, "postal_code": "H2X-3J6", "phone": "555-0123"}))
    assert {e.field for e in caught.value.errors} == {"postal_code", "phone"}
    assert bus.query(views.draft, requester) == before


def test_submit_needs_every_tab_and_refuses_a_duplicate(bus, company_with_group):
    company_id, group_id, _ = company_with_group
    requester = new_id()
    bus.handle(c.ChooseCompany(requester, company_id))
    with pytest.raises(errors.Conflict) as caught:
        bus.handle(c.SubmitRequest(requester, "x@y.ca"))
    assert caught.value.code == "draft_incomplete"
    wizard(bus, requester, company_id, group=group_id)
    with pytest.raises(errors.Conflict) as caught:
        wizard(bus, requester, company_id, group="new")
    assert caught.value.code == "duplicate_request"


def test_a_member_cannot_ask_to_join_their_own_group(bus, company_with_group):
    company_id, group_id, principal = company_with_group
    bus.handle(c.ChooseCompany(principal, company_id))
    bus.handle(c.SaveCompanyInfo(principal, COMPANY))
    with pytest.raises(errors.InvalidInput) as caught:
        bus.handle(c.SaveAboutYou(principal, "marie@genivert-test.ca", {**ABOUT, "group": group_id}))
    assert caught.value.code == "already_member"


# Principal decisions ------------------------------------------------------------------------
def test_a_principal_approves_with_a_role(bus, bundle, clock, company_with_group):
    company_id, group_id, principal = company_with_group
    requester = new_id()
    request = wizard(bus, requester, company_id, group=group_id)
    clock.advance(hours=3)
    decided = bus.handle(c.ApproveJoinRequest(principal, "marie@genivert-test.ca", group_id, request.id, "finances"))
    assert (decided.status, decided.granted_role, decided.decided_by_account_id, decided.decided_by_kind) == (
        "approuvee", "finances", principal, "principal")
    assert decided.decided_at == clock.now()
    [approved] = outbox(bundle, "portal.request.approved")
    assert (approved.data["role"], approved.data["group_name"], approved.data["decided_by"]["kind"]) == (
        "finances", "Groupe 001", "principal")
    granted = [e.data for e in outbox(bundle, "portal.membership.granted") if e.data["account_id"] == requester]
    assert granted == [{"account_id": requester, "group_id": group_id, "company_id": company_id, "version": 1,
                        "role": "finances", "group_name": "Groupe 001", "company_name": "Génivert inc.",
                        "email": "luc@genivert-test.ca", "locale": "fr"}]
    with pytest.raises(errors.Conflict):
        bus.handle(c.ApproveJoinRequest(principal, "m@g.ca", group_id, request.id, "finances"))


def test_a_refusal_needs_a_reason_and_is_recorded(bus, bundle, company_with_group):
    company_id, group_id, principal = company_with_group
    request = wizard(bus, new_id(), company_id, group=group_id)
    with pytest.raises(errors.InvalidInput) as caught:
        bus.handle(c.RefuseJoinRequest(principal, "m@g.ca", group_id, request.id, "   "))
    assert caught.value.field == "reason"
    assert outbox(bundle, "portal.request.refused") == []
    bus.handle(c.RefuseJoinRequest(principal, "m@g.ca", group_id, request.id, "Inconnu chez nous."))
    [refused] = outbox(bundle, "portal.request.refused")
    assert refused.data["reason"] == "Inconnu chez nous."
    [mine] = bus.query(views.my_requests, request.requester_account_id)
    assert (mine["status"], mine["decision_reason"], mine["decided_by_email"]) == ("refusee", "Inconnu chez nous.",
                                                                                    "m@g.ca")


def test_only_the_groups_principal_decides(bus, company_with_group):
    company_id, group_id, principal = company_with_group
    poster = add_account(bus)
    add_group(bus, company_id, "Groupe 002", members={poster: "principal"})
    with bus.new_uow() as uow:
        from company_portal.domain.model import Membership
        uow.memberships.add(Membership.grant_new(poster, group_id, "affichage", bus.deps.clock.now()))
        uow.commit()
    request = wizard(bus, new_id(), company_id, group=group_id)
    with pytest.raises(PermissionDenied):
        bus.handle(c.ApproveJoinRequest(poster, "p@g.ca", group_id, request.id, "affichage"))
    with pytest.raises(NotAMember):
        bus.handle(c.ApproveJoinRequest(new_id(), "x@g.ca", group_id, request.id, "affichage"))
    other_group = bus.query(views.my_groups, poster)
    group_two = next(g["id"] for g in other_group if g["name"] == "Groupe 002")
    with pytest.raises(errors.NotFound):  # a principal of another group cannot reach this request
        bus.handle(c.ApproveJoinRequest(poster, "p@g.ca", group_two, request.id, "affichage"))


# Roles --------------------------------------------------------------------------------------
def test_role_changes_bump_the_version_and_emit(bus, bundle, company_with_group):
    _, group_id, principal = company_with_group
    member = add_account(bus)
    with bus.new_uow() as uow:
        from company_portal.domain.model import Membership
        uow.memberships.add(Membership.grant_new(member, group_id, "affichage", bus.deps.clock.now()))
        uow.commit()
    changed = bus.handle(c.ChangeRole(principal, group_id, member, "finances"))
    assert (changed.role, changed.version) == ("finances", 2)
    bus.handle(c.ChangeRole(principal, group_id, member, "finances"))  # same role: nothing happens
    bus.handle(c.RemoveMember(principal, group_id, member))
    versions = [(e.type, e.data["version"]) for e in outbox(bundle) if e.data.get("account_id") == member]
    assert versions == [("portal.membership.granted", 1), ("portal.membership.role_changed", 2),
                        ("portal.membership.revoked", 3)]
    assert outbox(bundle, "portal.membership.role_changed")[0].data["role"] == "finances"
    with pytest.raises(errors.NotFound):
        bus.handle(c.ChangeRole(principal, group_id, member, "principal"))  # no longer a member


def test_the_last_principal_is_kept(bus, company_with_group):
    _, group_id, principal = company_with_group
    for command in (c.ChangeRole(principal, group_id, principal, "affichage"), c.RemoveMember(principal, group_id,
                                                                                               principal)):
        with pytest.raises(errors.Conflict) as caught:
            bus.handle(command)
        assert caught.value.code == "last_principal"
    second = add_account(bus)
    with bus.new_uow() as uow:
        from company_portal.domain.model import Membership
        uow.memberships.add(Membership.grant_new(second, group_id, "principal", bus.deps.clock.now()))
        uow.commit()
    assert bus.handle(c.ChangeRole(principal, group_id, principal, "affichage")).role == "affichage"
    with pytest.raises(PermissionDenied):  # no longer principal: no longer assigns roles
        bus.handle(c.ChangeRole(principal, group_id, second, "finances"))


# Staff decisions (moderation.request.*) -----------------------------------------------------
def test_staff_approval_of_a_company_creation(bus, bundle):
    requester = new_id()
    request = wizard(bus, requester, company={**COMPANY, "legal_name": "Hydro-Boréal Conseil inc."})
    decided_at = datetime(2026, 11, 4, 15, 30, tzinfo=UTC)
    staff = new_id()
    validated = {**COMPANY, "legal_name": "Hydro-Boréal Conseil inc.", "neq": "1187654321", "city": "Val-d'Or"}
    applied = bus.handle(c.ApplyStaffApproval(request.id, staff, "sophie@oiq.qc.ca", decided_at, None, validated))
    assert (applied.status, applied.decided_at, applied.decided_by_kind, applied.granted_role) == (
        "approuvee", decided_at, "staff", "principal")
    [created] = outbox(bundle, "portal.company.created")
    assert created.data == {"company_id": applied.company_id, "legal_name": "Hydro-Boréal Conseil inc.",
                            "city": "Val-d'Or", "neq": "1187654321"}
    [groups] = [bus.query(views.my_groups, requester)]
    assert [(g["name"], g["role"], g["company_name"]) for g in groups] == [
        ("Groupe 001", "principal", "Hydro-Boréal Conseil inc.")]
    assert outbox(bundle, "portal.request.approved")[0].data["decided_at"] == "2026-11-04T15:30:00Z"
    assert bus.handle(c.ApplyStaffApproval(request.id, staff, "s@oiq.qc.ca")) is None  # redelivered: ignored
    assert len(outbox(bundle, "portal.membership.granted")) == 1


def test_staff_approval_of_a_new_group_numbers_it(bus, bundle):
    company_id = add_company(bus)
    add_group(bus, company_id)  # Groupe 001 exists, with nobody
    requester = new_id()
    request = wizard(bus, requester, company_id, group="new")
    bus.handle(c.ApplyStaffApproval(request.id, new_id(), "s@oiq.qc.ca"))
    assert [g["name"] for g in bus.query(views.my_groups, requester)] == ["Groupe 002"]
    assert outbox(bundle, "portal.company.created") == []


def test_staff_refusal_is_recorded_with_its_reason(bus, bundle):
    request = wizard(bus, new_id())
    bus.handle(c.ApplyStaffRefusal(request.id, new_id(), "s@oiq.qc.ca", "Entreprise introuvable au registre."))
    [refused] = outbox(bundle, "portal.request.refused")
    assert (refused.data["reason"], refused.data["decided_by"]["kind"]) == ("Entreprise introuvable au registre.",
                                                                           "staff")


# Staff API commands -------------------------------------------------------------------------
def _idem(key, body, staff="staff-1"):
    return Idempotent(staff, key, fingerprint("POST", "/groups", body),
                      lambda group, uow: (201, {"id": group.id, "name": group.name}))


def test_an_idempotency_key_replays_the_first_answer(bus):
    company_id = add_company(bus)
    first = bus.handle_idempotent(c.CreateGroup("staff-1", company_id, "Laval"), _idem("key-00001", {"n": "Laval"}))
    again = bus.handle_idempotent(c.CreateGroup("staff-1", company_id, "Laval"), _idem("key-00001", {"n": "Laval"}))
    assert (first.status, first.replayed, again.replayed) == (201, False, True)
    assert again.body == first.body
    assert len(bus.query(views.company_with_groups, company_id)["groups"]) == 1
    with pytest.raises(errors.PortalError) as caught:
        bus.handle_idempotent(c.CreateGroup("staff-1", company_id, "Québec"), _idem("key-00001", {"n": "Québec"}))
    assert (caught.value.code, caught.value.status) == ("idempotency_key_reused", 422)
    other = bus.handle_idempotent(c.CreateGroup("staff-2", company_id, "Québec"), _idem("key-00001", {"n": "Québec"},
                                                                                      staff="staff-2"))
    assert other.replayed is False  # keys are per caller


def test_staff_moves_a_user_and_keeps_a_principal(bus, bundle, company_with_group):
    company_id, group_id, principal = company_with_group
    target = add_group(bus, company_id, "Laval")
    with pytest.raises(errors.Conflict):
        bus.handle(c.MoveMember("staff", principal, group_id, target, "principal"))
    member = add_account(bus)
    with bus.new_uow() as uow:
        from company_portal.domain.model import Membership
        uow.memberships.add(Membership.grant_new(member, group_id, "affichage", bus.deps.clock.now()))
        uow.commit()
    moved = bus.handle(c.MoveMember("staff", member, group_id, target, "finances"))
    assert (moved.group_id, moved.role, moved.version) == (target, "finances", 1)
    kinds = [(e.type, e.data["group_id"]) for e in outbox(bundle) if e.data.get("account_id") == member]
    assert kinds[-2:] == [("portal.membership.revoked", group_id), ("portal.membership.granted", target)]


def test_staff_corrects_a_company_but_not_onto_another_neq(bus):
    company_id = add_company(bus, neq="1111111111")
    add_company(bus, neq="2222222222")
    fixed = bus.handle(c.CorrectCompany("staff", company_id, {"legal_name": "Génivert Québec inc.", "phone": ""}))
    assert (fixed.legal_name, fixed.name_key) == ("Génivert Québec inc.", "genivert quebec")
    with pytest.raises(errors.InvalidInput) as caught:
        bus.handle(c.CorrectCompany("staff", company_id, {"neq": "2222222222"}))
    assert caught.value.code == "neq_taken"
    with pytest.raises(errors.InvalidInput):
        bus.handle(c.CorrectCompany("staff", company_id, {"postal_code": "1234"}))
    kept = bus.handle(c.CorrectCompany("staff", company_id, {"phone": "5145550123"}))
    assert kept.neq == "1111111111"  # a field staff did not touch keeps its value
    cleared = bus.handle(c.CorrectCompany("staff", company_id, {"neq": ""}))
    assert cleared.neq is None  # staff may clear a wrong NEQ


def test_staff_cannot_move_a_user_into_another_companys_group(bus, company_with_group):
    company_id, group_id, _ = company_with_group
    elsewhere = add_group(bus, add_company(bus, neq="3333333333"), "Ailleurs")
    member = add_account(bus)
    with bus.new_uow() as uow:
        from company_portal.domain.model import Membership
        uow.memberships.add(Membership.grant_new(member, group_id, "affichage", bus.deps.clock.now()))
        uow.commit()
    with pytest.raises(errors.Conflict) as caught:
        bus.handle(c.MoveMember("staff", member, group_id, elsewhere, "finances"))
    assert caught.value.code == "other_company"


# Branding, profile, accounts ----------------------------------------------------------------
def test_branding_is_sanitized_and_published(bus, bundle, company_with_group):
    _, group_id, principal = company_with_group
    bus.handle(c.UpdateBranding(principal, group_id, {
        "group_name": "Bureau de Montréal", "group_description": "Bâtiments", "company_name": "Génivert inc.",
        "address": "1200, rue Saint-Denis, Montréal", "website": "genivert.ca", "phone": "514 555 0100",
        "description_html": '<p onclick="x()">Nous <script>alert(1)</script><a href="https://genivert.ca">'
                            'recrutons</a></p><img src=x onerror=alert(1)>'}))
    [event] = outbox(bundle, "portal.branding.changed")
    assert event.data["description_html"] == ('<p>Nous <a href="https://genivert.ca" target="_blank" '
                                              'rel="noopener noreferrer">recrutons</a></p>')
    assert (event.data["website"], event.data["group_name"], event.data["phone"]) == (
        "https://genivert.ca", "Bureau de Montréal", "514-555-0100")
    assert "logo_url" not in event.data


def test_profile_and_identity_accounts(bus):
    account_id = new_id()
    bus.handle(c.RecordAccount(account_id, "luc@genivert-test.ca", "Luc", "Gagnon", "en"))
    bus.handle(c.UpdateProfile(account_id, "luc@genivert-test.ca", {**ABOUT, "first_name": "Lucien"}))
    bus.handle(c.RecordAccount(account_id, "luc@genivert-test.ca", "Luc", "Gagnon", "en"))  # late event
    account = bus.query(views.account, account_id)
    assert (account["first_name"], account["function"], account["extension"], account["locale"]) == (
        "Lucien", "Chargé de projets", "204", "en")
    with pytest.raises(errors.InvalidInput) as caught:
        bus.handle(c.UpdateProfile(account_id, "luc@genivert-test.ca", {**ABOUT, "phone": "12"}))
    assert caught.value.field == "phone"
