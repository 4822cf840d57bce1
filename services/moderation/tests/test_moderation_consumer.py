"""Tolerant reading of company-portal's request events: only the fields moderation uses."""

from datetime import UTC, datetime

import pytest
from moderation_testkit import submitted

from moderation.entrypoints.consumer import close_command, submitted_command
from plumbing.events.envelope import Envelope, PoisonMessage

AT = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def envelope(event_type: str, data: dict) -> Envelope:
    return Envelope.new(event_type, data, producer="company-portal", occurred_at=AT)


def test_a_full_submission_becomes_a_record_command():
    event = submitted("new_group", AT)
    command = submitted_command(event)
    assert command.request_id == event.data["request_id"] and command.kind == "new_group"
    assert command.submitted_at == AT
    assert command.company.legal_name == "Génivert inc." and command.company_id == event.data["company"]["id"]
    assert command.requester.extension == "204" and command.requester.full_name == "Marie Tremblay"


def test_missing_optional_fields_and_unknown_extras_are_fine():
    command = submitted_command(envelope("portal.request.submitted", {
        "request_id": "r-1", "kind": "company_creation", "extra": {"anything": True},
        "company": {"legal_name": "Structura"}, "requester": {"account_id": "a-1", "email": "n@structura.ca"},
    }))
    assert command.submitted_at == AT  # falls back on the envelope's time
    assert (command.company.neq, command.company.city, command.company_id) == (None, "", None)
    assert (command.requester.extension, command.requester.locale) == (None, "fr")


def test_join_requests_are_not_for_staff():
    assert submitted_command(submitted("join_group")) is None


def test_a_submission_without_request_id_is_poison():
    with pytest.raises(PoisonMessage):
        submitted_command(envelope("portal.request.submitted", {"kind": "new_group"}))
    with pytest.raises(PoisonMessage):
        close_command(envelope("portal.request.refused", {"reason": "x"}), approved=False)


def test_outcomes_keep_their_decision_time_and_reason():
    command = close_command(envelope("portal.request.refused", {
        "request_id": "r-1", "kind": "new_group", "reason": " Doublon ", "decided_at": "2026-11-03T15:30:00Z",
        "decided_by": {"account_id": "a-9", "email": "p@genivert.ca", "kind": "principal"},
    }), approved=False)
    assert (command.request_id, command.approved, command.reason) == ("r-1", False, "Doublon")
    assert command.decided_at == datetime(2026, 11, 3, 15, 30, tzinfo=UTC)
