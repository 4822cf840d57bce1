"""Done means 3 and 5 on real PostgreSQL: concurrent purchases get invoice numbers with no gaps and
no duplicates; the same checkout completed several times at once charges once and issues one
invoice; a webhook racing the buyer's own completion finalizes nothing twice.

Each call runs in its own thread, transaction and connection, all released at once by a barrier.
The checkout row lock and the `invoice_counters` row lock serialise the finalizations.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from billing_testkit import add_member
from checkout_fakes import FakeProcessor
from sqlalchemy import func, select

from catalog_billing.adapters.orm import credit_entries
from catalog_billing.adapters.orm_checkout import invoices
from catalog_billing.bootstrap import bootstrap
from catalog_billing.domain.promo import PromoCode
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer.access import Actor
from plumbing.config import Settings
from plumbing.service import ServiceBundle
from plumbing.testing import create_test_database, drop_test_database

COMPANY = str(uuid.uuid4())
ADDRESS = {"name": "Génivert inc.", "street": "1200, rue Saint-Denis", "city": "Montréal", "province": "QC",
           "postal_code": "H2X 3J6", "country": "Canada"}


class LockedProcessor(FakeProcessor):
    """The fake processor, safe across threads (a real one serialises requests with one key)."""

    lock = threading.Lock()

    def charge(self, **kwargs: Any) -> Any:
        with self.lock:
            return super().charge(**kwargs)


@pytest.fixture
def processor() -> LockedProcessor:
    return LockedProcessor()


@pytest.fixture
def bundle(processor: LockedProcessor) -> Iterator[ServiceBundle]:
    url = create_test_database("test_billing_checkout")
    settings = dataclasses.replace(Settings.from_env("catalog-billing"), database_url=url, db_pool_size=25)
    built = bootstrap(settings, payments=processor)
    built.migrate()
    with built.extras["bus"].new_uow() as uow:
        uow.promo_codes.add(PromoCode("TOUS", "percent", Decimal("10")))
        uow.commit()
    try:
        yield built
    finally:
        built.runtime.engine.dispose()
        drop_test_database(url)


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


def ready_checkout(bundle: ServiceBundle, *, promo: str = "") -> tuple[Actor, str, str]:
    """A buyer in a group of their own with an ing-5 in the cart, a checkout and a card."""
    bus = bundle.extras["bus"]
    buyer, group = Actor(str(uuid.uuid4())), str(uuid.uuid4())
    add_member(bundle, buyer.account_id, group, "finances", company_id=COMPANY)
    bus.handle(c.AddToCart(buyer, group, "ing-5"))
    checkout = bus.handle(c.StartCheckout(buyer, group, "buyer@genivert-test.ca", "fr",
                                          c.CheckoutDetails(new_address=ADDRESS, promo_code=promo)))
    bus.handle(c.AttachPaymentMethod(buyer, checkout.id, "pm_ok"))
    key = bus.query(lambda uow: uow.checkouts.get(checkout.id).idempotency_key)
    return buyer, checkout.id, key


def complete(bundle: ServiceBundle, buyer: Actor, checkout_id: str, key: str) -> Callable[[], Any]:
    return lambda: bundle.extras["bus"].handle(c.CompleteCheckout(buyer, checkout_id, key, True, True,
                                                                  "http://site.test/retour"))


def test_concurrent_purchases_get_invoice_numbers_with_no_gaps(bundle, processor):
    ready = [ready_checkout(bundle, promo="TOUS") for _ in range(8)]
    outcomes = at_once([complete(bundle, *one) for one in ready])
    assert [o.status for o in outcomes] == ["paid"] * 8, outcomes
    with bundle.runtime.engine.connect() as db:
        numbers = sorted(db.execute(select(invoices.c.number)).scalars())
        granted = db.execute(select(func.sum(credit_entries.c.delta))).scalar_one()
    assert numbers == [f"ING-{n:06d}" for n in range(1, 9)]
    assert granted == 40
    assert len(processor.charged) == 8
    assert bundle.extras["bus"].query(lambda uow: uow.promo_codes.get("TOUS").uses) == 8


def test_the_same_checkout_completed_at_once_charges_once_and_issues_one_invoice(bundle, processor):
    buyer, checkout_id, key = ready_checkout(bundle)
    outcomes = at_once([complete(bundle, buyer, checkout_id, key) for _ in range(4)])
    assert {o.status for o in outcomes} <= {"paid", "processing"} and "paid" in {o.status for o in outcomes}
    assert len({o.invoice_id for o in outcomes if o.status == "paid"}) == 1
    assert len(processor.charged) == 1
    # The webhook of that payment, delivered twice at once, after (or during) all this: nothing more.
    intent = processor.charged[0]["intent"]
    event = c.RecordPaymentEvent("sandbox", "evt_" + uuid.uuid4().hex, "payment.succeeded", intent, checkout_id,
                                 1, "succeeded", authorization="AUTH")
    results = at_once([lambda: bundle.extras["bus"].handle(event)] * 2)
    assert results == [False, False]
    with bundle.runtime.engine.connect() as db:
        assert db.execute(select(func.count()).select_from(invoices)).scalar_one() == 1
        assert db.execute(select(func.sum(credit_entries.c.delta))).scalar_one() == 5
