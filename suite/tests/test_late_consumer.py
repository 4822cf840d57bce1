"""A service deployed after memberships exist learns them (issue 6, done means 6, second half).

company-portal runs alone and its membership events go nowhere (no other queue exists yet). Then
offers starts for the first time, with an empty projection: its worker asks for a snapshot,
company-portal answers, and offers' permission checks (plumbing.auth.permissions.require) are
right, including for a member removed before offers existed. Later live changes still win.
Both services run their real workers (relay, consumer, ticks), over the in-process broker and over
RabbitMQ (a throw-away vhost).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from company_portal.bootstrap import bootstrap as bootstrap_portal
from company_portal.bootstrap import seed_demo
from company_portal.config import PortalConfig
from company_portal.service_layer import commands as c
from offers.bootstrap import bootstrap as bootstrap_offers
from plumbing.auth.memberships import SqlMembershipLookup
from plumbing.auth.permissions import NotAMember, Permission, PermissionDenied, Role, require
from plumbing.config import Settings
from plumbing.events.inprocess import InProcessBroker
from plumbing.events.rabbitmq import RabbitConsumerTransport, RabbitPublisher
from plumbing.service import ServiceBundle
from plumbing.testing import create_test_vhost, delete_test_vhost, queue_message_count, wait_until
from plumbing.worker import run_worker

EXCHANGE = "ingemplois.events"
PEOPLE = {role: (str(uuid.uuid4()), f"{role}@late-consumer.test", role.title(), "Test")
          for role in ("principal", "affichage", "finances")}


class Worker:
    """One service's worker (relay, consumers, ticks) on the in-process broker or RabbitMQ."""

    def __init__(self, bundle: ServiceBundle, broker: InProcessBroker | None, amqp_url: str | None) -> None:
        self.stop = threading.Event()
        subscriptions = bundle.subscriptions()
        if broker is not None:
            publisher: Any = broker
            transport: Any = broker
            for subscription in subscriptions:
                broker.declare(subscription)
        else:
            assert amqp_url is not None
            publisher = RabbitPublisher(amqp_url, EXCHANGE)
            transport = RabbitConsumerTransport(amqp_url, EXCHANGE)
        self.publisher = publisher
        self.thread = threading.Thread(
            target=run_worker, args=([bundle.runtime.relay(publisher)], subscriptions, transport, bundle.tickers,
                                     self.stop),
            daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(20)
        self.publisher.close()


@pytest.fixture(params=["in-process", "rabbitmq"])
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("INGEMPLOIS_VAR", str(tmp_path))
    monkeypatch.setenv("INGEMPLOIS_MODE", "embedded")
    broker = InProcessBroker() if request.param == "in-process" else None
    amqp_url = create_test_vhost(prefix="test-late-consumer") if broker is None else None
    portal = bootstrap_portal(Settings.from_env("company-portal"), config=PortalConfig())
    portal.migrate()
    made: dict[str, Any] = {"broker": broker, "amqp_url": amqp_url, "portal": portal, "workers": []}
    made["start"] = lambda bundle: made["workers"].append(Worker(bundle, broker, amqp_url))
    made["start"](portal)
    yield made
    for worker in made["workers"]:
        worker.close()
    for bundle in (portal, made.get("offers")):
        if bundle is not None:
            bundle.runtime.engine.dispose()
    if amqp_url is not None:
        assert queue_message_count(amqp_url, "offers.dlq") == 0
        delete_test_vhost(amqp_url)


def unpublished(bundle: ServiceBundle) -> int:
    outbox = bundle.runtime.outbox
    with bundle.runtime.session_factory() as session:
        return len(session.execute(select(outbox.c.seq).where(outbox.c.published_at.is_(None))).all())


def snapshots_handled(offers: ServiceBundle) -> int:
    inbox = offers.runtime.inbox
    with offers.runtime.session_factory() as session:
        return len(session.execute(select(inbox.c.message_id).where(
            inbox.c.event_type == "portal.membership.snapshot")).all())


def check(offers: ServiceBundle, person: str, group_id: str, permission: Permission) -> Role | str:
    """What offers' projection answers: the role, or the refusal's name."""
    table = offers.runtime.outbox.metadata.tables["membership_projection"]
    with offers.runtime.session_factory() as session:
        try:
            return require(SqlMembershipLookup(session, table), PEOPLE[person][0], group_id, permission)
        except NotAMember:
            return "not a member"
        except PermissionDenied:
            return "denied"


def test_a_service_started_after_memberships_exist_answers_permission_checks(world) -> None:
    portal = world["portal"]
    ids = seed_demo(portal, **PEOPLE)
    group_id = ids["group_id"]
    principal, finances = PEOPLE["principal"][0], PEOPLE["finances"][0]
    portal.bus.handle(c.RemoveMember(principal, group_id, finances))
    # every membership event is published, to nobody: offers has no queue yet
    wait_until(lambda: unpublished(portal) == 0, timeout=30, message="company-portal's outbox never drained")

    offers = world["offers"] = bootstrap_offers(Settings.from_env("offers"))
    offers.migrate()
    world["start"](offers)

    def learned() -> bool:
        return check(offers, "principal", group_id, Permission.ASSIGN_ROLES) == Role.PRINCIPAL

    wait_until(learned, timeout=60, interval=0.2, message="offers never learned the memberships from a snapshot")
    wait_until(lambda: snapshots_handled(offers) == 3, timeout=30)  # principal, affichage, finances (removed)
    assert check(offers, "affichage", group_id, Permission.CREATE_PUBLISH_OFFERS) == Role.AFFICHAGE
    assert check(offers, "affichage", group_id, Permission.ASSIGN_ROLES) == "denied"
    assert check(offers, "finances", group_id, Permission.BUY_PRODUCTS) == "not a member"  # removed before
    assert check(offers, "principal", str(uuid.uuid4()), Permission.BUY_PRODUCTS) == "not a member"

    # live events keep flowing, and a later snapshot (operator command) undoes none of them
    portal.bus.handle(c.ChangeRole(principal, group_id, PEOPLE["affichage"][0], "finances"))
    wait_until(lambda: check(offers, "affichage", group_id, Permission.BUY_PRODUCTS) == Role.FINANCES, timeout=30)
    portal.bus.handle(c.PublishSnapshot(projections=("memberships",)))
    wait_until(lambda: snapshots_handled(offers) == 6, timeout=30)
    assert check(offers, "affichage", group_id, Permission.CREATE_PUBLISH_OFFERS) == "denied"
    assert check(offers, "affichage", group_id, Permission.BUY_PRODUCTS) == Role.FINANCES
    assert check(offers, "finances", group_id, Permission.BUY_PRODUCTS) == "not a member"
    if world["broker"] is not None:
        assert world["broker"].dead_letters.get("offers") == []
