"""Cart → caisse → card → complete, through the bus with fakes: every rule of [checkout]."""

from __future__ import annotations

from decimal import Decimal

import pytest
from checkout_fakes import FakeProcessor, checkout_bus

from catalog_billing.domain import errors
from catalog_billing.domain.checkout import CheckoutStatus, InvoiceStatus, new_billing_address
from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import CompanyTerms
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer.access import Actor
from plumbing.auth.permissions import NotAMember

GROUP, OTHER_GROUP, COMPANY = "g-1", "g-2", "co-1"
BUYER = Actor("acc-finances")
ADDRESS = {"name": "Génivert inc.", "street": "1200, rue Saint-Denis", "city": "Montréal", "province": "QC",
           "postal_code": "h2x3j6", "country": "Canada"}


@pytest.fixture
def world():
    processor = FakeProcessor()
    bus, uow = checkout_bus(processor=processor)
    uow.memberships.roles.update({(BUYER.account_id, GROUP): "finances", ("acc-principal", GROUP): "principal",
                                  ("acc-aff", GROUP): "affichage", ("acc-stranger", OTHER_GROUP): "principal"})
    uow.companies.add_group(COMPANY, "Génivert inc.", GROUP, "Groupe 001")
    uow.companies.add_group("co-2", "Ailleurs inc.", OTHER_GROUP, "Ailleurs")
    uow.invoice_copies.subscribe(GROUP, "acc-principal", "principal@genivert-test.ca", None)
    uow.promo_codes.add(PromoCode("PRINTEMPS10", "percent", Decimal("10"), max_uses=2))
    return bus, uow, processor


def start(bus, *, promo: str = "", mode: str = "card", address: dict | None = None, address_id: str | None = None,
          note: str = "", po: str = ""):
    details = c.CheckoutDetails(address_id=address_id, new_address=None if address_id else (address or ADDRESS),
                                note=note, purchase_order=po, promo_code=promo, payment_mode=mode)
    return bus.handle(c.StartCheckout(BUYER, GROUP, "finances@genivert-test.ca", "fr", details))


def buy(bus, checkout, card: str = "pm_ok", **kwargs):
    bus.handle(c.AttachPaymentMethod(BUYER, checkout.id, card))
    return complete(bus, checkout.id, **kwargs)


def complete(bus, checkout_id: str, *, terms: bool = True, billing: bool = True, key: str | None = None):
    uow = bus.uow_factory(None)
    stored = uow.checkouts.get(checkout_id)
    return bus.handle(c.CompleteCheckout(BUYER, checkout_id, key or stored.idempotency_key, terms, billing,
                                         "http://site.test/employeur/caisse/x/retour"))


