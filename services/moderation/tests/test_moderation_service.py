"""The service through bootstrap (SQLite, fixed clock): the queue projection, decisions and the
events they emit, duplicate deliveries, and two staff members deciding at once."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from moderation_testkit import make_contracts_dir, portal_outcome, submitted
from sqlalchemy import select, update

from moderation.adapters.orm import outbox, queue_items
from moderation.domain.model import AlreadyDecided, Decider, ReasonRequired, Status
from moderation.service_layer import commands
from moderation.service_layer.handlers import InvalidCompanyData, RequestNotFound, approve_request
from moderation.service_layer.ports import PortalRejected, StaffCall
from plumbing.config import REPO_ROOT
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemaError, EventSchemas
from plumbing.messagebus import MessageBus

STAFF = Decider(str(uuid.uuid4()), "personnel@oiq-test.ca")
CALL = StaffCall("staff-token", "fr")
REAL_SCHEMAS = EventSchemas(REPO_ROOT / "contracts" / "events")


def outbox_events(bundle) -> list[Envelope]:
    with bundle.runtime.engine.connect() as connection:
        bodies = connection.execute(select(outbox.c.body).order_by(outbox.c.seq)).scalars().all()
    return [Envelope.from_json(body.encode()) for body in bodies]


def deliver(consumer, envelope: Envelope) -> None:
    consumer(envelope.to_json(), {})


def test_queue_is_oldest_first_with_ages(bundle, consumer, clock):
    views = bundle.extras["views"]
    now = clock.now()
    newest = submitted("new_group", now - timedelta(hours=1))
    oldest = submitted("company_creation", now - timedelta(days=7))
    middle = submitted("company_creation", now - timedelta(days=3))
    for envelope in (newest, oldest, middle):
        deliver(consumer, envelope)
    rows = views.queue()
    assert [r.item.request_id for r in rows] == [e.data["request_id"] for e in (oldest, middle, newest)]
    # Monday 2 Nov 2026: a week-old request (Monday 26 Oct) is 5 business days old and late;
    # Friday 30 Oct is 1 business day old; this morning's is 0.
    assert [(r.age, r.overdue) for r in rows] == [(5, True), (1, False), (0, False)]
    assert [r.item.request_id for r in views.queue(kind="new_group")] == [newest.data["request_id"]]


def test_join_group_requests_are_not_queued(bundle, consumer):
    deliver(consumer, submitted("join_group"))
    assert bundle.extras["views"].queue(status=None) == []


def test_the_same_event_delivered_twice_makes_one_item(bundle, consumer):
    envelope = submitted()
    deliver(consumer, envelope)
    deliver(consumer, envelope)
    # Re-emitted by company-portal with a new message id: still one item.
    again = Envelope.new(envelope.type, envelope.data, producer="company-portal", occurred_at=envelope_time(envelope))
    deliver(consumer, again)
    assert len(bundle.extras["views"].queue(status=None)) == 1


def envelope_time(envelope: Envelope) -> datetime:
    return datetime.fromisoformat(envelope.occurred_at.replace("Z", "+00:00"))


def test_a_refusal_emits_a_schema_valid_event_with_who_when_why(bundle, consumer, bus, clock):
    envelope = submitted("new_group")
    deliver(consumer, envelope)
    request_id = envelope.data["request_id"]
    clock.advance(hours=2)
    bus.handle(commands.RefuseRequest(request_id, STAFF, "Ce groupe existe déjà : joignez le Groupe 001."))
    (event,) = outbox_events(bundle)
    REAL_SCHEMAS.validate(event)
    assert event.type == "moderation.request.refused" and event.producer == "moderation"
    assert event.data == {
        "request_id": request_id, "kind": "new_group",
        "decided_by": {"account_id": STAFF.account_id, "email": STAFF.email},
        "decided_at": "2026-11-02T16:00:00Z",
        "reason": "Ce groupe existe déjà : joignez le Groupe 001.",
    }
    item = bundle.extras["views"].item(request_id).item
    assert (item.status, item.decided_by, item.reason) == (Status.REFUSED, STAFF, event.data["reason"])


def test_an_approval_of_a_company_creation_carries_the_corrected_company(bundle, consumer, bus, portal):
    envelope = submitted("company_creation")
    deliver(consumer, envelope)
    request_id = envelope.data["request_id"]
    fields = {**envelope.data["company"], "legal_name": "Génivert Solutions inc.", "neq": "",
              "postal_code": "H3A 3G4", "phone": "514-555-0101"}  # (the fake portal cleans nothing)
    bus.handle(commands.ApproveRequest(request_id, STAFF, reason="Conforme au Registraire.", company_fields=fields,
                                       call=CALL))
    assert [name for name, _, _ in portal.calls] == ["check_company"]  # company-portal checked the data
    (event,) = outbox_events(bundle)
    REAL_SCHEMAS.validate(event)
    assert event.type == "moderation.request.approved"
    assert event.data["decided_by"] == {"account_id": STAFF.account_id, "email": STAFF.email}
    assert event.data["decided_at"] == "2026-11-02T14:00:00Z" and event.data["reason"] == "Conforme au Registraire."
    assert event.data["company"] == {
        "legal_name": "Génivert Solutions inc.", "address": "1000, rue Sherbrooke Ouest", "city": "Montréal",
        "province": "QC", "postal_code": "H3A 3G4", "country": "Canada", "phone": "514-555-0101",
    }


def test_an_approval_of_a_new_group_carries_no_company(bundle, consumer, bus):
    envelope = submitted("new_group")
    deliver(consumer, envelope)
    bus.handle(commands.ApproveRequest(envelope.data["request_id"], STAFF))
    (event,) = outbox_events(bundle)
    REAL_SCHEMAS.validate(event)
    assert "company" not in event.data and "reason" not in event.data


def test_rules_are_enforced_and_nothing_is_emitted(bundle, consumer, bus, portal):
    envelope = submitted("company_creation")
    deliver(consumer, envelope)
    request_id = envelope.data["request_id"]
    with pytest.raises(ReasonRequired):
        bus.handle(commands.RefuseRequest(request_id, STAFF, "  "))
    portal.reject_next = PortalRejected(422, "Le numéro de téléphone est invalide.", "phone_format",
                                        {"phone": "Le numéro de téléphone est invalide."})
    with pytest.raises(InvalidCompanyData) as caught:
        bus.handle(commands.ApproveRequest(request_id, STAFF, company_fields={**envelope.data["company"],
                                                                             "phone": "123"}, call=CALL))
    assert caught.value.errors == {"phone": "Le numéro de téléphone est invalide."}  # company-portal's words
    with pytest.raises(RequestNotFound):
        bus.handle(commands.ApproveRequest(str(uuid.uuid4()), STAFF, call=CALL))
    assert outbox_events(bundle) == []
    bus.handle(commands.ApproveRequest(request_id, STAFF, call=CALL))
    with pytest.raises(AlreadyDecided):
        bus.handle(commands.RefuseRequest(request_id, STAFF, "Trop tard"))
    assert [e.type for e in outbox_events(bundle)] == ["moderation.request.approved"]


def test_a_decision_taken_on_a_stale_read_is_refused(bundle, consumer, bus):
    """Two staff members decide at once: the version check lets only the first one through.

    On SQLite the second writer waits for the first (BEGIN IMMEDIATE) and then reads the decided
    item; on PostgreSQL both may read it pending, and the version check refuses the second. This
    simulates the latter: a colleague's decision lands between our read and our write.
    """
    envelope = submitted("new_group")
    deliver(consumer, envelope)
    request_id = envelope.data["request_id"]

    def approve_after_a_colleague_refused(cmd, uow, deps):
        uow.queue.get(cmd.request_id)  # read while pending
        uow.session.execute(update(queue_items).where(queue_items.c.request_id == cmd.request_id)
                            .values(status="refusee", version=queue_items.c.version + 1))
        return approve_request(cmd, uow, deps)

    racing = MessageBus(bus.uow_factory, bus.deps,
                        commands={commands.ApproveRequest: approve_after_a_colleague_refused})
    with pytest.raises(AlreadyDecided):
        racing.handle(commands.ApproveRequest(request_id, STAFF))
    assert outbox_events(bundle) == []


def test_company_portal_outcomes_close_pending_items_idempotently(bundle, consumer, clock):
    envelope = submitted("new_group")
    deliver(consumer, envelope)
    request_id = envelope.data["request_id"]
    outcome = portal_outcome(request_id, approved=False, decided_at=clock.now())
    deliver(consumer, outcome)
    deliver(consumer, outcome)
    deliver(consumer, portal_outcome(request_id, approved=False, decided_at=clock.now()))
    item = bundle.extras["views"].item(request_id).item
    assert item.status == Status.REFUSED and item.closed_by == "company-portal"
    assert item.reason == "Doublon d'une demande précédente."
    assert item.decided_by_email == outcome.data["decided_by"]["email"]
    assert [(e.action, e.actor_email) for e in item.journal] == [("closed_by_portal", item.decided_by_email)]
    # An outcome for a request staff never saw (a join request) is ignored.
    deliver(consumer, portal_outcome(str(uuid.uuid4()), approved=True, decided_at=clock.now(), kind="join_group"))
    assert outbox_events(bundle) == []


def test_the_echo_of_our_own_approval_changes_nothing(bundle, consumer, bus, clock):
    envelope = submitted("new_group")
    deliver(consumer, envelope)
    request_id = envelope.data["request_id"]
    bus.handle(commands.ApproveRequest(request_id, STAFF))
    deliver(consumer, portal_outcome(request_id, approved=True, decided_at=clock.now()))
    item = bundle.extras["views"].item(request_id).item
    assert item.decided_by == STAFF and [e.action for e in item.journal] == ["approved"]


def test_counts_for_the_dashboard(bundle, consumer, bus, clock):
    late = submitted("company_creation", clock.now() - timedelta(days=7))
    fresh = submitted("new_group", clock.now())
    refused = submitted("new_group", clock.now() - timedelta(days=1))
    for envelope in (late, fresh, refused):
        deliver(consumer, envelope)
    bus.handle(commands.RefuseRequest(refused.data["request_id"], STAFF, "Non conforme"))
    counts = bundle.extras["views"].counts()
    assert counts.pending == {"new_group": 1, "company_creation": 1} and counts.pending_total == 2
    assert (counts.overdue, counts.approved, counts.refused) == (1, 0, 1)


def test_the_consumer_binds_the_three_portal_request_events_and_offers_status_changes(bundle):
    (consumer,) = bundle.consumers
    assert consumer.name == "moderation"
    assert set(consumer.binding_keys) == {"portal.request.submitted", "portal.request.approved",
                                          "portal.request.refused", "offers.offer.status_changed"}


def test_our_event_schemas_forbid_unknown_fields_and_need_a_refusal_reason(tmp_path):
    schemas = EventSchemas(make_contracts_dir(tmp_path) / "events")
    decided = {"request_id": str(uuid.uuid4()), "kind": "new_group",
               "decided_by": {"account_id": STAFF.account_id, "email": STAFF.email},
               "decided_at": "2026-11-02T14:00:00Z"}
    for event_type in ("moderation.request.approved", "moderation.request.refused"):
        schema = schemas.data_schema(event_type)
        assert schema["additionalProperties"] is False
    def check(event_type, data):
        schemas.validate(Envelope.new(event_type, data, producer="moderation", occurred_at=datetime.now(UTC)))

    check("moderation.request.approved", decided)
    with pytest.raises(EventSchemaError):
        check("moderation.request.approved", {**decided, "extra": 1})
    with pytest.raises(EventSchemaError):
        check("moderation.request.approved", {**decided, "kind": "company_creation"})  # company required
    with pytest.raises(EventSchemaError):
        check("moderation.request.refused", decided)  # reason required
    check("moderation.request.refused", {**decided, "reason": "Non."})
