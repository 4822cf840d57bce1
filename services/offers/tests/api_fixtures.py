"""The fixtures of offers' API tests, imported by name into a test module (never as a plugin through
`pytest_plugins`: a plugin's autouse fixture runs in every test of the session, and this one replaced
the token verifier under the embedded suite's tests). They give: a
fresh SQLite database per test (tables from the ORM metadata; the migrations have their own
tests), a fixed clock, an in-memory credit bank, the ASGI app, test tokens and a fresh in-memory
API-key limiter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_testkit import T0, TestClient, make_settings, use_test_keys

from offers.adapters import orm
from offers.adapters.billing_client import InMemoryCreditBank
from offers.bootstrap import bootstrap
from plumbing.clock import FixedClock
from plumbing.ratelimit import KeyRateLimiter, configure_api_key_limiter
from plumbing.service import ServiceBundle


@pytest.fixture(autouse=True)
def test_keys() -> Iterator[None]:
    """Tokens verified with the test key; a fresh in-memory limiter per test; the process's
    previous verifier and limiter come back after (suites share one process in `make test`)."""
    from plumbing import ratelimit
    from plumbing.auth import tokens

    previous, previous_limiter = tokens._verifier, ratelimit._api_key_limiter
    use_test_keys()
    configure_api_key_limiter(KeyRateLimiter("1000/minute"))
    yield
    tokens._verifier = previous
    configure_api_key_limiter(previous_limiter)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def bank() -> InMemoryCreditBank:
    return InMemoryCreditBank()


@pytest.fixture
def bundle(tmp_path: Path, clock: FixedClock, bank: InMemoryCreditBank) -> Iterator[ServiceBundle]:
    built = bootstrap(make_settings(tmp_path), clock=clock, bank=bank)
    orm.metadata.create_all(built.runtime.engine)
    yield built
    built.runtime.engine.dispose()


@pytest.fixture
def client(bundle: ServiceBundle) -> Iterator[TestClient]:
    with TestClient(bundle.asgi, base_url="http://emplois.test", follow_redirects=False) as test_client:
        yield test_client
