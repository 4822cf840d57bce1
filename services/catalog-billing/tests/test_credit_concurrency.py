"""Done means 4: twenty concurrent reservations against a bank of five credits on real PostgreSQL:
exactly five succeed, the ledger balances, and releasing a reservation returns the credit.

Each reservation runs in its own thread, transaction and connection, all released at once by a
barrier; the `credit_banks` row lock (SELECT … FOR UPDATE) serialises them before they sum.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from catalog_billing.adapters.orm import credit_entries, credit_reservations
from catalog_billing.bootstrap import bootstrap
from catalog_billing.domain import errors
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import credits
from catalog_billing.service_layer.access import Actor
from plumbing.config import Settings
from plumbing.service import ServiceBundle
from plumbing.testing import create_test_database, drop_test_database

GROUP, COMPANY = str(uuid.uuid4()), str(uuid.uuid4())
STAFF = Actor(str(uuid.uuid4()), is_staff=True)


@pytest.fixture
def bundle() -> Iterator[ServiceBundle]:
    url = create_test_database("test_billing_credits")
    settings = dataclasses.replace(Settings.from_env("catalog-billing"), database_url=url, db_pool_size=25)
    built = bootstrap(settings)
    built.migrate()
    try:
        yield built
    finally:
        built.runtime.engine.dispose()
        drop_test_database(url)


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in its own thread, started together; each result or the exception it raised."""
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


def test_twenty_reservations_against_five_credits(bundle: ServiceBundle):
    bus = bundle.extras["bus"]
    with bus.new_uow() as uow:
        credits.grant_purchase(uow, group_id=GROUP, company_id=COMPANY, credit_type="ing", quantity=5,
                               invoice_id=str(uuid.uuid4()), actor_account_id=None, now=bus.deps.clock.now())
        uow.commit()
    offers = [str(uuid.uuid4()) for _ in range(20)]
    results = at_once([lambda o=o: bus.handle(c.ReserveCredit(o, "ing", GROUP, STAFF)) for o in offers])

    reserved = [r for r in results if isinstance(r, credits.ReservationResult)]
    refused = [r for r in results if isinstance(r, errors.NotEnoughCredits)]
    assert len(reserved) == 5 and len(refused) == 15, results
    assert all(r.changed for r in reserved)
    with bundle.runtime.engine.connect() as db:
        entries = db.execute(select(credit_entries.c.reason, credit_entries.c.delta)
                             .where(credit_entries.c.group_id == GROUP)).all()
        held = db.execute(select(func.count()).select_from(credit_reservations)
                          .where(credit_reservations.c.status == "reserved")).scalar_one()
    # The ledger balances: one purchase of 5, five applied −1, and the sum is what is left.
    assert sorted(entries) == [("applied", -1)] * 5 + [("purchase", 5)]
    assert sum(delta for _, delta in entries) == 0 and held == 5
    with bus.new_uow() as uow:
        assert credits.balances(uow, GROUP) == {"ing": 0}

    # Releasing a reservation returns its credit, once; another offer can then take it.
    first = reserved[0].reservation.offer_id
    assert bus.handle(c.ReleaseCredit(first, "ing", STAFF)).changed
    assert not bus.handle(c.ReleaseCredit(first, "ing", STAFF)).changed
    with bus.new_uow() as uow:
        assert credits.balances(uow, GROUP) == {"ing": 1}
    assert bus.handle(c.ReserveCredit(str(uuid.uuid4()), "ing", GROUP, STAFF)).changed
    with pytest.raises(errors.NotEnoughCredits):
        bus.handle(c.ReserveCredit(str(uuid.uuid4()), "ing", GROUP, STAFF))


def test_the_same_offer_reserved_ten_times_at_once_takes_one_credit(bundle: ServiceBundle):
    bus = bundle.extras["bus"]
    with bus.new_uow() as uow:
        credits.grant_purchase(uow, group_id=GROUP, company_id=COMPANY, credit_type="cpi", quantity=3,
                               invoice_id=str(uuid.uuid4()), actor_account_id=None, now=bus.deps.clock.now())
        uow.commit()
    offer = str(uuid.uuid4())
    results = at_once([lambda: bus.handle(c.ReserveCredit(offer, "cpi", GROUP, STAFF)) for _ in range(10)])
    assert all(isinstance(r, credits.ReservationResult) for r in results), results
    assert sum(r.changed for r in results) == 1
    with bus.new_uow() as uow:
        assert credits.balances(uow, GROUP) == {"cpi": 2}
