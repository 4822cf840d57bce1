"""A service deployed after memberships exist learns them (issue 6, done means 6, second half).

company-portal runs alone and its membership events go nowhere (no other queue exists yet). Then
offers starts for the first time, with an empty projection: its worker asks for a snapshot,
company-portal answers, and offers' permission checks (plumbing.auth.permissions.require) are
right, including for a member removed before offers existed. Later live changes still win.
Both services run their real workers (relay, consumer, ticks) over the in-process broker.
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
from plumbing.service import ServiceBundle
from plumbing.testing import wait_until
from plumbing.worker import run_worker

PEOPLE = {role: (str(uuid.uuid4()), f"{role}@late-consumer.test", role.title(), "Test")
          for role in ("principal", "affichage", "finances")}


class Worker:
    """One service's worker (relay, consumers, ticks) on the shared in-process broker."""

    def __init__(self, bundle: ServiceBundle, broker: InProcessBroker) -> None:
        self.stop = threading.Event()
        subscriptions = bundle.subscriptions()
        for subscription in subscriptions:
            broker.declare(subscription)
        self.thread = threading.Thread(
            target=run_worker, args=([bundle.runtime.relay(broker)], subscriptions, broker, bundle.tickers, self.stop),
            daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(20)


@pytest.fixture()
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.setenv("INGEMPLOIS_VAR", str(tmp_path))
    monkeypatch.setenv("INGEMPLOIS_MODE", "embedded")
    broker = InProcessBroker()
    portal = bootstrap_portal(Settings.from_env("company-portal"), config=PortalConfig())
    portal.migrate()
    workers = [Worker(portal, broker)]
    made: dict[str, Any] = {"broker": broker, "portal": portal, "workers": workers}
    yield made
    for worker in workers:
        worker.close()
    for bundle in (portal, made.get("offers")):
        if bundle is not None:
            bundle.runtime.engine.dispose()


def unpublished(bundle: ServiceBundle) -> int:
    outbox = bundle.runtime.outbox
    with bundle.runtime.session_factory() as session:
        return len(session.execute(select(outbox.c.seq).where(outbox.c.published_at.is_(None))).all())


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
    portal, broker = world["portal"], world["broker"]
    ids = seed_demo(portal, **PEOPLE)
    group_id = ids["group_id"]
    principal, finances = PEOPLE["principal"][0], PEOPLE["finances"][0]
    portal.bus.handle(c.RemoveMember(principal, group_id, finances))
    # every membership event is published, to nobody: offers has no queue yet
    wait_until(lambda: unpublished(portal) == 0, timeout=30, message="company-portal's outbox never drained")

    offers = world["offers"] = bootstrap_offers(Settings.from_env("offers"))
    offers.migrate()
    world["workers"].append(Worker(offers, broker))

    def learned() -> bool:
        return check(offers, "principal", group_id, Permission.ASSIGN_ROLES) == Role.PRINCIPAL

    wait_until(learned, timeout=60, interval=0.2, message="offers never learned the memberships from a snapshot")
    broker.wait_idle(30)
    assert check(offers, "affichage", group_id, Permission.CREATE_PUBLISH_OFFERS) == Role.AFFICHAGE
    assert check(offers, "affichage", group_id, Permission.ASSIGN_ROLES) == "denied"
    assert check(offers, "finances", group_id, Permission.BUY_PRODUCTS) == "not a member"  # removed before
    assert check(offers, "principal", str(uuid.uuid4()), Permission.BUY_PRODUCTS) == "not a member"

    # live events keep flowing, and a later snapshot (operator command) undoes none of them
    portal.bus.handle(c.ChangeRole(principal, group_id, PEOPLE["affichage"][0], "finances"))
    wait_until(lambda: check(offers, "affichage", group_id, Permission.BUY_PRODUCTS) == Role.FINANCES, timeout=30)
    portal.bus.handle(c.PublishSnapshot(projections=("memberships",)))
    wait_until(lambda: unpublished(portal) == 0, timeout=30)
    assert broker.wait_idle(30)
    assert check(offers, "affichage", group_id, Permission.CREATE_PUBLISH_OFFERS) == "denied"
    assert check(offers, "finances", group_id, Permission.BUY_PRODUCTS) == "not a member"
    assert broker.dead_letters.get("offers") == [] and broker.dead_letters.get("company-portal") == []
