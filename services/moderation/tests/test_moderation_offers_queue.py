"""The offers' queue: projected from offers.offer.status_changed (in on `in_validation`, out when
it leaves), redeliveries and late events harmless, oldest first, ages in Québec business days."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from offers_testkit import status_changed
from sqlalchemy import func, select

from moderation.adapters.orm import inbox, offer_queue
from moderation.entrypoints.consumer import offer_status_command
from plumbing.events.envelope import Envelope, PoisonMessage

AT = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # Monday, 09:00 in Québec


def deliver(consumer, envelope: Envelope) -> None:
    consumer(envelope.to_json(), {})


def waiting(bundle) -> list[str]:
    return [row.item.offer_id for row in bundle.extras["views"].offer_queue()]


def rows_in_table(bundle) -> int:
    with bundle.runtime.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(offer_queue)).scalar_one()


def test_an_offer_sent_to_validation_enters_the_queue_with_its_details(bundle, consumer):
    offer_id = str(uuid.uuid4())
    deliver(
        consumer,
        status_changed(
            offer_id,
            "in_validation",
            AT,
            submitted_at=AT - timedelta(minutes=5),
            title="Ingénieure en structures",
            profile="cpi",
        ),
    )
    (row,) = bundle.extras["views"].offer_queue()
    item = row.item
    assert (item.offer_id, item.title_fr, item.profile, item.status) == (
        offer_id,
        "Ingénieure en structures",
        "cpi",
        "in_validation",
    )
    assert item.submitted_at == AT - timedelta(minutes=5) and item.group_id.startswith("5d1b2c3e")


@pytest.mark.parametrize(
    ("to_status", "action"),
    [
        ("published", "approve"),
        ("scheduled", "approve"),
        ("to_revise", "return_for_revision"),
        ("draft", "cancel"),
        ("expired", "expire_due"),
    ],
)
def test_leaving_validation_takes_the_offer_out(bundle, consumer, to_status, action):
    offer_id = str(uuid.uuid4())
    deliver(consumer, status_changed(offer_id, "in_validation", AT, submitted_at=AT))
    deliver(
        consumer,
        status_changed(offer_id, to_status, AT + timedelta(hours=1), from_status="in_validation", action=action),
    )
    assert waiting(bundle) == []
    assert bundle.extras["views"].offer(offer_id).item.status == to_status


def test_other_transitions_never_queue_an_offer(bundle, consumer):
    offer_id = str(uuid.uuid4())
    deliver(consumer, status_changed(offer_id, "expired", AT, from_status="published", action="end_publication"))
    assert waiting(bundle) == []


def test_a_redelivered_event_changes_nothing(bundle, consumer):
    offer_id = str(uuid.uuid4())
    sent = status_changed(offer_id, "in_validation", AT, submitted_at=AT)
    approved = status_changed(offer_id, "published", AT + timedelta(hours=2), from_status="in_validation")
    for envelope in (sent, approved, sent, approved):
        deliver(consumer, envelope)
    assert waiting(bundle) == [] and rows_in_table(bundle) == 1
    with bundle.runtime.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(inbox)).scalar_one() == 2
    # The same change re-emitted with a new message id (same instant): still applied once.
    again = Envelope.new(sent.type, sent.data, producer="offers", occurred_at=AT)
    deliver(consumer, again)
    assert waiting(bundle) == []


def test_events_out_of_order_keep_the_latest_state(bundle, consumer):
    offer_id = str(uuid.uuid4())
    sent = status_changed(offer_id, "in_validation", AT, submitted_at=AT)
    returned = status_changed(offer_id, "to_revise", AT + timedelta(hours=1), from_status="in_validation")
    # The return arrives first (a redelivery after a failure): the older submission does not requeue.
    deliver(consumer, returned)
    deliver(consumer, sent)
    assert waiting(bundle) == []
    assert bundle.extras["views"].offer(offer_id).item.status == "to_revise"
    # Sent again later (revised): back in the queue with its new sending time.
    resent_at = AT + timedelta(days=1)
    deliver(
        consumer, status_changed(offer_id, "in_validation", resent_at, from_status="to_revise", submitted_at=resent_at)
    )
    (row,) = bundle.extras["views"].offer_queue()
    assert row.item.submitted_at == resent_at


def test_two_steps_at_the_same_instant_follow_the_state_machine(bundle, consumer):
    """A clock that did not move between sending and approving: the approval still takes it out;
    the sending delivered again afterwards does not put it back."""
    offer_id = str(uuid.uuid4())
    sent = status_changed(offer_id, "in_validation", AT, submitted_at=AT)
    approved = status_changed(offer_id, "published", AT, from_status="in_validation", action="approve")
    deliver(consumer, sent)
    deliver(consumer, approved)
    assert waiting(bundle) == []
    deliver(consumer, Envelope.new(sent.type, sent.data, producer="offers", occurred_at=AT))
    assert waiting(bundle) == []


def test_an_online_offer_modified_waits_and_says_so(bundle, consumer):
    offer_id = str(uuid.uuid4())
    deliver(
        consumer,
        status_changed(
            offer_id, "in_validation", AT, from_status="published", action="modify", submitted_at=AT, online=True
        ),
    )
    (row,) = bundle.extras["views"].offer_queue()
    assert row.item.online is True


def test_an_event_without_offer_id_is_poison():
    envelope = status_changed(str(uuid.uuid4()), "in_validation", AT)
    envelope.data["offer_id"] = ""
    with pytest.raises(PoisonMessage):
        offer_status_command(envelope)


def test_submitted_at_falls_back_on_the_event_time():
    command = offer_status_command(status_changed(str(uuid.uuid4()), "in_validation", AT))
    assert command.change.submitted_at is None and command.change.occurred_at == AT


def test_queue_is_oldest_first_with_business_day_ages_and_overdue(bundle, consumer, clock):
    now = clock.now()  # Monday 2 November 2026
    old = str(uuid.uuid4())  # Wednesday 28 October: Thu, Fri, Mon = 3 business days → late
    two = str(uuid.uuid4())  # Thursday 29 October: Fri, Mon = 2 → on time
    new = str(uuid.uuid4())
    for offer_id, sent in ((new, now), (old, now - timedelta(days=5)), (two, now - timedelta(days=4))):
        deliver(consumer, status_changed(offer_id, "in_validation", sent, submitted_at=sent))
    rows = bundle.extras["views"].offer_queue()
    assert [r.item.offer_id for r in rows] == [old, two, new]
    assert [(r.age, r.overdue) for r in rows] == [(3, True), (2, False), (0, False)]


def test_overdue_skips_quebec_holidays(bundle, consumer, clock):
    """Sent Friday 9 October 2026; Monday 12 October is Thanksgiving (Action de grâce)."""
    sent = datetime(2026, 10, 9, 18, 0, tzinfo=UTC)
    offer_id = str(uuid.uuid4())
    deliver(consumer, status_changed(offer_id, "in_validation", sent, submitted_at=sent))
    clock._now = datetime(2026, 10, 14, 20, 0, tzinfo=UTC)  # Wednesday: Tue, Wed = 2 business days
    row = bundle.extras["views"].offer(offer_id)
    assert (row.age, row.overdue) == (2, False)
    clock.advance(days=1)  # Thursday: 3
    row = bundle.extras["views"].offer(offer_id)
    assert (row.age, row.overdue) == (3, True)


def test_the_quebec_date_counts_not_the_utc_one(bundle, consumer, clock):
    """Sent Friday 30 October at 22:30 in Québec (Saturday in UTC): still a Friday sending."""
    sent = datetime(2026, 10, 31, 2, 30, tzinfo=UTC)
    offer_id = str(uuid.uuid4())
    deliver(consumer, status_changed(offer_id, "in_validation", sent, submitted_at=sent))
    assert bundle.extras["views"].offer(offer_id).age == 1  # Monday 2 November


def test_the_dashboard_counts_offers(bundle, consumer, clock):
    now = clock.now()
    deliver(
        consumer,
        status_changed(
            str(uuid.uuid4()), "in_validation", now - timedelta(days=7), submitted_at=now - timedelta(days=7)
        ),
    )
    deliver(consumer, status_changed(str(uuid.uuid4()), "in_validation", now, submitted_at=now))
    counts = bundle.extras["views"].offer_counts()
    assert (counts.waiting, counts.overdue) == (2, 1)
