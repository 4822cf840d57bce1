"""[checkout] The domain's small rules: Canadian postal codes, the checkout's status machine, brands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from catalog_billing.domain import errors
from catalog_billing.domain.cart import Cart, CartLine
from catalog_billing.domain.checkout import (
    Checkout,
    CheckoutStatus,
    InvalidAddress,
    brand_name,
    new_billing_address,
)

T0 = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
ADDRESS = {"name": "Génivert inc.", "street": "1200, rue Saint-Denis", "city": "Montréal", "province": "qc",
           "country": "Canada"}


@pytest.mark.parametrize(("typed", "kept"), [("H2X 3J6", "H2X 3J6"), ("h2x3j6", "H2X 3J6"), (" g1k  4a1 ", "G1K 4A1"),
                                             ("K1A 0B1", "K1A 0B1")])
def test_canadian_postal_codes_are_kept_in_their_usual_form(typed, kept):
    address = new_billing_address(address_id="a", company_id="c", group_id="g", postal_code=typed, now=T0, **ADDRESS)
    assert (address.postal_code, address.province) == (kept, "QC")


@pytest.mark.parametrize("typed", ["12345", "D2X 3J6", "W1A 1A1", "H2X 3J", "H2X-3J6", "", "ZZZ ZZZ"])
def test_other_postal_codes_are_refused_next_to_their_field(typed):
    with pytest.raises(InvalidAddress) as refused:
        new_billing_address(address_id="a", company_id="c", group_id="g", postal_code=typed, now=T0, **ADDRESS)
    assert set(refused.value.by_field("en")) == {"postal_code"}


def test_outside_canada_or_an_unknown_province_is_refused():
    with pytest.raises(InvalidAddress) as refused:
        new_billing_address(address_id="a", company_id="c", group_id="g", postal_code="H2X 3J6", now=T0,
                            **{**ADDRESS, "province": "NY", "country": "USA"})
    assert set(refused.value.problems) == {"province", "country"}


def checkout() -> Checkout:
    return Checkout("k", "g", "c", "acc", "a@b.ca", "fr", [], T0, T0)


def test_a_checkout_is_paid_once_and_then_never_changes():
    c = checkout()
    c.attach_method("pm_1", "visa", "4242", T0)
    assert c.card_brand == "Visa"
    c.start_payment(T0)
    assert c.status == CheckoutStatus.PROCESSING
    with pytest.raises(errors.Conflict):  # no new card while the outcome is unknown
        c.attach_method("pm_2", "visa", "1111", T0)
    c.mark_paid(invoice_id="inv", authorization="A", intent_reference="pi", now=T0)
    with pytest.raises(errors.Conflict):
        c.mark_paid(invoice_id="inv2", authorization="A", intent_reference="pi", now=T0)
    c.payment_refused("declined", "generic_decline", T0)  # a late refusal: ignored
    assert (c.status, c.invoice_id) == (CheckoutStatus.PAID, "inv")


def test_a_new_card_after_a_refusal_gets_a_new_key_but_not_before():
    c = checkout()
    first = c.idempotency_key
    c.attach_method("pm_1", "visa", "0002", T0)
    assert c.idempotency_key == first
    c.start_payment(T0)
    c.payment_refused("declined", "generic_decline", T0, "pi_1")
    assert c.status == CheckoutStatus.OPEN and c.failure_code == "generic_decline"
    c.attach_method("pm_2", "mastercard", "4444", T0)
    assert c.idempotency_key != first and c.card_brand == "Mastercard"


def test_brands_as_printed():
    assert [brand_name(b) for b in ("visa", "amex", "MASTERCARD", "newcard", "")] == [
        "Visa", "American Express", "Mastercard", "Newcard", "Carte"]


def test_the_same_product_adds_to_its_line_and_a_cart_has_limits():
    cart = Cart("g")
    cart.add(CartLine("l1", "ing-1", 2, T0))
    cart.add(CartLine("l2", "ing-1", 3, T0))
    assert [(line.id, line.quantity) for line in cart.lines] == [("l1", 5)]
    with pytest.raises(errors.InvalidInput):
        cart.add(CartLine("l3", "ing-1", 96, T0))
    with pytest.raises(errors.InvalidInput):
        cart.add(CartLine("l4", "cpi-1", 0, T0))
    cart.remove("nope", T0)  # already gone: fine
    cart.remove("l1", T0)
    assert cart.count == 0
