"""[staff] The demo data: a promo code, the company eligible for invoice payment, two invoices whose
credits fill the group's bank; seeding again adds nothing."""

from __future__ import annotations

from records_testkit import genivert

from catalog_billing.service_layer import credits
from catalog_billing.service_layer.seed import DemoBuyer, seed_demo


def test_the_demo_seed_fills_the_group_once(bundle):
    company = genivert(bundle)
    bus = bundle.extras["bus"]
    buyer = DemoBuyer(company.group_id, company.people["finances"], "julie@genivert-test.ca",
                      ("Génivert inc.", "1200, rue Saint-Denis", "Montréal (QC)  H2X 3J6", "Canada"))
    created = seed_demo(bus, buyer, staff_account_id="staff-1", staff_email="sophie@oiq-test.ca")
    assert set(created) == {"promo_code", "invoice_payment", "paid_invoice", "unpaid_invoice"}
    assert seed_demo(bus, buyer, staff_account_id="staff-1", staff_email="sophie@oiq-test.ca") == {}
    with bus.new_uow() as uow:
        assert credits.balances(uow, company.group_id) == {"cpi": 2, "ing": 5}
        assert uow.invoices.count_for_group(company.group_id) == 2
        assert uow.companies.invoice_payment_eligible(company.company_id)
        promo = uow.promo_codes.get("BIENVENUE10")
        assert (promo.kind, promo.value, promo.uses) == ("percent", 10, 1)
        paid = uow.invoices.get(next(row.id for row in uow.invoice_records.history(company.group_id)
                                     if row.status == "paid"))
    assert paid.quote().discount == paid.quote().subtotal / 10 and paid.card_last4 == "4242"
    assert seed_demo(bus, DemoBuyer("inconnu", "x", "x@y.ca", ()), staff_account_id="s", staff_email="s@o.ca") == {}
