"""Snapshots: company-portal replays the current memberships and branding as events, for a consumer
that missed the live ones (docs/decisions.md, "A new service learns the past")."""

from __future__ import annotations

from portal_testkit import add_account, add_company, add_group, envelope, image_bytes, outbox

from company_portal.entrypoints import admin
from company_portal.service_layer import commands as c

BRANDING = {"group_name": "Groupe 001", "company_name": "Génivert inc.", "address": "1200, rue Saint-Denis",
            "description_html": "<p>Nous concevons des ponts.</p>"}


def arrange(bus):
    """A group with a principal, a member whose role changed, a removed member, a rebranded logo."""
    company_id = add_company(bus)
    principal, changed, removed = add_account(bus), add_account(bus), add_account(bus)
    group_id = add_group(bus, company_id, members={principal: "principal", changed: "affichage", removed: "finances"})
    bus.handle(c.ChangeRole(principal, group_id, changed, "finances"))
    bus.handle(c.RemoveMember(principal, group_id, removed))
    bus.handle(c.UpdateBranding(principal, group_id, BRANDING))
    bus.handle(c.UploadLogo(principal, group_id, image_bytes()))
    return group_id, principal, changed, removed


def test_a_snapshot_replays_every_membership_and_branding_with_their_versions(bus, bundle, schemas):
    group_id, principal, changed, removed = arrange(bus)
    result = bus.handle(c.PublishSnapshot())
    assert (result["memberships"], result["branding"]) == (3, 1)
    memberships = {e.data["account_id"]: e.data for e in outbox(bundle, "portal.membership.snapshot")}
    assert {k: (v["role"], v["version"]) for k, v in memberships.items()} == {
        principal: ("principal", 1), changed: ("finances", 2), removed: (None, 2)}
    assert {v["snapshot_id"] for v in memberships.values()} == {result["snapshot_id"]}
    assert memberships[principal]["company_name"] == "Génivert inc." and memberships[principal]["email"]
    [branding] = [e.data for e in outbox(bundle, "portal.branding.snapshot")]
    last_change = outbox(bundle, "portal.branding.changed")[-1].data
    assert branding["version"] == last_change["version"] == 3  # created, rebranded, new logo
    assert {k: v for k, v in branding.items() if k != "snapshot_id"} == last_change
    for event in outbox(bundle):
        schemas.validate(event)


def test_the_portal_answers_a_new_consumers_request_with_what_it_asked_for(bus, bundle):
    arrange(bus)
    consumer = bundle.consumers[0]
    request = envelope("offers.projection.snapshot_requested", {"projections": ["memberships"]}, producer="offers")
    consumer(request, {})
    consumer(request, {})  # redelivered: answered once
    assert len(outbox(bundle, "portal.membership.snapshot")) == 3
    assert outbox(bundle, "portal.branding.snapshot") == []


def test_the_operator_command_writes_a_snapshot_to_the_outbox(bus, bundle, monkeypatch, tmp_path, capsys):
    group_id, *_ = arrange(bus)
    monkeypatch.setenv("COMPANY_PORTAL_DATABASE_URL", bundle.runtime.settings.database_url)
    monkeypatch.setenv("INGEMPLOIS_VAR", str(tmp_path))
    assert admin.main(["snapshot", "--only", "branding"]) == 0
    assert "0 appartenances / memberships, 1 groupes / groups" in capsys.readouterr().out
    assert [e.data["group_id"] for e in outbox(bundle, "portal.branding.snapshot")] == [group_id]
    assert outbox(bundle, "portal.membership.snapshot") == []


def test_an_empty_portal_answers_with_nothing(bus, bundle):
    result = bus.handle(c.PublishSnapshot())
    assert (result["memberships"], result["branding"]) == (0, 0)
    assert outbox(bundle) == []