def test_a_forfait_bought_by_card_issues_one_invoice_and_credits_the_bank(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-5"))
    assert uow.carts.get(GROUP).count == 1
    checkout = start(bus, promo="printemps10", note="Merci", po="PO-123")
    assert checkout.promo_code == "PRINTEMPS10"
    quote = checkout.quote()
    assert (quote.subtotal, quote.discount, quote.net) == (Decimal("2675.00"), Decimal("267.50"), Decimal("2407.50"))
    assert (quote.gst, quote.qst, quote.total) == (Decimal("120.38"), Decimal("240.15"), Decimal("2768.03"))

    outcome = buy(bus, checkout)
    assert outcome.status == "paid"
    invoice = uow.invoices.get(outcome.invoice_id)
    assert invoice.number == "ING-000001" and invoice.status == InvoiceStatus.PAID
    assert (invoice.card_brand, invoice.card_last4, invoice.purchase_order, invoice.note) == ("Visa", "4242",
                                                                                             "PO-123", "Merci")
    assert invoice.billing_address[2] == "Montréal (QC)  H2X 3J6"
    assert uow.credits.balances(GROUP) == {"ing": 5}
    assert processor.charged[0]["amount"] == 276803
    assert processor.charged[0]["metadata"]["checkout_id"] == checkout.id
    assert uow.carts.get(GROUP).count == 0
    assert uow.promo_codes.get("PRINTEMPS10").uses == 1
    issued = [data for kind, data in uow.emitted if kind == "billing.invoice.issued"]
    assert issued == [{
        "invoice_id": invoice.id, "number": "ING-000001", "group_id": GROUP, "company_id": COMPANY,
        "company_name": "Génivert inc.", "group_name": "Groupe 001", "issued_at": "2026-11-02T14:00:00Z",
        "status": "paid", "currency": "CAD", "subtotal": "2675.00", "discount": "267.50", "gst": "120.38",
        "qst": "240.15", "total": "2768.03", "buyer_email": "finances@genivert-test.ca",
        "copy_to": ["principal@genivert-test.ca"], "locale": "fr",
        "url": f"http://127.0.0.1:8080/employeur/transactions/{invoice.id}"}]
    assert [kind for kind, _ in uow.emitted].count("billing.credit.purchased") == 1
    # Completing again (a second click, the webhook) changes nothing.
    again = complete(bus, checkout.id)
    assert (again.status, again.invoice_id) == ("paid", invoice.id)
    assert len(uow.invoices.rows) == 1 and len(processor.charged) == 1


@pytest.mark.parametrize(("card", "status", "code"), [
    ("pm_declined", "declined", "generic_decline"),
    ("pm_funds", "declined", "insufficient_funds"),
    ("pm_error", "failed", "api_error"),
])
def test_a_refused_payment_leaves_no_invoice_no_credit_and_the_cart_intact(world, card, status, code):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1", quantity=2))
    checkout = start(bus)
    outcome = buy(bus, checkout, card)
    assert (outcome.status, outcome.code) == (status, code)
    stored = uow.checkouts.get(checkout.id)
    assert stored.status == CheckoutStatus.OPEN
    assert [a.status for a in stored.attempts] == [status]
    assert uow.invoices.rows == {} and uow.credits.balances(GROUP) == {}
    assert uow.carts.get(GROUP).lines[0].quantity == 2
    # Another card: a new idempotency key (the old one would replay the refusal), then paid.
    old_key = stored.idempotency_key
    bus.handle(c.AttachPaymentMethod(BUYER, checkout.id, "pm_ok"))
    assert uow.checkouts.get(checkout.id).idempotency_key != old_key
    assert complete(bus, checkout.id).status == "paid"
    assert uow.credits.balances(GROUP) == {"ing": 2}


def test_a_timeout_keeps_the_checkout_processing_and_the_retry_charges_once(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "cpi-1"))
    checkout = start(bus)
    processor.timeouts = 1
    outcome = buy(bus, checkout)
    assert outcome.status == "processing"
    assert uow.checkouts.get(checkout.id).status == CheckoutStatus.PROCESSING
    assert uow.invoices.rows == {}
    retry = complete(bus, checkout.id)
    assert retry.status == "paid"
    assert len(processor.charged) == 1 and processor.calls == 2
    assert len(uow.invoices.rows) == 1 and uow.credits.balances(GROUP) == {"cpi": 1}


def test_a_second_step_sends_the_buyer_to_the_processor_and_the_return_completes(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "vedette"))
    checkout = start(bus)
    outcome = buy(bus, checkout, "pm_3ds")
    assert outcome.status == "requires_action" and outcome.redirect_url.startswith("https://processor.test/3ds/")
    assert uow.checkouts.get(checkout.id).status == CheckoutStatus.AWAITING_ACTION
    processor.authenticated.add(uow.checkouts.get(checkout.id).intent_reference)
    back = bus.handle(c.ResumeCheckout(BUYER, checkout.id))
    assert back.status == "paid"
    assert uow.credits.balances(GROUP) == {"vedette": 1}
    assert bus.handle(c.ResumeCheckout(BUYER, checkout.id)).invoice_id == back.invoice_id
    assert len(uow.invoices.rows) == 1


def event(checkout, kind: str, event_id: str, intent: str, created: int, status: str = "succeeded"):
    return c.RecordPaymentEvent("sandbox", event_id, kind, intent, checkout.id, created, status,
                                authorization="AUTH9" if status == "succeeded" else None)


