"""[staff] The staff tools and the records views through the bus with fakes: invoice-payment
eligibility (who and when), credit transfers between a company's groups (a too-large quantity
writes nothing), promo codes, the principal's opt-in to invoice copies, and « Mes forfaits »."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from billing_fakes import T0, new_uuid
from staff_fakes import FakeInvoice, FakeStaffUnitOfWork, staff_bus

from catalog_billing.domain import errors
from catalog_billing.domain.ledger import CreditEntry
from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import promo_from_form, running_balances
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import credits, records, staff
from catalog_billing.service_layer.access import Actor
from plumbing.auth.permissions import NotAMember, PermissionDenied
from plumbing.messagebus import Idempotent, fingerprint

COMPANY, OTHER_COMPANY = new_uuid(), new_uuid()
MONTREAL, QUEBEC, ELSEWHERE = new_uuid(), new_uuid(), new_uuid()
STAFF, PRINCIPAL, AFFICHAGE, OUTSIDER = new_uuid(), new_uuid(), new_uuid(), new_uuid()


def company_with(ing_in_montreal: int = 0) -> FakeStaffUnitOfWork:
    uow = FakeStaffUnitOfWork()
    uow.companies.add_group(COMPANY, "Génivert inc.", MONTREAL, "Montréal")
    uow.companies.add_group(COMPANY, "Génivert inc.", QUEBEC, "Québec")
    uow.companies.add_group(OTHER_COMPANY, "Structura ltée", ELSEWHERE, "Groupe 001")
    uow.memberships.roles[(PRINCIPAL, MONTREAL)] = "principal"
    uow.memberships.roles[(AFFICHAGE, MONTREAL)] = "affichage"
    if ing_in_montreal:
        credits.grant_purchase(uow, group_id=MONTREAL, company_id=COMPANY, credit_type="ing",
                               quantity=ing_in_montreal, invoice_id="inv-1", actor_account_id=PRINCIPAL, now=T0)
        uow.commit()
        uow.emitted.clear()
    return uow


def test_staff_marks_a_company_eligible_for_invoice_payment_with_who_and_when():
    bus, uow = staff_bus(company_with())
    assert uow.companies.invoice_payment_eligible(COMPANY) is False
    bus.handle(c.SetInvoicePaymentEligibility(COMPANY, True, STAFF, "personnel@oiq.ca"))
    terms = uow.companies.terms(COMPANY)
    assert uow.companies.invoice_payment_eligible(COMPANY) is True
    assert (terms.updated_by_account_id, terms.updated_by_email, terms.updated_at) == (STAFF, "personnel@oiq.ca", T0)
    bus.handle(c.SetInvoicePaymentEligibility(COMPANY, False, STAFF, "personnel@oiq.ca"))
    assert uow.companies.invoice_payment_eligible(COMPANY) is False
    assert uow.companies.invoice_payment_eligible(OTHER_COMPANY) is False


def test_eligibility_of_an_unknown_company_is_refused():
    bus, uow = staff_bus(company_with())
    with pytest.raises(errors.NotFound):
        bus.handle(c.SetInvoicePaymentEligibility(new_uuid(), True, STAFF, "personnel@oiq.ca"))
    assert uow.companies.saved == {}


def test_staff_transfers_credits_between_two_groups_of_the_company():
    bus, uow = staff_bus(company_with(ing_in_montreal=5))
    bus.handle(c.StaffTransferCredits(COMPANY, MONTREAL, QUEBEC, "ing", 3, STAFF))
    assert credits.balances(uow, MONTREAL) == {"ing": 2}
    assert credits.balances(uow, QUEBEC) == {"ing": 3}
    out, into = uow.credits.rows[-2:]
    assert (out.reason, out.delta, out.counterpart_group_id) == ("transfer_out", -3, QUEBEC)
    assert out.actor_account_id == STAFF
    assert (into.reason, into.delta, into.counterpart_group_id) == ("transfer_in", 3, MONTREAL)
    assert [t for t, _ in uow.emitted] == ["billing.credit.transferred"]


def test_a_transfer_larger_than_the_balance_writes_nothing():
    bus, uow = staff_bus(company_with(ing_in_montreal=2))
    before = list(uow.credits.rows)
    with pytest.raises(errors.NotEnoughCredits) as raised:
        bus.handle(c.StaffTransferCredits(COMPANY, MONTREAL, QUEBEC, "ing", 3, STAFF))
    assert (raised.value.available, raised.value.wanted) == (2, 3)
    assert uow.credits.rows == before and uow.emitted == []


@pytest.mark.parametrize(("from_group", "to_group", "field"), [
    (MONTREAL, ELSEWHERE, "to_group_id"),  # another company's group
    (ELSEWHERE, MONTREAL, "from_group_id"),
    ("inconnu", QUEBEC, "from_group_id"),
])
def test_a_transfer_stays_inside_the_company(from_group, to_group, field):
    bus, uow = staff_bus(company_with(ing_in_montreal=5))
    with pytest.raises(errors.InvalidInput) as raised:
        bus.handle(c.StaffTransferCredits(COMPANY, from_group, to_group, "ing", 1, STAFF))
    assert raised.value.field == field
    assert credits.balances(uow, MONTREAL) == {"ing": 5}


def test_a_staff_form_submitted_twice_transfers_once():
    bus, uow = staff_bus(company_with(ing_in_montreal=5))
    command = c.StaffTransferCredits(COMPANY, MONTREAL, QUEBEC, "ing", 2, STAFF)
    call = Idempotent(STAFF, "form-key-123", fingerprint("StaffTransferCredits", vars(command)),
                      lambda result, uow: (200, {}))
    first = bus.handle_idempotent(command, call)
    again = bus.handle_idempotent(command, call)
    assert (first.replayed, again.replayed) == (False, True)
    assert credits.balances(uow, QUEBEC) == {"ing": 2}


def test_staff_creates_a_promo_code_once():
    bus, uow = staff_bus(company_with())
    promo = PromoCode("BIENVENUE10", "percent", Decimal("10"), max_uses=100, product_codes=frozenset({"ing-5"}))
    bus.handle(c.CreatePromoCode(promo, STAFF))
    assert bus.query(staff.promo_codes) == [promo]
    with pytest.raises(errors.Conflict) as raised:
        bus.handle(c.CreatePromoCode(promo, STAFF))
    assert raised.value.field == "code"


def test_the_promo_form_becomes_a_promo_code_or_field_errors():
    promo, found = promo_from_form({"code": " bienvenue10 ", "kind": "percent", "value": "10,5",
                                    "starts_on": "2026-12-01",
                                    "ends_on": "2026-12-31", "max_uses": "50"}, ["ing-5"], ["ing-5", "cpi-1"])
    assert found == {}
    assert (promo.code, promo.value, promo.starts_on, promo.max_uses, promo.product_codes) == (
        "BIENVENUE10", Decimal("10.5"), date(2026, 12, 1), 50, frozenset({"ing-5"}))
    promo, found = promo_from_form({"code": "A B!", "kind": "percent", "value": "150", "starts_on": "2026-12-31",
                                    "ends_on": "2026-12-01", "max_uses": "0"}, ["nope"], ["ing-5"])
    assert promo is None
    assert found == {"code": "code_format", "value": "percent_too_high", "ends_on": "dates_order",
                     "max_uses": "uses_format", "product_codes": "unknown_product"}
    _, found = promo_from_form({"code": "", "kind": "", "value": "abc", "starts_on": "demain"}, [], [])
    assert found == {"code": "required", "kind": "required", "value": "value_format", "starts_on": "date_format"}


def test_only_the_principal_opts_in_to_invoice_copies_and_only_while_principal():
    bus, uow = staff_bus(company_with())
    bus.handle(c.SetInvoiceCopy(MONTREAL, PRINCIPAL, "marie@genivert.ca", True))
    with pytest.raises(PermissionDenied):
        bus.handle(c.SetInvoiceCopy(MONTREAL, AFFICHAGE, "luc@genivert.ca", True))
    with pytest.raises(NotAMember):
        bus.handle(c.SetInvoiceCopy(MONTREAL, OUTSIDER, "x@ailleurs.ca", True))
    assert uow.invoice_copies.emails_for(MONTREAL) == ["marie@genivert.ca"]
    uow.memberships.roles[(PRINCIPAL, MONTREAL)] = "finances"  # no longer principal: no more copies
    assert uow.invoice_copies.emails_for(MONTREAL) == []
    uow.memberships.roles[(PRINCIPAL, MONTREAL)] = "principal"
    bus.handle(c.SetInvoiceCopy(MONTREAL, PRINCIPAL, "marie@genivert.ca", False))
    assert uow.invoice_copies.emails_for(MONTREAL) == []


def test_my_credits_shows_every_balance_and_each_movement_with_its_reason_and_running_balance():
    bus, uow = staff_bus(company_with(ing_in_montreal=5))
    uow.invoices.rows["inv-1"] = FakeInvoice("inv-1", MONTREAL, "2026-000007")
    offer = new_uuid()
    credits.reserve(uow, offer_id=offer, credit_type="ing", group_id=MONTREAL, actor_account_id=AFFICHAGE,
                    now=T0 + timedelta(hours=1))
    credits.release(uow, offer_id=offer, credit_type="ing", actor_account_id=AFFICHAGE, now=T0 + timedelta(hours=2))
    credits.transfer_credits(uow, from_group_id=MONTREAL, to_group_id=QUEBEC, credit_type="ing", quantity=2,
                             actor_account_id=STAFF, now=T0 + timedelta(hours=3))
    found = bus.query(records.my_credits, Actor(AFFICHAGE), MONTREAL)
    assert found.balances == {"ing": 3, "cpi": 0}
    assert [(ln.entry.reason, ln.entry.delta, ln.balance_after) for ln in found.ledger] == [
        ("transfer_out", -2, 3), ("released", 1, 5), ("applied", -1, 4), ("purchase", 5, 5)]
    assert found.ledger[-1].invoice_number == "2026-000007"
    assert found.ledger[0].counterpart_name == "Québec"
    with pytest.raises(NotAMember):
        bus.query(records.my_credits, Actor(OUTSIDER), MONTREAL)


def test_running_balances_are_per_credit_type_in_time_order():
    entries = [CreditEntry("b", "g", "cpi", 1, "purchase", T0 + timedelta(minutes=1)),
               CreditEntry("a", "g", "ing", 5, "purchase", T0),
               CreditEntry("c", "g", "ing", -1, "applied", T0 + timedelta(minutes=2), offer_id="o")]
    assert [(ln.entry.id, ln.balance_after) for ln in running_balances(entries)] == [("c", 4), ("b", 1), ("a", 5)]


def test_an_invoice_of_another_group_does_not_exist_for_the_caller():
    bus, uow = staff_bus(company_with())
    uow.invoices.rows["inv-9"] = FakeInvoice("inv-9", ELSEWHERE, "2026-000009")
    with pytest.raises(NotAMember):
        bus.query(records.group_invoice, Actor(PRINCIPAL), "inv-9")
    with pytest.raises(NotAMember):
        bus.query(records.group_invoice, Actor(PRINCIPAL), "inconnue")
    assert bus.query(records.group_invoice, Actor(STAFF, is_staff=True), "inv-9").number == "2026-000009"


def test_staff_finds_companies_and_sees_their_groups_balances():
    bus, uow = staff_bus(company_with(ing_in_montreal=4))
    bus.handle(c.SetInvoicePaymentEligibility(COMPANY, True, STAFF, "personnel@oiq.ca"))
    found = bus.query(staff.find_companies, "géni")
    assert [(ref.name, eligible) for ref, eligible in found] == [("Génivert inc.", True)]
    assert len(bus.query(staff.find_companies, "")) == 2
    billing = bus.query(staff.company_billing, COMPANY)
    assert billing.invoice_payment_eligible
    assert [(g.group.name, g.balances) for g in billing.groups] == [("Montréal", {"ing": 4}), ("Québec", {})]
    assert bus.query(staff.company_billing, new_uuid()) is None
