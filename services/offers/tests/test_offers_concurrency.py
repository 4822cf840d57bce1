"""Done means 4 on real PostgreSQL: two submissions racing for the group's last credit. offers runs
on its own database; the bank is catalog-billing's real ledger (its service layer on a second
database, with its `credit_banks` row lock), reached through a small adapter in place of the HTTP
client (the HTTP path itself: test_offers_credits.py and the e2e tests). Each submission runs in
its own thread, transaction and connection, released together by a barrier.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from offers_fakes import CALLERS, GROUP, ROLES, complete_config, complete_content
from sqlalchemy import func, insert, select

from catalog_billing.adapters.orm import credit_entries
from catalog_billing.adapters.orm import memberships as billing_memberships
from catalog_billing.bootstrap import bootstrap as bootstrap_billing
from catalog_billing.domain import errors as billing_errors
from catalog_billing.service_layer import commands as billing
from catalog_billing.service_layer import credits
from catalog_billing.service_layer.access import Actor
from offers.adapters.orm import memberships, offer_history, offers
from offers.bootstrap import bootstrap
from offers.domain.offer import OfferActionRefused
from offers.service_layer import commands as c
from offers.service_layer.ports import NoCredit
from plumbing.config import Settings
from plumbing.testing import create_test_database, drop_test_database

TOKENS = {caller.token: caller.account_id for caller in CALLERS.values()}
COMPANY = str(uuid.uuid4())


class LedgerBank:
    """offers' CreditBank port over catalog-billing's own command handlers (what its HTTP API runs)."""

    def __init__(self, bus: Any) -> None:
        self.bus = bus

    def _actor(self, token: str) -> Actor:
        return Actor(TOKENS[token], is_staff=token == CALLERS["staff"].token)

    def reserve(self, offer_id: str, credit_type: str, group_id: str, *, token: str) -> bool:
        try:
            return self.bus.handle(billing.ReserveCredit(offer_id, credit_type, group_id, self._actor(token))).changed
        except billing_errors.NotEnoughCredits:
            raise NoCredit(credit_type) from None

    def consume(self, offer_id: str, credit_type: str, *, token: str) -> None:
        self.bus.handle(billing.ConsumeCredit(offer_id, credit_type, self._actor(token)))

    def release(self, offer_id: str, credit_type: str, *, token: str) -> None:
        self.bus.handle(billing.ReleaseCredit(offer_id, credit_type, self._actor(token)))

    def balances(self, group_id: str, *, token: str) -> dict[str, int]:
        with self.bus.new_uow() as uow:
            return credits.balances(uow, group_id)


def add_members(engine: Any, table: Any) -> None:
    with engine.begin() as connection:
        for account, role in ROLES.items():
            connection.execute(
                insert(table).values(
                    account_id=account,
                    group_id=GROUP,
                    company_id=COMPANY,
                    role=role,
                    group_name="Groupe 001",
                    company_name="Génivert inc.",
                    version=1,
                    updated_at=func.now(),
                )
            )


@pytest.fixture
def services() -> Iterator[tuple[Any, Any]]:
    offers_url, billing_url = create_test_database("test_offers_race"), create_test_database("test_offers_bank")
    billing_bundle = bootstrap_billing(
        dataclasses.replace(Settings.from_env("catalog-billing"), database_url=billing_url, db_pool_size=10)
    )
    billing_bundle.migrate()
    offers_bundle = bootstrap(
        dataclasses.replace(Settings.from_env("offers"), database_url=offers_url, db_pool_size=10),
        bank=LedgerBank(billing_bundle.extras["bus"]),
    )
    offers_bundle.migrate()
    add_members(offers_bundle.runtime.engine, memberships)
    add_members(billing_bundle.runtime.engine, billing_memberships)
    bus = billing_bundle.extras["bus"]
    with bus.new_uow() as uow:
        credits.grant_purchase(
            uow,
            group_id=GROUP,
            company_id=COMPANY,
            credit_type="ing",
            quantity=1,
            invoice_id=str(uuid.uuid4()),
            actor_account_id=None,
            now=bus.deps.clock.now(),
        )
        uow.commit()
    try:
        yield offers_bundle, billing_bundle
    finally:
        offers_bundle.runtime.engine.dispose()
        billing_bundle.runtime.engine.dispose()
        drop_test_database(offers_url)
        drop_test_database(billing_url)


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the test looks at each outcome
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def new_draft(bus: Any) -> str:
    return bus.handle(c.CreateDraft(GROUP, "ing", CALLERS["principal"], complete_content(), complete_config())).id


def test_two_submissions_with_one_credit_one_wins_the_other_is_told_why(services) -> None:
    offers_bundle, billing_bundle = services
    bus = offers_bundle.extras["bus"]
    first, second = new_draft(bus), new_draft(bus)
    results = at_once(
        [
            lambda: bus.handle(c.SubmitOffer(first, CALLERS["principal"])),
            lambda: bus.handle(c.SubmitOffer(second, CALLERS["affichage"])),
        ]
    )
    refused = [r for r in results if isinstance(r, OfferActionRefused)]
    assert len(refused) == 1 and refused[0].code == "no_credit", results
    assert "crédit" in refused[0].message("fr")
    with offers_bundle.runtime.engine.connect() as db:
        statuses = sorted(db.execute(select(offers.c.status)).scalars())
        transitions = db.execute(
            select(func.count()).select_from(offer_history).where(offer_history.c.action == "submit")
        ).scalar_one()
    assert statuses == ["draft", "in_validation"] and transitions == 1
    with billing_bundle.runtime.engine.connect() as db:
        entries = sorted(db.execute(select(credit_entries.c.reason, credit_entries.c.delta)).all())
    assert entries == [("applied", -1), ("purchase", 1)]


def test_one_offer_sent_twice_at_once_is_sent_once(services) -> None:
    offers_bundle, billing_bundle = services
    bus = offers_bundle.extras["bus"]
    offer_id = new_draft(bus)
    results = at_once(
        [
            lambda: bus.handle(c.SubmitOffer(offer_id, CALLERS["principal"])),
            lambda: bus.handle(c.SubmitOffer(offer_id, CALLERS["affichage"])),
        ]
    )
    refused = [r for r in results if isinstance(r, OfferActionRefused)]
    # The loser read the draft before the winner wrote: its version is stale (or, if it read after,
    # the offer is no longer a draft). Either way one submission, one credit.
    assert len(refused) == 1 and refused[0].code in {"stale", "wrong_status"}, results
    with offers_bundle.runtime.engine.connect() as db:
        transitions = db.execute(
            select(func.count()).select_from(offer_history).where(offer_history.c.action == "submit")
        ).scalar_one()
    assert transitions == 1
    with billing_bundle.runtime.engine.connect() as db:
        applied = db.execute(
            select(func.count()).select_from(credit_entries).where(credit_entries.c.reason == "applied")
        ).scalar_one()
    assert applied == 1
