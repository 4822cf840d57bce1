"""Events: every envelope company-portal writes matches its contract, and the consumer is fed
schema-valid envelopes (moderation decisions, identity sign-ups), exactly once per message."""

from __future__ import annotations

import pytest
from portal_testkit import (
    QC_INFO,
    add_account,
    add_company,
    add_group,
    envelope,
    image_bytes,
    new_id,
    outbox,
)

from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from plumbing.events.envelope import PoisonMessage

ABOUT = {"first_name": "Luc", "last_name": "Gagnon", "phone": "514 555-0199", "function": "Chargé de projets"}
COMPANY = {k: v for k, v in QC_INFO.as_dict().items() if k != "neq"}
PRODUCED = {"portal.request.submitted", "portal.request.approved", "portal.request.refused",
            "portal.company.created", "portal.membership.granted", "portal.membership.role_changed",
            "portal.membership.revoked", "portal.branding.changed"}


def submit(bus, account_id, company_id=None, group="new", legal_name="Génivert inc."):
    if company_id:
        bus.handle(c.ChooseCompany(account_id, company_id))
    else:
        bus.handle(c.StartCompanyCreation(account_id))
    bus.handle(c.SaveCompanyInfo(account_id, {**COMPANY, "legal_name": legal_name}))
    bus.handle(c.SaveAboutYou(account_id, f"{account_id[:6]}@test.ca", {**ABOUT, "group": group}))
    return bus.handle(c.SubmitRequest(account_id, f"{account_id[:6]}@test.ca", "en"))


def staff_decision(request, approved=True, **extra):
    data = {"request_id": request.id, "kind": request.kind,
            "decided_by": {"account_id": new_id(), "email": "sophie@oiq.qc.ca"},
            "decided_at": "2026-11-04T15:30:00Z", **extra}
    return envelope("moderation.request.approved" if approved else "moderation.request.refused", data)


def test_every_produced_event_matches_its_schema(bus, bundle, schemas):
    company_id = add_company(bus)
    principal = add_account(bus, "marie@genivert-test.ca")
    group_id = add_group(bus, company_id, members={principal: "principal"})
    join = submit(bus, new_id(), company_id, group=group_id)
    bus.handle(c.ApproveJoinRequest(principal, "marie@genivert-test.ca", group_id, join.id, "affichage"))
    bus.handle(c.ChangeRole(principal, group_id, join.requester_account_id, "finances"))
    bus.handle(c.RemoveMember(principal, group_id, join.requester_account_id))
    refused = submit(bus, new_id(), company_id, group=group_id)
    bus.handle(c.RefuseJoinRequest(principal, "marie@genivert-test.ca", group_id, refused.id, "Non."))
    creation = submit(bus, new_id(), legal_name="Hydro-Boréal Conseil inc.")
    bus.handle(c.ApplyStaffApproval(creation.id, new_id(), "s@oiq.qc.ca"))
    bus.handle(c.UpdateBranding(principal, group_id, {"group_name": "Groupe 001", "company_name": "Génivert inc.",
                                                      "address": "1200, rue Saint-Denis", "description_html": "<p>x"}))
    bus.handle(c.UploadLogo(principal, group_id, image_bytes()))
    envelopes = outbox(bundle)
    assert {e.type for e in envelopes} == PRODUCED
    for produced in envelopes:
        schemas.validate(produced)  # envelope and data, against contracts/events/
        assert produced.producer == "company-portal"
    branding = outbox(bundle, "portal.branding.changed")[-1].data
    assert branding["logo_url"].startswith(f"http://portail.test/entreprises/logos/{group_id}/")


def test_the_consumer_applies_a_staff_approval_once(bus, bundle, schemas):
    consumer = bundle.consumers[0]
    assert set(consumer.binding_keys) == {"moderation.request.approved", "moderation.request.refused",
                                          "identity.account.registered", "identity.account.verified",
                                          "offers.projection.snapshot_requested",
                                          "catalog-billing.projection.snapshot_requested"}
    requester = new_id()
    request = submit(bus, requester, legal_name="Hydro-Boréal Conseil inc.")
    company = {**COMPANY, "legal_name": "Hydro-Boréal Conseil inc.", "neq": "1187654321"}
    body = staff_decision(request, company=company)
    consumer(body, {})
    consumer(body, {})  # redelivered: the inbox already has it
    [group] = bus.query(views.my_groups, requester)
    assert (group["name"], group["role"], group["company_name"]) == ("Groupe 001", "principal",
                                                                     "Hydro-Boréal Conseil inc.")
    assert len(outbox(bundle, "portal.request.approved")) == 1
    [mine] = bus.query(views.my_requests, requester)
    assert (mine["status"], mine["decided_by_email"], mine["decided_at"].isoformat()) == (
        "approuvee", "sophie@oiq.qc.ca", "2026-11-04T15:30:00+00:00")


def test_the_consumer_applies_a_staff_refusal(bus, bundle):
    company_id = add_company(bus)
    requester = new_id()
    request = submit(bus, requester, company_id)
    bundle.consumers[0](staff_decision(request, approved=False, reason="Doublon."), {})
    [mine] = bus.query(views.my_requests, requester)
    assert (mine["status"], mine["decision_reason"]) == ("refusee", "Doublon.")
    assert outbox(bundle, "portal.request.refused")[0].data["reason"] == "Doublon."


def test_the_consumer_learns_employer_accounts_from_identity(bus, bundle):
    account_id = new_id()
    data = {"account_id": account_id, "email": "luc@genivert-test.ca", "kind": "employer", "locale": "fr",
            "first_name": "Luc", "verification_token": "t" * 43, "verification_expires_at": "2026-11-04T14:00:00Z"}
    bundle.consumers[0](envelope("identity.account.registered", data, producer="identity"), {})
    member = {**data, "account_id": new_id(), "kind": "member", "email": "alex@courriel.ca"}
    bundle.consumers[0](envelope("identity.account.registered", member, producer="identity"), {})
    assert bus.query(views.account, account_id)["first_name"] == "Luc"
    assert bus.query(views.account, member["account_id"]) is None
    demo = {"account_id": new_id(), "email": "nadia@structura-test.ca", "kind": "employer", "locale": "fr"}
    bundle.consumers[0](envelope("identity.account.verified", demo, producer="identity"), {})
    verified = {"account_id": account_id, "email": "luc@genivert-test.ca", "kind": "employer", "locale": "fr"}
    bundle.consumers[0](envelope("identity.account.verified", verified, producer="identity"), {})
    assert bus.query(views.account, demo["account_id"])["email"] == "nadia@structura-test.ca"
    assert bus.query(views.account, account_id)["first_name"] == "Luc"


def test_a_message_against_its_schema_is_poison(bundle):
    bad = envelope("moderation.request.refused", {"request_id": new_id(), "kind": "new_group"})
    with pytest.raises(PoisonMessage):
        bundle.consumers[0](bad, {})
    with pytest.raises(PoisonMessage):
        bundle.consumers[0](b"not json", {})
