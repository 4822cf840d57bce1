"""Fixtures of moderation's tests: a fresh SQLite database per test, a fixed clock, signed tokens,
the ASGI app through httpx, and the compiled English catalog."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:
    sys.path.insert(0, str(TESTS_DIR))

from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402
from moderation_testkit import FakePortal, TokenMaker, make_contracts_dir, make_settings  # noqa: E402
from offers_testkit import FakeOffers  # noqa: E402

import moderation  # noqa: E402
from moderation.bootstrap import bootstrap  # noqa: E402
from plumbing.auth import tokens as token_module  # noqa: E402
from plumbing.clock import FixedClock  # noqa: E402

TRANSLATIONS = Path(moderation.__file__).resolve().parent / "translations"

# Monday 2 November 2026, 09:00 in Québec.
MONDAY = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalog() -> None:
    """Compile the English catalog as `make translations` does (the .mo is not committed)."""
    po_path = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale="en")
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture(scope="session")
def contracts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_contracts_dir(tmp_path_factory.mktemp("contracts"))


@pytest.fixture(scope="session")
def tokens() -> TokenMaker:
    return TokenMaker()


@pytest.fixture(autouse=True)
def _verifier(tokens: TokenMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our verifier for this test; the process's previous one comes back after it (other suites
    in the same run configure their own)."""
    monkeypatch.setattr(token_module, "_verifier", token_module._verifier)  # restored after the test
    token_module.configure_verifier(tokens.verifier())


@pytest.fixture()
def clock() -> FixedClock:
    return FixedClock(MONDAY)


@pytest.fixture()
def portal() -> FakePortal:
    return FakePortal()


@pytest.fixture()
def offers() -> FakeOffers:
    return FakeOffers()


@pytest.fixture()
def bundle(tmp_path: Path, contracts_dir: Path, clock: FixedClock, portal: FakePortal, offers: FakeOffers):
    service = bootstrap(make_settings(tmp_path, contracts_dir), clock=clock, portal_client=portal,
                        offers_client=offers)
    service.migrate()
    yield service
    service.runtime.engine.dispose()


@pytest.fixture()
def bus(bundle):
    return bundle.extras["bus"]


@pytest.fixture()
def consumer(bundle):
    (only,) = bundle.consumers
    return only


@pytest.fixture()
async def client(bundle) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=bundle.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
