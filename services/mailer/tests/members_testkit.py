"""[members] Arrange steps of the job seekers' tests: offers' code lists as a fixed fake, signed
tokens as the gateway attaches them, companies the mailer heard of (branding events through its
consumer), and the /membre/ pages through httpx. Fixtures are imported by name into the tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import mailer as mailer_package
from mailer.bootstrap import bootstrap
from mailer.service_layer.ports import ReferenceItem, ReferenceUnavailable
from plumbing.auth import tokens as token_module
from plumbing.clock import FixedClock
from plumbing.events.envelope import Envelope
from plumbing.service import ServiceBundle
from plumbing.testing import TokenMaker, compile_catalogs

TRANSLATIONS = Path(mailer_package.__file__).resolve().parent / "translations"
MEMBER = str(uuid.UUID(int=1))
OTHER_MEMBER = str(uuid.UUID(int=2))
GENIVERT, STRUCTURA, UNKNOWN = str(uuid.UUID(int=101)), str(uuid.UUID(int=102)), str(uuid.UUID(int=199))
CSRF = TokenMaker.CSRF


def _items(*rows: tuple[str, str, str]) -> tuple[ReferenceItem, ...]:
    return tuple(ReferenceItem(*row) for row in rows)


#: A few of offers' codes (services/offers/src/offers/domain/reference/), as GET /reference gives them.
LISTS = {
    "engineering_domains": _items(("civil", "Génie civil", "Civil engineering"),
                                  ("electrique", "Génie électrique", "Electrical engineering"),
                                  ("mecanique", "Génie mécanique", "Mechanical engineering")),
    "regions": _items(("03", "Capitale-Nationale", "Capitale-Nationale"), ("06", "Montréal", "Montréal")),
    "years_on_roll": _items(("0-2", "0 à 2 ans", "0 to 2 years"), ("16-plus", "16 ans et plus", "16 years or more")),
    "work_formulas": _items(("hybride", "Hybride", "Hybrid")),
}


class StaticReference:
    """OffersReference with fixed lists; `down = True` makes it unavailable. Counts its calls."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    def lists(self) -> dict[str, tuple[ReferenceItem, ...]]:
        self.calls += 1
        if self.down:
            raise ReferenceUnavailable("offers is down (test)")
        return LISTS


@pytest.fixture(scope="session")
def tokens() -> TokenMaker:
    compile_catalogs(TRANSLATIONS)
    return TokenMaker()


@pytest.fixture
def reference() -> StaticReference:
    return StaticReference()


@pytest.fixture
def members_bundle(tmp_path: Path, clock: FixedClock, mailer: Any, reference: StaticReference, settings_for: Any,
                   tokens: TokenMaker, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServiceBundle]:
    """The mailer with the fake lists, on SQLite; the pages verify this test's tokens (the process's
    previous verifier comes back after the test)."""
    monkeypatch.setattr(token_module, "_verifier", token_module._verifier)
    token_module.configure_verifier(tokens.verifier())
    built = bootstrap(settings_for(tmp_path), clock=clock, mailer=mailer, reference=reference)
    built.migrate()
    yield built
    built.runtime.engine.dispose()


def branding(company_id: str, name: str, occurred_at: datetime, *, snapshot: bool = False) -> Envelope:
    """portal.branding.changed (or .snapshot) with data valid against contracts/events."""
    data: dict[str, Any] = {"group_id": str(uuid.uuid4()), "company_id": company_id, "group_name": "Groupe 001",
                            "company_name": name, "address": "1200, rue Saint-Denis, Montréal",
                            "description_html": "<p>Génie-conseil.</p>", "version": 1}
    if snapshot:
        data["snapshot_id"] = str(uuid.uuid4())
    event_type = "portal.branding.snapshot" if snapshot else "portal.branding.changed"
    return Envelope.new(event_type, data, producer="company-portal", occurred_at=occurred_at)


def consume(bundle: ServiceBundle, envelope: Envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


@dataclass
class Site:
    bundle: ServiceBundle
    client: httpx.AsyncClient
    tokens: TokenMaker
    clock: FixedClock

    def headers(self, who: str | None, lang: str | None) -> dict[str, str]:
        """who: "member" (MEMBER), "other" (OTHER_MEMBER), "employer", "staff", or None (anonymous)."""
        found: dict[str, str] = {"X-CSRF-Token": CSRF}
        if who is not None:
            account = {"member": MEMBER, "other": OTHER_MEMBER}.get(who)
            kind = "member" if account else who
            found = self.tokens.headers(kind, account_id=account, email=f"{who}@courriel-test.ca")
        if lang:
            found["Cookie"] = f"lang={lang}"
        return found

    async def get(self, path: str, who: str | None = "member", lang: str | None = None) -> httpx.Response:
        return await self.client.get(path, headers=self.headers(who, lang))

    async def post(self, path: str, data: dict[str, Any], who: str | None = "member",
                   lang: str | None = None) -> httpx.Response:
        return await self.client.post(path, data={"csrf_token": CSRF, **data}, headers=self.headers(who, lang))

    def company(self, company_id: str, name: str) -> None:
        consume(self.bundle, branding(company_id, name, self.clock.now()))


@pytest.fixture
async def site(members_bundle: ServiceBundle, tokens: TokenMaker, clock: FixedClock) -> AsyncIterator[Site]:
    transport = httpx.ASGITransport(app=members_bundle.asgi)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        built = Site(members_bundle, client, tokens, clock)
        built.company(GENIVERT, "Génivert inc.")
        built.company(STRUCTURA, "Structura")
        yield built
