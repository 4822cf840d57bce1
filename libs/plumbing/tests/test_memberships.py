"""The membership projection every service keeps for its permission checks."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select

from plumbing.auth.memberships import (
    MEMBERSHIP_EVENT_HANDLERS,
    SnapshotRequester,
    SqlMembershipLookup,
    membership_table,
)
from plumbing.auth.permissions import NotAMember, Permission, PermissionDenied, require
from plumbing.clock import FixedClock
from plumbing.config import REPO_ROOT
from plumbing.db import make_engine, make_session_factory
from plumbing.events.consumer import EventConsumer
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.uow import Messaging, SqlAlchemyUnitOfWork

ACCOUNT, GROUP, COMPANY = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture()
def world(tmp_path: Path):
    metadata = MetaData()
    outbox, inbox, table = outbox_table(metadata), inbox_table(metadata), membership_table(metadata)
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    metadata.create_all(engine)
    clock = FixedClock()
    schemas = EventSchemas(REPO_ROOT / "contracts" / "events")
    messaging = Messaging(producer="test", outbox=outbox, inbox=inbox, schemas=schemas, clock=clock)
    session_factory = make_session_factory(engine)
    consumer = EventConsumer("test", lambda: SqlAlchemyUnitOfWork(session_factory, messaging),
                             MEMBERSHIP_EVENT_HANDLERS, schemas)
    return consumer, session_factory, table, clock


def _event(event_type: str, version: int, role: str | None = None, **extra) -> bytes:
    data = {"account_id": ACCOUNT, "group_id": GROUP, "company_id": COMPANY, "version": version, **extra}
    if role:
        data["role"] = role
    return Envelope.new(event_type, data, producer="company-portal", occurred_at=FixedClock().now()).to_json()


def _role(session_factory, table):
    with session_factory() as session:
        return SqlMembershipLookup(session, table).role_of(ACCOUNT, GROUP)


def test_grant_change_revoke_take_effect_in_order(world):
    consumer, session_factory, table, _ = world
    consumer(_event("portal.membership.granted", 1, "finances", group_name="Groupe 001", company_name="Génivert"), {})
    assert _role(session_factory, table) == "finances"
    with session_factory() as session:
        lookup = SqlMembershipLookup(session, table)
        require(lookup, ACCOUNT, GROUP, Permission.BUY_PRODUCTS)
        with pytest.raises(PermissionDenied):
            require(lookup, ACCOUNT, GROUP, Permission.CREATE_PUBLISH_OFFERS)
        assert lookup.groups_of(ACCOUNT) == [
            {"id": GROUP, "name": "Groupe 001", "company_name": "Génivert", "role": "finances"}]
    consumer(_event("portal.membership.role_changed", 2, "principal"), {})
    assert _role(session_factory, table) == "principal"
    consumer(_event("portal.membership.revoked", 3), {})
    with session_factory() as session:
        with pytest.raises(NotAMember):
            require(SqlMembershipLookup(session, table), ACCOUNT, GROUP, Permission.BUY_PRODUCTS)


def test_a_late_older_event_never_overwrites_a_newer_state(world):
    consumer, session_factory, table, _ = world
    consumer(_event("portal.membership.revoked", 5), {})
    consumer(_event("portal.membership.granted", 4, "principal"), {})
    assert _role(session_factory, table) is None


def _snapshot(version: int, role: str | None, **extra) -> bytes:
    data = {"snapshot_id": str(uuid.uuid4()), "account_id": ACCOUNT, "group_id": GROUP, "company_id": COMPANY,
            "version": version, "role": role, **extra}
    return Envelope.new("portal.membership.snapshot", data, producer="company-portal",
                        occurred_at=FixedClock().now()).to_json()


def test_a_snapshot_fills_an_empty_projection(world):
    consumer, session_factory, table, _ = world
    consumer(_snapshot(3, "affichage", group_name="Groupe 001", company_name="Génivert"), {})
    with session_factory() as session:
        lookup = SqlMembershipLookup(session, table)
        assert require(lookup, ACCOUNT, GROUP, Permission.CREATE_PUBLISH_OFFERS) == "affichage"
        with pytest.raises(PermissionDenied):
            require(lookup, ACCOUNT, GROUP, Permission.ASSIGN_ROLES)
        assert lookup.groups_of(ACCOUNT)[0]["company_name"] == "Génivert"


def test_a_snapshot_never_resurrects_a_membership_revoked_after_it_was_taken(world):
    """The snapshot was read at version 3 (active); the removal (version 4) reached us first."""
    consumer, session_factory, table, _ = world
    consumer(_event("portal.membership.granted", 1, "principal"), {})
    consumer(_event("portal.membership.revoked", 4), {})
    consumer(_snapshot(3, "principal"), {})
    assert _role(session_factory, table) is None
    # and a later live event still wins over the snapshot
    consumer(_snapshot(5, None), {})
    consumer(_event("portal.membership.granted", 6, "finances"), {})
    assert _role(session_factory, table) == "finances"


def test_a_snapshot_of_a_revoked_membership_removes_a_stale_role(world):
    """A consumer that missed the removal (e.g. a dead letter discarded) catches up from a snapshot."""
    consumer, session_factory, table, _ = world
    consumer(_event("portal.membership.granted", 1, "principal"), {})
    consumer(_snapshot(2, None), {})
    assert _role(session_factory, table) is None


def test_a_snapshot_of_the_same_version_refreshes_the_names_only(world):
    consumer, session_factory, table, _ = world
    consumer(_event("portal.membership.granted", 2, "finances", group_name="Groupe 001", company_name="Vieux nom"), {})
    consumer(_snapshot(2, "finances", group_name="Groupe 001", company_name="Génivert"), {})
    with session_factory() as session:
        assert SqlMembershipLookup(session, table).groups_of(ACCOUNT) == [
            {"id": GROUP, "name": "Groupe 001", "company_name": "Génivert", "role": "finances"}]
    consumer(_snapshot(1, "principal"), {})  # older: ignored
    assert _role(session_factory, table) == "finances"


def _offers_messaging(table, clock) -> Messaging:
    """The messaging of a service ("offers") whose tables are the world's."""
    metadata = table.metadata
    return Messaging(producer="offers", outbox=metadata.tables["outbox"], inbox=metadata.tables["inbox"],
                     schemas=EventSchemas(REPO_ROOT / "contracts" / "events"), clock=clock)


