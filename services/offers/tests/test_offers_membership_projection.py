"""offers' membership projection: its migration builds the table plumbing maps (SQLite and
PostgreSQL), and its worker consumes membership events and asks for a snapshot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_offers_migrations import schema_differences

from offers.bootstrap import bootstrap
from plumbing.auth.memberships import MEMBERSHIP_EVENT_HANDLERS, SnapshotRequester
from plumbing.config import Settings
from plumbing.testing import create_test_database, drop_test_database


def built(database_url: str):
    bundle = bootstrap(dataclasses.replace(Settings.from_env("offers"), database_url=database_url))
    bundle.migrate()
    return bundle


def differences(bundle) -> list:
    with bundle.runtime.engine.connect() as connection:
        return schema_differences(connection)


def test_sqlite_migrations_build_the_projection(tmp_path: Path) -> None:
    bundle = built(f"sqlite:///{tmp_path / 'o.db'}")
    assert differences(bundle) == []
    bundle.runtime.engine.dispose()


@pytest.fixture()
def postgres_url():
    url = create_test_database("test_offers")
    yield url
    drop_test_database(url)


def test_postgresql_migrations_build_the_projection(postgres_url: str) -> None:
    bundle = built(postgres_url)
    assert differences(bundle) == []
    bundle.runtime.engine.dispose()


def test_the_worker_consumes_membership_events_and_asks_for_a_snapshot(tmp_path: Path) -> None:
    bundle = built(f"sqlite:///{tmp_path / 'o.db'}")
    [consumer] = bundle.consumers
    assert consumer.name == "offers"
    branding = {"portal.branding.changed", "portal.branding.snapshot"}
    assert set(consumer.binding_keys) == {*MEMBERSHIP_EVENT_HANDLERS, *branding}
    # the snapshot requester, then the offer ticks (publish, expire, notices: test_offers_scheduler.py)
    assert [type(tick) for _, tick in bundle.tickers][0] is SnapshotRequester
    assert [getattr(tick, "__name__", "") for _, tick in bundle.tickers][1:] == ["ticks"]
    bundle.runtime.engine.dispose()
