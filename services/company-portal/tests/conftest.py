"""Fixtures of company-portal's tests: a fresh SQLite database per test (tables from the ORM
metadata; the migrations have their own tests), a fixed clock, the ASGI app and test tokens."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from portal_testkit import CONTRACTS, TestClient, compile_catalog, make_settings, use_test_keys  # noqa: E402

from company_portal.adapters import orm  # noqa: E402
from company_portal.bootstrap import PortalBundle, bootstrap  # noqa: E402
from company_portal.config import PortalConfig  # noqa: E402
from company_portal.service_layer.messagebus import MessageBus  # noqa: E402
from plumbing.clock import FixedClock  # noqa: E402
from plumbing.events.schemas import EventSchemas  # noqa: E402

compile_catalog()


@pytest.fixture(autouse=True)
def test_keys() -> Iterator[None]:
    """Every test verifies tokens with the test key; the process's previous verifier comes back after
    (suites share one process in `make test`)."""
    from plumbing.auth import tokens

    previous = tokens._verifier
    use_test_keys()
    yield
    tokens._verifier = previous


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))


@pytest.fixture
def bundle(tmp_path: Path, clock: FixedClock) -> Iterator[PortalBundle]:
    built = bootstrap(make_settings(tmp_path), clock=clock, config=PortalConfig())
    orm.metadata.create_all(built.runtime.engine)
    yield built
    built.runtime.engine.dispose()


@pytest.fixture
def bus(bundle: PortalBundle) -> MessageBus:
    return bundle.bus


@pytest.fixture
def client(bundle: PortalBundle) -> Iterator[TestClient]:
    with TestClient(bundle.asgi, base_url="http://portail.test", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def schemas() -> EventSchemas:
    return EventSchemas(CONTRACTS / "events")


