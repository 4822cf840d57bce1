"""Fixtures of catalog-billing's tests: a fresh SQLite database per test (tables from the ORM
metadata; the migrations have their own tests), a fixed clock, the ASGI app and test tokens.
Helpers live in billing_testkit (API, tokens, projection rows) and billing_fakes (unit tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from billing_testkit import T0, TestClient, make_settings, use_test_keys  # noqa: E402

from catalog_billing.adapters import orm  # noqa: E402
from catalog_billing.bootstrap import bootstrap  # noqa: E402
from plumbing.clock import FixedClock  # noqa: E402
from plumbing.messagebus import MessageBus  # noqa: E402
from plumbing.service import ServiceBundle  # noqa: E402


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
    return FixedClock(T0)


@pytest.fixture
def bundle(tmp_path: Path, clock: FixedClock) -> Iterator[ServiceBundle]:
    built = bootstrap(make_settings(tmp_path), clock=clock)
    orm.metadata.create_all(built.runtime.engine)
    yield built
    built.runtime.engine.dispose()


@pytest.fixture
def bus(bundle: ServiceBundle) -> MessageBus:
    return bundle.extras["bus"]


@pytest.fixture
def client(bundle: ServiceBundle) -> Iterator[TestClient]:
    with TestClient(bundle.asgi, base_url="http://facturation.test", follow_redirects=False) as test_client:
        yield test_client
