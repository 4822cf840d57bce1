"""The smallest complete example (docs/adding-a-service.md): one command, its handler, a fake unit
of work, through the message bus; then the same handler fed by the real consumer and database."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from offers_fakes import FakeSearch
from sqlalchemy import select

from offers.adapters.orm import company_brandings, memberships
from offers.bootstrap import bootstrap
from offers.domain.model import CompanyBranding
from offers.service_layer.commands import RecordCompanyBranding
from offers.service_layer.handlers import COMMAND_HANDLERS
from offers.service_layer.ports import Dependencies
from plumbing import fakes
from plumbing.clock import FixedClock
from plumbing.config import Settings
from plumbing.events.envelope import Envelope
from plumbing.messagebus import MessageBus

T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
GROUP, COMPANY = str(uuid.uuid4()), str(uuid.uuid4())


class FakeBrandings:
    def __init__(self) -> None:
        self.rows: dict[str, CompanyBranding] = {}

    def get(self, group_id: str) -> CompanyBranding | None:
        return self.rows.get(group_id)

    def add(self, branding: CompanyBranding) -> None:
        self.rows[branding.group_id] = branding


class FakeUnitOfWork(fakes.FakeUnitOfWork):
    def __init__(self, dispatch) -> None:
        super().__init__(dispatch)
        self.brandings = FakeBrandings()
        self.search = FakeSearch()


def branding(name: str, at: datetime) -> RecordCompanyBranding:
    return RecordCompanyBranding(GROUP, COMPANY, "Groupe 001", name, "/entreprises/logos/g/abc.png", at)


def test_the_newest_branding_of_a_group_wins():
    uow = FakeUnitOfWork(None)
    bus = MessageBus(lambda dispatch: uow, Dependencies(clock=FixedClock(T0)), commands=COMMAND_HANDLERS)
    assert bus.handle(branding("Génivert inc.", T0)) is True
    assert bus.handle(branding("Génivert Solutions inc.", T0 + timedelta(minutes=5))) is True
    assert bus.handle(branding("Ancien nom", T0 + timedelta(minutes=1))) is False  # late, older: ignored
    assert uow.brandings.get(GROUP).company_name == "Génivert Solutions inc."
    assert uow.committed == 3  # the bus commits, the handler never does


def test_the_consumer_fills_the_projection_from_portal_events_once(tmp_path: Path):
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings, clock=FixedClock(T0))
    bundle.migrate()
    (consumer,) = bundle.consumers
    assert "portal.branding.changed" in consumer.binding_keys
    envelope = Envelope.new("portal.branding.changed", {
        "group_id": GROUP, "company_id": COMPANY, "group_name": "Groupe 001", "company_name": "Génivert inc.",
        "address": "1200, rue Saint-Denis, Montréal", "description_html": "<p>Génie</p>",
        "logo_url": "https://emplois.example/entreprises/logos/g/abc.png", "website": "https://genivert.ca",
    }, producer="company-portal", occurred_at=T0)
    bundle.runtime.schemas.validate(envelope)  # a real company-portal event, as its contract says
    consumer(envelope.to_json(), {})
    consumer(envelope.to_json(), {})  # a redelivery changes nothing
    with bundle.runtime.engine.connect() as connection:
        rows = connection.execute(select(company_brandings)).mappings().all()
    assert [(r["group_id"], r["company_name"], r["logo_url"]) for r in rows] == [
        (GROUP, "Génivert inc.", "https://emplois.example/entreprises/logos/g/abc.png")]
    bundle.runtime.engine.dispose()


def versioned(name: str, version: int | None, at: datetime = T0, snapshot: bool = False) -> RecordCompanyBranding:
    return RecordCompanyBranding(GROUP, COMPANY, "Groupe 001", name, None, at, "<p>À propos</p>", "https://genivert.ca",
                                 version, snapshot=snapshot)


def test_the_branding_version_orders_changes_and_snapshots():
    uow = FakeUnitOfWork(None)
    bus = MessageBus(lambda dispatch: uow, Dependencies(clock=FixedClock(T0)), commands=COMMAND_HANDLERS)
    assert bus.handle(versioned("Sans version", None, T0 + timedelta(hours=1))) is True
    # a versioned change came after every unversioned one, whatever the clocks say
    assert bus.handle(versioned("Version 2", 2, T0)) is True
    assert bus.handle(versioned("Sans version, plus tard", None, T0 + timedelta(hours=2))) is False
    assert bus.handle(versioned("Version 1, en retard", 1, T0 + timedelta(hours=3))) is False
    assert bus.handle(versioned("Version 2 encore", 2)) is False  # a redelivered change: nothing new
    assert bus.handle(versioned("Instantané 2", 2, snapshot=True)) is True  # same version: same state, refreshed
    assert bus.handle(versioned("Instantané 1", 1, snapshot=True)) is False  # a snapshot never goes back
    kept = uow.brandings.get(GROUP)
    assert (kept.company_name, kept.version, kept.website) == ("Instantané 2", 2, "https://genivert.ca")


def test_a_snapshot_event_fills_the_description_and_website_sanitized(tmp_path: Path):
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings, clock=FixedClock(T0))
    bundle.migrate()
    (consumer,) = bundle.consumers
    data = {
        "group_id": GROUP, "company_id": COMPANY, "group_name": "Groupe 001", "company_name": "Génivert inc.",
        "address": "1200, rue Saint-Denis, Montréal", "website": "https://genivert.ca",
        "description_html": '<p onclick="x()">Génie <a href="javascript:alert(1)">ici</a></p><script>x()</script>',
    }
    for event_type, extra, at in (
        ("portal.branding.snapshot", {"snapshot_id": str(uuid.uuid4()), "version": 4}, T0),
        ("portal.branding.changed", {"version": 3, "company_name": "Ancien nom"}, T0 + timedelta(minutes=1)),
    ):
        envelope = Envelope.new(event_type, {**data, **extra}, producer="company-portal", occurred_at=at)
        bundle.runtime.schemas.validate(envelope)
        consumer(envelope.to_json(), {})
    with bundle.runtime.engine.connect() as connection:
        [row] = connection.execute(select(company_brandings)).mappings().all()
    assert (row["company_name"], row["version"], row["website"]) == ("Génivert inc.", 4, "https://genivert.ca")
    assert "Génie" in row["description_html"]
    assert "script" not in row["description_html"] and "onclick" not in row["description_html"]
    assert "javascript:" not in row["description_html"]
    bundle.runtime.engine.dispose()


def test_a_membership_names_the_company_until_a_branding_event_arrives(tmp_path: Path):
    """A group whose « Mon entreprise » was never saved: its offers still show the company's name
    (taken from the membership event), and the first branding event replaces it."""
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings, clock=FixedClock(T0))
    bundle.migrate()
    (consumer,) = bundle.consumers

    def names() -> list[tuple[str, str]]:
        with bundle.runtime.engine.connect() as connection:
            rows = connection.execute(select(company_brandings)).mappings()
            return [(r["company_name"], r["group_name"]) for r in rows]

    def granted(account: str, company_name: str, version: int) -> Envelope:
        return Envelope.new("portal.membership.granted", {
            "account_id": account, "group_id": GROUP, "company_id": COMPANY, "role": "principal",
            "version": version, "group_name": "Groupe 001", "company_name": company_name,
        }, producer="company-portal", occurred_at=T0)

    first = granted(str(uuid.uuid4()), "Génivert inc.", 1)
    bundle.runtime.schemas.validate(first)
    consumer(first.to_json(), {})
    assert names() == [("Génivert inc.", "Groupe 001")]
    # The membership projection still got the event (both handlers run).
    with bundle.runtime.engine.connect() as connection:
        assert [r["role"] for r in connection.execute(select(memberships)).mappings()] == ["principal"]

    consumer(Envelope.new("portal.branding.changed", {
        "group_id": GROUP, "company_id": COMPANY, "group_name": "Groupe 001", "company_name": "Génivert Solutions",
        "address": "1200, rue Saint-Denis, Montréal", "description_html": "", "version": 1,
    }, producer="company-portal", occurred_at=T0).to_json(), {})
    assert names() == [("Génivert Solutions", "Groupe 001")]
    consumer(granted(str(uuid.uuid4()), "Ancien nom", 1).to_json(), {})  # a later member: the branding stays
    assert names() == [("Génivert Solutions", "Groupe 001")]
    bundle.runtime.engine.dispose()