def test_the_requester_asks_once_per_start_until_a_snapshot_was_handled(world, tmp_path):
    consumer, session_factory, table, clock = world
    metadata = table.metadata
    messaging = _offers_messaging(table, clock)

    def start() -> SnapshotRequester:
        return SnapshotRequester("offers", lambda: SqlAlchemyUnitOfWork(session_factory, messaging))

    requester = start()
    assert requester() is True
    assert requester() is False  # once per process
    with session_factory() as session:
        [body] = session.execute(select(metadata.tables["outbox"].c.body)).scalars().all()
    assert Envelope.from_json(body.encode()).type == "offers.projection.snapshot_requested"
    assert Envelope.from_json(body.encode()).data == {"projections": ["memberships"]}

    # a live event heard in the first seconds does not stop it from learning the rest
    consumer(_event("portal.membership.granted", 1, "principal"), {})
    assert start()() is True
    # once a snapshot was handled, a restart asks for nothing
    consumer(_snapshot(1, "principal"), {})
    assert start()() is False


def test_the_requester_asks_only_for_the_projections_not_handled_yet(world):
    consumer, session_factory, table, clock = world
    metadata = table.metadata
    messaging = _offers_messaging(table, clock)

    def asked() -> list:
        requester = SnapshotRequester("offers", lambda: SqlAlchemyUnitOfWork(session_factory, messaging),
                                      ("memberships", "branding"))
        requester()
        with session_factory() as session:
            bodies = session.execute(select(metadata.tables["outbox"].c.body)).scalars().all()
        return Envelope.from_json(bodies[-1].encode()).data["projections"] if bodies else []

    assert asked() == ["memberships", "branding"]
    consumer(_snapshot(1, "principal"), {})  # memberships learned: only the branding is asked for
    assert asked() == ["branding"]
