"""The demo seed the embedded suite calls (suite/seed.py)."""

from __future__ import annotations

from dataclasses import dataclass

from portal_testkit import new_id, outbox

from company_portal.bootstrap import seed_demo
from company_portal.service_layer import views
from plumbing.auth.permissions import Role


@dataclass
class AccountView:  # the shape of identity's create_account_directly answer
    id: str
    email: str
    first_name: str
    last_name: str


def test_the_demo_seed_is_complete_and_idempotent(bundle, bus, schemas):
    marie = AccountView(new_id(), "marie.tremblay@genivert-demo.ca", "Marie", "Tremblay")
    nadia = (new_id(), "nadia.cote@structura-demo.ca", "Nadia", "Côté")
    ids = seed_demo(bundle, principal=marie, new_group_requester=nadia)
    assert set(ids) == {"company_id", "group_id", "join_request_id", "new_group_request_id", "creation_request_id"}
    members = bus.query(views.members, marie.id, ids["group_id"])
    assert sorted(m["role"] for m in members) == sorted(str(r) for r in Role)
    assert bus.query(views.group, marie.id, ids["group_id"])["name"] == "Groupe 001"
    pending = bus.query(views.join_requests, marie.id, ids["group_id"])
    assert [r["id"] for r in pending] == [ids["join_request_id"]]
    [mine] = bus.query(views.my_requests, nadia[0])
    assert (mine["kind"], mine["status"], mine["legal_name"]) == ("new_group", "en_attente",
                                                                  "Structura Ingénierie ltée")
    kinds = sorted(e.data["kind"] for e in outbox(bundle, "portal.request.submitted"))
    assert kinds == ["company_creation", "join_group", "new_group"]
    for produced in outbox(bundle):
        schemas.validate(produced)
    before = len(outbox(bundle))
    assert seed_demo(bundle, principal=marie) == {}
    assert len(outbox(bundle)) == before