def test_a_webhook_finalizes_a_processing_checkout_once_and_stale_events_change_nothing(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    checkout = start(bus)
    assert buy(bus, checkout, "pm_processing").status == "processing"
    intent = uow.checkouts.get(checkout.id).intent_reference
    assert bus.handle(event(checkout, "payment.succeeded", "evt_1", intent, 100)) is True
    assert bus.handle(event(checkout, "payment.succeeded", "evt_1", intent, 100)) is False  # delivered twice
    assert bus.handle(event(checkout, "payment.failed", "evt_0", intent, 90, "declined")) is False  # older, late
    assert bus.handle(event(checkout, "payment.succeeded", "evt_2", intent, 101)) is False
    stored = uow.checkouts.get(checkout.id)
    assert stored.status == CheckoutStatus.PAID and stored.authorization == "AUTH9"
    assert len(uow.invoices.rows) == 1 and uow.credits.balances(GROUP) == {"ing": 1}
    assert [k for k, _ in uow.emitted].count("billing.invoice.issued") == 1


def test_a_failure_webhook_for_a_processing_checkout_reopens_it(world):
    bus, uow, _ = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    checkout = start(bus)
    buy(bus, checkout, "pm_processing")
    intent = uow.checkouts.get(checkout.id).intent_reference
    assert bus.handle(event(checkout, "payment.failed", "evt_f", intent, 100, "declined")) is True
    assert uow.checkouts.get(checkout.id).status == CheckoutStatus.OPEN
    assert uow.invoices.rows == {} and uow.carts.get(GROUP).count == 1


def test_both_acceptances_and_the_current_form_are_required(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    checkout = start(bus)
    bus.handle(c.AttachPaymentMethod(BUYER, checkout.id, "pm_ok"))
    with pytest.raises(errors.InvalidInput) as terms:
        complete(bus, checkout.id, terms=False)
    assert terms.value.field == "accept_terms"
    with pytest.raises(errors.InvalidInput) as billing:
        complete(bus, checkout.id, billing=False)
    assert billing.value.field == "accept_billing"
    with pytest.raises(errors.Conflict):
        complete(bus, checkout.id, key="an-old-form")
    assert processor.calls == 0 and uow.invoices.rows == {}


def test_no_card_no_purchase(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    checkout = start(bus)
    with pytest.raises(errors.InvalidInput) as no_card:
        complete(bus, checkout.id)
    assert no_card.value.code == "no_payment_method"
    with pytest.raises(errors.InvalidInput):
        bus.handle(c.AttachPaymentMethod(BUYER, checkout.id, "pm_unknown"))


def test_invoice_payment_for_an_eligible_company_issues_an_unpaid_invoice_and_grants_credits(world):
    bus, uow, processor = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-10"))
    with pytest.raises(errors.InvalidInput) as refused:
        start(bus, mode="invoice")
    assert refused.value.field == "payment_mode"
    uow.companies.save_terms(CompanyTerms(COMPANY, True, "staff", "staff@oiq.test", None))
    checkout = start(bus, mode="invoice")
    outcome = complete(bus, checkout.id)
    invoice = uow.invoices.get(outcome.invoice_id)
    assert invoice.status == InvoiceStatus.UNPAID and invoice.due_on.isoformat() == "2026-12-02"
    assert invoice.card_last4 is None and processor.calls == 0
    assert uow.credits.balances(GROUP) == {"ing": 10}


@pytest.mark.parametrize(("promo", "reason"), [
    (PromoCode("HIVER", "amount", Decimal("50"), ends_on=__import__("datetime").date(2026, 10, 31)), "expired"),
    (PromoCode("NOEL", "amount", Decimal("50"), starts_on=__import__("datetime").date(2026, 12, 1)), "not_started"),
    (PromoCode("CPI", "percent", Decimal("20"), product_codes=frozenset({"cpi-1"})), "not_applicable"),
    (PromoCode("UNEFOIS", "percent", Decimal("20"), max_uses=1, uses=0), None),
])
def test_a_promo_code_that_cannot_apply_says_why_next_to_its_field(world, promo, reason):
    bus, uow, _ = world
    uow.promo_codes.add(promo)
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    if reason is None:  # used up by an earlier purchase
        first = start(bus, promo=promo.code)
        buy(bus, first)
        bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
        reason = "used_up"
    with pytest.raises(errors.InvalidInput) as rejected:
        start(bus, promo=promo.code)
    assert (rejected.value.field, rejected.value.code) == ("promo_code", f"promo_{reason}")
    with pytest.raises(errors.InvalidInput) as unknown:
        start(bus, promo="NOPE")
    assert unknown.value.code == "promo_unknown" and "n’existe pas" in unknown.value.message("fr")


def test_addresses_are_checked_and_shared_by_the_company_groups(world):
    bus, uow, _ = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    with pytest.raises(errors.InvalidInput) as bad:
        start(bus, address={**ADDRESS, "postal_code": "12345", "city": ""})
    assert bad.value.by_field("fr") == {"city": "Indiquez la ville.",
                                        "postal_code": "Le code postal doit avoir la forme A1A 1A1."}
    checkout = start(bus)
    (saved,) = uow.addresses.for_company(COMPANY)
    assert saved.postal_code == "H2X 3J6"
    assert start(bus, address_id=saved.id).address.id == saved.id
    foreign = new_billing_address(address_id="a-x", company_id="co-2", group_id=OTHER_GROUP, now=checkout.created_at,
                                  **ADDRESS)
    uow.addresses.add(foreign)
    with pytest.raises(errors.InvalidInput) as other:
        start(bus, address_id="a-x")
    assert other.value.field == "address_id"


def test_note_and_purchase_order_lengths(world):
    bus, _, _ = world
    bus.handle(c.AddToCart(BUYER, GROUP, "ing-1"))
    with pytest.raises(errors.InvalidInput) as note:
        start(bus, note="x" * 501)
    assert note.value.field == "note"
    with pytest.raises(errors.InvalidInput) as po:
        start(bus, po="x" * 51)
    assert po.value.field == "purchase_order"
    assert start(bus, note="x" * 500, po="x" * 50).note == "x" * 500


def test_the_cart_per_group_roles_and_strangers(world):
    bus, uow, _ = world
    bus.handle(c.AddToCart(Actor("acc-aff"), GROUP, "ing-1"))
    bus.handle(c.AddToCart(Actor("acc-principal"), GROUP, "ing-1", quantity=2))
    cart = uow.carts.get(GROUP)
    assert [(line.product_code, line.quantity) for line in cart.lines] == [("ing-1", 3)]
    with pytest.raises(NotAMember):
        bus.handle(c.AddToCart(Actor("acc-stranger"), GROUP, "ing-1"))
    with pytest.raises(errors.InvalidInput):
        bus.handle(c.AddToCart(BUYER, GROUP, "nope"))
    with pytest.raises(errors.InvalidInput) as quoted:
        bus.handle(c.AddToCart(BUYER, GROUP, "envoi-regions"))
    assert quoted.value.code == "quote_required"
    bus.handle(c.RemoveFromCart(BUYER, GROUP, cart.lines[0].id))
    assert uow.carts.get(GROUP).count == 0
    with pytest.raises(errors.InvalidInput):
        start(bus)
    checkout = (bus.handle(c.AddToCart(BUYER, GROUP, "ing-1")), start(bus))[1]
    with pytest.raises(errors.NotFound):
        bus.handle(c.AttachPaymentMethod(Actor("acc-stranger"), checkout.id, "pm_ok"))


def test_a_quoted_product_is_bought_at_its_quote(world):
    bus, uow, _ = world
    quote = bus.handle(c.CreateQuote(GROUP, "offer-1", "envoi-regions", 150, Actor("acc-aff")))
    bus.handle(c.AddToCart(BUYER, GROUP, "", quote_id=quote.id))
    with pytest.raises(errors.InvalidInput):
        bus.handle(c.AddToCart(BUYER, GROUP, "", quote_id=quote.id))
    checkout = start(bus)
    assert checkout.lines[0].unit_price == Decimal("600.00")
    assert buy(bus, checkout).status == "paid"
    assert uow.credits.balances(GROUP) == {"envoi-regions": 1}
    with pytest.raises(errors.Conflict):  # a quote is bought once
        bus.handle(c.AddToCart(BUYER, GROUP, "", quote_id=quote.id))
