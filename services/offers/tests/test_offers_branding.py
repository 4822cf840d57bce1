"""The smallest complete example (docs/adding-a-service.md): one command, its handler, a fake unit
of work, through the message bus; then the same handler fed by the real consumer and database."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from offers_fakes import FakeSearch
from sqlalchemy import select

from offers.adapters.orm import company_brandings
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
