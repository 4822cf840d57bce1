"""The rules of a queue item: approve or refuse once, a reason to refuse, valid company data."""

from datetime import UTC, datetime, timedelta

import pytest

from moderation.domain.company import CompanyData, InvalidCompanyData, validate_company
from moderation.domain.model import (
    AlreadyDecided,
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
    decide = {"approve": lambda: queued.approve(STAFF, NOW), "refuse": lambda: queued.refuse(STAFF, NOW, "Non.")}
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


def test_approving_a_company_creation_keeps_the_data_staff_corrected_cleaned():
    queued = item()
    corrected = {**GOOD, "legal_name": "Génivert Solutions inc.", "neq": "117 123 4568", "province": "Québec",
                 "postal_code": "h3a3g4", "country": "canada", "phone": "1 (514) 555 0199"}
    event = queued.approve(STAFF, NOW, company_fields=corrected)
    assert event.company == CompanyData("Génivert Solutions inc.", "1171234568", "1000, rue Sherbrooke Ouest",
                                        "Montréal", "QC", "H3A 3G4", "Canada", "514-555-0199")
    assert queued.approved_company == event.company
    assert queued.company.legal_name == "Génivert inc."  # what the requester typed stays as it was


def test_approving_a_company_creation_with_invalid_data_changes_nothing():
    queued = item()
    bad = {**GOOD, "legal_name": " ", "neq": "12345", "postal_code": "12345", "phone": "555-0101",
           "province": "Bavière"}
    with pytest.raises(InvalidCompanyData) as caught:
        queued.approve(STAFF, NOW, company_fields=bad)
    assert caught.value.errors == {"legal_name": "required", "neq": "neq_format", "postal_code": "postal_code_format",
                                   "phone": "phone_format", "province": "province_unknown"}
    assert queued.status == Status.PENDING and queued.journal == []


def test_approving_without_corrections_validates_the_submitted_data():
    with pytest.raises(InvalidCompanyData) as caught:
        item(postal_code="H3A").approve(STAFF, NOW)
    assert caught.value.errors == {"postal_code": "postal_code_format"}


def test_company_data_rules():
    assert validate_company({**GOOD, "neq": ""}).neq is None
    assert validate_company({**GOOD, "neq": "1171-234-567"}).neq == "1171234567"
    with pytest.raises(InvalidCompanyData) as caught:
        validate_company({**GOOD, "neq": "11712345678"})
    assert caught.value.errors == {"neq": "neq_format"}
    with pytest.raises(InvalidCompanyData) as caught:
        validate_company({**GOOD, "neq": "117123456a"})
    assert caught.value.errors == {"neq": "neq_format"}
    with pytest.raises(InvalidCompanyData) as caught:
        validate_company({})
    assert caught.value.errors == {name: "required" for name in
                                   ("legal_name", "address", "city", "province", "postal_code", "country", "phone")}
    with pytest.raises(InvalidCompanyData) as caught:
        validate_company({**GOOD, "legal_name": "x" * 201})
    assert caught.value.errors == {"legal_name": "too_long"}
    # Outside Canada: free postal code and region.
    abroad = validate_company({**GOOD, "country": "France", "province": "Île-de-France", "postal_code": "75001"})
    assert (abroad.country, abroad.province, abroad.postal_code) == ("France", "Île-de-France", "75001")
    assert validate_company({**GOOD, "province": "colombie-britannique", "postal_code": "V6B 1A1"}).province == "BC"


def test_a_correction_of_an_existing_company_only_requires_its_name():
    partial = validate_company({"legal_name": "Génivert", "postal_code": "h2x3j6"}, require_all=False)
    assert (partial.phone, partial.country, partial.postal_code) == ("", "Canada", "H2X 3J6")
    with pytest.raises(InvalidCompanyData) as caught:
        validate_company({"legal_name": "", "phone": "12", "postal_code": "75001"}, require_all=False)
    assert caught.value.errors == {"legal_name": "required", "phone": "phone_format",
                                   "postal_code": "postal_code_format"}


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
