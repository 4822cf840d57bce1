"""The scheduler's ticks on the real unit of work (SQLite, the outbox, the event schemas), driven by
a fixed clock: a scheduled offer is published on its date, an offer expires at the end of its 30th
day (Québec time), an extension adds 7 days, featuring ends and says so, `expiring_soon` is sent
once, a late tick catches up, and a second run does nothing. Every event written is validated
against its JSON Schema by the unit of work (strictly, as producers do) and again here."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from offers_fakes import CALLERS, GROUP, ROLES, complete_config, complete_content
from sqlalchemy import insert, select

from offers.adapters.billing_client import InMemoryCreditBank
from offers.adapters.orm import memberships, offer_history, outbox
from offers.bootstrap import bootstrap, offer_ticks
from offers.service_layer import commands as c
from offers.service_layer import views
from plumbing.clock import QUEBEC, FixedClock
from plumbing.config import Settings
from plumbing.events.envelope import Envelope

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Montréal


@pytest.fixture
def service(tmp_path: Path):
    clock = FixedClock(T0)
    bank = InMemoryCreditBank()
    for credit_type in ("ing", "vedette", "extension"):
        bank.grant(GROUP, credit_type, 10)
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings, clock=clock, bank=bank)
    bundle.migrate()
    with bundle.runtime.engine.begin() as connection:
        for account, role in ROLES.items():
            connection.execute(
                insert(memberships).values(
                    account_id=account,
                    group_id=GROUP,
                    company_id=GROUP,
                    role=role,
                    group_name="Groupe 001",
                    company_name="Génivert inc.",
                    version=1,
                    updated_at=T0,
                )
            )
    yield bundle, clock
    bundle.runtime.engine.dispose()


def events(bundle, event_type: str | None = None) -> list[dict]:
    with bundle.runtime.engine.connect() as connection:
        rows = connection.execute(select(outbox.c.body).order_by(outbox.c.created_at)).scalars().all()
    found = []
    for body in rows:
        bundle.runtime.schemas.validate(Envelope.from_json(body.encode()))
        raw = json.loads(body)
        if event_type is None or raw["type"] == event_type:
            found.append(raw["data"] | {"_type": raw["type"]})
    return [e for e in found if e["_type"].startswith("offers.offer.")]


def published_offer(bundle, clock, **config) -> str:
    bus = bundle.extras["bus"]
    offer = bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["principal"], complete_content(), complete_config(**config)))
    bus.handle(c.SubmitOffer(offer.id, CALLERS["principal"]))
    return bus.handle(c.ApproveOffer(offer.id, CALLERS["staff"])).id


def status_of(bundle, offer_id: str) -> str:
    bus = bundle.extras["bus"]
    return bus.query(views.get_offer, CALLERS["staff"], offer_id, now=bus.deps.clock.now()).offer.status


def test_a_scheduled_offer_is_published_on_its_date(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock, posting=date(2026, 11, 10))
    offer = bus.query(views.get_offer, CALLERS["staff"], offer_id, now=clock.now()).offer
    assert offer.status == "scheduled"
    assert offer.published_at == datetime(2026, 11, 10, tzinfo=QUEBEC).astimezone(UTC)
    assert not offer.is_online(clock.now()) and bus.query(views.published_offers, now=clock.now()) == []
    clock.advance(days=7, hours=13)  # 9 November, 23:00 in Montréal
    assert offer_ticks(bus)["published"] == 0
    clock.advance(hours=1, seconds=1)  # 10 November, just past midnight in Montréal
    # Public before the tick runs: the query decides, not the tick (PRODUCT §10).
    assert [o.id for o in bus.query(views.published_offers, now=clock.now())] == [offer_id]
    assert offer_ticks(bus) == {"published": 1, "expired": 0, "notices": 0}
    assert status_of(bundle, offer_id) == "published"
    assert offer_ticks(bus) == {"published": 0, "expired": 0, "notices": 0}
    changes = [(e["from_status"], e["to_status"], e["action"]) for e in events(bundle, "offers.offer.status_changed")]
    assert changes[-2:] == [("in_validation", "scheduled", "approve"), ("scheduled", "published", "publish_due")]


def test_an_offer_expires_at_the_end_of_its_30th_day_once(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock)
    offer = bus.query(views.get_offer, CALLERS["staff"], offer_id, now=clock.now()).offer
    # Approved on 2 November (day 1): the 30th day is 1 December, over at midnight in Montréal.
    assert offer.publication_ends_at == datetime(2026, 12, 2, tzinfo=QUEBEC).astimezone(UTC)
    clock.advance(days=29, hours=13, minutes=59)  # 1 December, 23:59 in Montréal
    assert offer_ticks(bus)["expired"] == 0 and status_of(bundle, offer_id) == "published"
    clock.advance(minutes=2)
    assert bus.query(views.published_offers, now=clock.now()) == []  # gone before any tick
    assert offer_ticks(bus)["expired"] == 1
    assert status_of(bundle, offer_id) == "expired"
    assert offer_ticks(bus)["expired"] == 0
    expired = [e for e in events(bundle, "offers.offer.status_changed") if e["to_status"] == "expired"]
    assert len(expired) == 1 and expired[0]["actor_kind"] == "system" and expired[0]["online"] is False


def test_an_extension_adds_seven_days(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock)
    bus.handle(c.ExtendOffer(offer_id, CALLERS["affichage"]))
    clock.advance(days=31)
    assert offer_ticks(bus)["expired"] == 0 and status_of(bundle, offer_id) == "published"
    clock.advance(days=7)
    assert offer_ticks(bus)["expired"] == 1


def test_expiring_soon_is_sent_once_and_again_for_a_new_end_date(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock)
    clock.advance(days=19)
    assert offer_ticks(bus)["notices"] == 0  # 11 days left
    clock.advance(days=1, hours=1)
    assert offer_ticks(bus)["notices"] == 1
    assert offer_ticks(bus)["notices"] == 0
    clock.advance(days=2)
    assert offer_ticks(bus)["notices"] == 0
    (soon,) = events(bundle, "offers.offer.expiring_soon")
    assert soon["offer_id"] == offer_id and soon["publication_ends_at"] == "2026-12-02T05:00:00Z"
    bus.handle(c.ExtendOffer(offer_id, CALLERS["principal"]))  # a new end date: told again when it nears
    clock.advance(days=6)
    assert offer_ticks(bus)["notices"] == 1
    assert len(events(bundle, "offers.offer.expiring_soon")) == 2


def test_featuring_ends_and_says_so_once(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock, featured=True)
    clock.advance(days=6, hours=23)
    assert offer_ticks(bus)["notices"] == 0
    clock.advance(hours=2)
    assert offer_ticks(bus)["notices"] == 1
    assert offer_ticks(bus)["notices"] == 0
    (ended,) = events(bundle, "offers.offer.featuring_ended")
    assert ended["offer_id"] == offer_id and ended["featured_until"] == "2026-11-09T15:00:00Z"


def test_a_late_tick_catches_up_everything_once(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    scheduled = published_offer(bundle, clock, posting=date(2026, 11, 10), featured=True)
    live = published_offer(bundle, clock)
    modified = published_offer(bundle, clock)
    bus.handle(c.ModifyOffer(modified, CALLERS["principal"], complete_content(title_fr="Titre révisé")))
    clock.advance(days=60)  # the worker was down for two months
    done = offer_ticks(bus)
    assert done["published"] == 1 and done["expired"] == 3
    assert {status_of(bundle, i) for i in (scheduled, live, modified)} == {"expired"}
    assert done["notices"] == 1  # the scheduled offer's featuring ended; no "expiring soon" for ended offers
    assert offer_ticks(bus) == {"published": 0, "expired": 0, "notices": 0}
    with bundle.runtime.engine.connect() as connection:
        actions = (
            connection.execute(
                select(offer_history.c.action)
                .where(offer_history.c.offer_id == scheduled)
                .order_by(offer_history.c.seq)
            )
            .scalars()
            .all()
        )
    assert actions == ["create", "submit", "approve", "publish_due", "expire_due"]


def test_event_payloads_follow_their_schemas(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock, featured=True)
    clock.advance(days=25)
    offer_ticks(bus)
    found = events(bundle)
    assert {e["_type"] for e in found} == {
        "offers.offer.status_changed",
        "offers.offer.expiring_soon",
        "offers.offer.featuring_ended",
    }
    for event in found:
        data = {k: v for k, v in event.items() if k != "_type"}
        bundle.runtime.schemas.validate(Envelope.new(event["_type"], data, producer="offers", occurred_at=T0))
    submitted = next(e for e in found if e.get("to_status") == "in_validation")
    assert submitted["submitted_at"] == "2026-11-02T15:00:00Z" and submitted["online"] is False
    assert submitted["offer_id"] == offer_id and submitted["title_fr"] == "Ingénieur·e en structures"


def test_featuring_ends_with_an_offer_ended_early(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock, featured=True)
    clock.advance(days=2)
    bus.handle(c.EndPublication(offer_id, CALLERS["affichage"]))
    assert offer_ticks(bus) == {"published": 0, "expired": 0, "notices": 1}
    (ended,) = events(bundle, "offers.offer.featuring_ended")
    assert ended["featured_until"] == "2026-11-04T15:00:00Z"  # when the offer ended, not 9 November
    clock.advance(days=10)
    assert offer_ticks(bus)["notices"] == 0


def test_a_scheduled_offer_ended_before_its_publication_was_never_featured(service) -> None:
    bundle, clock = service
    bus = bundle.extras["bus"]
    offer_id = published_offer(bundle, clock, posting=date(2026, 11, 10), featured=True)
    bus.handle(c.EndPublication(offer_id, CALLERS["principal"]))
    assert status_of(bundle, offer_id) == "expired"
    clock.advance(days=20)
    assert offer_ticks(bus) == {"published": 0, "expired": 0, "notices": 0}
    assert events(bundle, "offers.offer.featuring_ended") == []
    assert offer_ticks(bus)["notices"] == 0
