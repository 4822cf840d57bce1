"""The rules of a queue item: approve or refuse once, a reason to refuse, a company creation approved
with the company data company-portal checked (moderation holds no company rule)."""

from datetime import UTC, datetime, timedelta

import pytest

from moderation.domain.model import (
    AlreadyDecided,
    CompanyData,
    CompanyRequired,
    Decider,
    QueueItem,
    ReasonRequired,
    ReasonTooLong,
    Requester,
    Status,
)

NOW = datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
STAFF = Decider("staff-1", "personnel@oiq-test.ca")
GOOD = {
    "legal_name": "Génivert inc.", "neq": "1171234567", "address": "1000, rue Sherbrooke Ouest",
    "city": "Montréal", "province": "QC", "postal_code": "H3A 3G4", "country": "Canada", "phone": "514-555-0101",
}


def item(kind: str = "company_creation", **company: str) -> QueueItem:
    data = {**GOOD, **company}
    return QueueItem(
        request_id="req-1", kind=kind, company=CompanyData(**{**data, "neq": data["neq"] or None}),
        requester=Requester("acc-1", "marie@genivert-test.ca", "Marie", "Tremblay", "514 555-0102", None,
                            "Directrice RH", "fr"),
        submitted_at=NOW - timedelta(days=1),
    )


def test_refusing_requires_a_reason_and_changes_nothing_without_one():
    queued = item()
    for blank in (None, "", "   \n "):
        with pytest.raises(ReasonRequired):
            queued.refuse(STAFF, NOW, blank)
    assert queued.status == Status.PENDING and queued.decided_at is None and queued.journal == []


def test_a_refusal_records_who_when_why():
    queued = item()
    event = queued.refuse(STAFF, NOW, "  Entreprise introuvable au Registraire.  ")
    assert queued.status == Status.REFUSED
    why = "Entreprise introuvable au Registraire."
    assert (queued.decided_by, queued.decided_at, queued.reason) == (STAFF, NOW, why)
    assert (event.decided_by, event.decided_at, event.reason) == (STAFF, NOW, why)
    assert [(e.action, e.actor_email, e.reason) for e in queued.journal] == [
        ("refused", STAFF.email, "Entreprise introuvable au Registraire.")]


def test_a_reason_is_at_most_1000_characters():
    with pytest.raises(ReasonTooLong):
        item().refuse(STAFF, NOW, "x" * 1001)
    with pytest.raises(ReasonTooLong):
        item().approve(STAFF, NOW, reason="x" * 1001)


@pytest.mark.parametrize("first", ["approve", "refuse"])
@pytest.mark.parametrize("second", ["approve", "refuse"])
def test_a_request_is_decided_once(first, second):
    queued = item()
    decide = {"approve": lambda: queued.approve(STAFF, NOW, company=queued.company),
              "refuse": lambda: queued.refuse(STAFF, NOW, "Non.")}
    decide[first]()
    status = queued.status
    with pytest.raises(AlreadyDecided):
        decide[second]()
    assert queued.status == status and len(queued.journal) == 1


def test_approving_a_new_group_needs_no_company_data():
    queued = item(kind="new_group")
    event = queued.approve(STAFF, NOW, reason="Bienvenue")
    assert event.company is None and event.reason == "Bienvenue"
    assert queued.status == Status.APPROVED and queued.approved_company is None


def test_approving_a_company_creation_keeps_the_data_company_portal_checked():
    queued = item()
    checked = CompanyData("Génivert Solutions inc.", "1171234568", "1000, rue Sherbrooke Ouest", "Montréal", "QC",
                          "H3A 3G4", "Canada", "514-555-0199")
    event = queued.approve(STAFF, NOW, company=checked)
    assert event.company == checked and queued.approved_company == checked
    assert queued.company.legal_name == "Génivert inc."  # what the requester typed stays as it was


def test_a_company_creation_is_not_approved_without_its_company_data():
    queued = item()
    with pytest.raises(CompanyRequired):
        queued.approve(STAFF, NOW)
    assert queued.status == Status.PENDING and queued.journal == []


def test_company_data_reads_what_company_portal_sent():
    assert CompanyData.of({**GOOD, "neq": ""}).neq is None
    assert CompanyData.of(GOOD).as_dict() == GOOD
    assert "neq" not in CompanyData.of({**GOOD, "neq": None}).as_dict()


def test_company_portal_closes_a_pending_item_once():
    queued = item(kind="new_group")
    assert queued.close_from_portal(True, NOW) is True
    assert queued.status == Status.APPROVED and queued.closed_by == "company-portal" and queued.decided_by is None
    assert queued.close_from_portal(True, NOW) is False
    assert len(queued.journal) == 1
    with pytest.raises(AlreadyDecided):
        queued.refuse(STAFF, NOW, "Trop tard")


def test_a_portal_outcome_after_our_decision_keeps_the_decision_and_is_journaled_once():
    queued = item(kind="new_group")
    queued.approve(STAFF, NOW)
    assert queued.close_from_portal(True, NOW) is False  # the expected echo of our approval
    assert queued.close_from_portal(False, NOW, "Groupe déjà existant") is True
    assert queued.close_from_portal(False, NOW, "Groupe déjà existant") is False
    assert queued.status == Status.APPROVED and queued.decided_by == STAFF
    assert [e.action for e in queued.journal] == ["approved", "portal_outcome"]
