"""Cart pricing: GST 5 % and QST 9.975 % per line on the net amount, half up to the cent; promo codes.

Each cart of the table is checked against a hand computation written here as literal amounts,
with the arithmetic in a comment (QST = net × 0.09975; "→" is the half-up rounding to the cent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_billing.domain.pricing import (
    GST_RATE,
    QST_RATE,
    PricedLineInput,
    Quote,
    price_cart,
)
from catalog_billing.domain.promo import PromoCode, PromoRejected, normalize_code, promo_message

D = Decimal


def line(code: str, price: str, quantity: int = 1) -> PricedLineInput:
    return PricedLineInput(product_code=code, quantity=quantity, unit_price=D(price), description=code)


def percent(value: str, *codes: str) -> PromoCode:
    return PromoCode(code="PCT", kind="percent", value=D(value), product_codes=frozenset(codes))


def amount(value: str, *codes: str) -> PromoCode:
    return PromoCode(code="MOINS", kind="amount", value=D(value), product_codes=frozenset(codes))


@dataclass(frozen=True)
class Expected:
    """One line: (discount, net, gst, qst, total) as strings; the cart's totals."""

    lines: list[tuple[str, str, str, str, str]]
    subtotal: str
    discount: str
    net: str
    gst: str
    qst: str
    total: str


CARTS = {
    "one ing-1": (
        [line("ing-1", "595.00")], None,
        # GST 595.00 × 0.05 = 29.75; QST 595.00 × 0.09975 = 59.35125 → 59.35; total 595.00 + 29.75 + 59.35
        Expected([("0.00", "595.00", "29.75", "59.35", "684.10")],
                 "595.00", "0.00", "595.00", "29.75", "59.35", "684.10"),
    ),
    "one ing-5": (
        [line("ing-5", "2675.00")], None,
        # GST 2675 × 0.05 = 133.75; QST 2675 × 0.09975 = 266.83125 → 266.83; total 3075.58
        Expected([("0.00", "2675.00", "133.75", "266.83", "3075.58")],
                 "2675.00", "0.00", "2675.00", "133.75", "266.83", "3075.58"),
    ),
    "mixed lines and quantities": (
        [line("ing-1", "595.00", 2), line("vedette", "150.00"), line("extension", "200.00", 3)], None,
        # ing-1 ×2 = 1190.00: GST 59.50; QST 118.7025 → 118.70; total 1368.20
        # vedette 150.00: GST 7.50; QST 14.9625 → 14.96; total 172.46
        # extension ×3 = 600.00: GST 30.00; QST 59.85; total 689.85
        # QST per line 118.70 + 14.96 + 59.85 = 193.51 (on the cart's 1940.00 it would be 193.515 → 193.52)
        Expected([("0.00", "1190.00", "59.50", "118.70", "1368.20"),
                  ("0.00", "150.00", "7.50", "14.96", "172.46"),
                  ("0.00", "600.00", "30.00", "59.85", "689.85")],
                 "1940.00", "0.00", "1940.00", "97.00", "193.51", "2230.51"),
    ),
    "quoted line (envoi personnalisé, 137 persons)": (
        [line("envoi-regions", "574.00")], None,
        # quote 300.00 + 137 × 2.00 = 574.00: GST 28.70; QST 57.2565 → 57.26; total 659.96
        Expected([("0.00", "574.00", "28.70", "57.26", "659.96")],
                 "574.00", "0.00", "574.00", "28.70", "57.26", "659.96"),
    ),
    "percent promo on the whole cart": (
        [line("ing-5", "2675.00"), line("vedette", "150.00")], percent("10"),
        # ing-5: discount 267.50, net 2407.50; GST 120.375 → 120.38; QST 240.148125 → 240.15; total 2768.03
        # vedette: discount 15.00, net 135.00; GST 6.75; QST 13.46625 → 13.47; total 155.22
        Expected([("267.50", "2407.50", "120.38", "240.15", "2768.03"),
                  ("15.00", "135.00", "6.75", "13.47", "155.22")],
                 "2825.00", "282.50", "2542.50", "127.13", "253.62", "2923.25"),
    ),
    "percent promo rounded half up on the discount": (
        [line("ing-1", "595.00")], percent("12.5"),
        # discount 595 × 0.125 = 74.375 → 74.38; net 520.62; GST 26.031 → 26.03; QST 51.931845 → 51.93
        Expected([("74.38", "520.62", "26.03", "51.93", "598.58")],
                 "595.00", "74.38", "520.62", "26.03", "51.93", "598.58"),
    ),
    "amount promo restricted to ing forfaits": (
        [line("ing-1", "595.00"), line("ing-5", "2675.00"), line("vedette", "150.00")],
        amount("100.00", "ing-1", "ing-5"),
        # eligible 595 + 2675 = 3270; shares 100 × 595/3270 = 18.1957… → 18.19 (+ .0057 left),
        # 100 × 2675/3270 = 81.8042… → 81.80 (+ .0042); 1 cent left → the larger remainder: ing-1 18.20
        # ing-1: net 576.80; GST 28.84; QST 57.5358 → 57.54; total 663.18
        # ing-5: net 2593.20; GST 129.66; QST 258.6717 → 258.67; total 2981.53
        # vedette (not covered): GST 7.50; QST 14.96; total 172.46
        Expected([("18.20", "576.80", "28.84", "57.54", "663.18"),
                  ("81.80", "2593.20", "129.66", "258.67", "2981.53"),
                  ("0.00", "150.00", "7.50", "14.96", "172.46")],
                 "3420.00", "100.00", "3320.00", "166.00", "331.17", "3817.17"),
    ),
    "amount larger than the eligible lines": (
        [line("vedette", "150.00"), line("ing-1", "595.00")], amount("500.00", "vedette"),
        # the code covers vedette only: 500.00 capped at its 150.00 → net 0.00, no tax; ing-1 untouched
        Expected([("150.00", "0.00", "0.00", "0.00", "0.00"),
                  ("0.00", "595.00", "29.75", "59.35", "684.10")],
                 "745.00", "150.00", "595.00", "29.75", "59.35", "684.10"),
    ),
    "amount split evenly, the odd cent to the first line": (
        [line("vedette", "150.00", 4), line("extension", "200.00", 3)], amount("10.01"),
        # 600.00 and 600.00: 5.005 each → 5.00 + 5.00, 1 cent left, equal remainders → the first line
        # vedette: net 594.99; GST 29.7495 → 29.75; QST 59.3502525 → 59.35; total 684.09
        # extension: net 595.00; GST 29.75; QST 59.35125 → 59.35; total 684.10
        Expected([("5.01", "594.99", "29.75", "59.35", "684.09"),
                  ("5.00", "595.00", "29.75", "59.35", "684.10")],
                 "1200.00", "10.01", "1189.99", "59.50", "118.70", "1368.19"),
    ),
    "GST ending in .005 rounds up": (
        [line("envoi-partout", "300.10")], None,
        # GST 300.10 × 0.05 = 15.005 → 15.01 (half up; half-even would give 15.00)
        # QST 300.10 × 0.09975 = 29.934975 → 29.93; total 300.10 + 15.01 + 29.93 = 345.04
        Expected([("0.00", "300.10", "15.01", "29.93", "345.04")],
                 "300.10", "0.00", "300.10", "15.01", "29.93", "345.04"),
    ),
    "QST ending in .005 after an amount discount rounds up": (
        [line("vedette", "150.00")], amount("90.00", "vedette"),
        # net 150.00 − 90.00 = 60.00; GST 3.00; QST 60 × 0.09975 = 5.985 → 5.99 (half-even: 5.98)
        Expected([("90.00", "60.00", "3.00", "5.99", "68.99")],
                 "150.00", "90.00", "60.00", "3.00", "5.99", "68.99"),
    ),
    "QST ending in .005 after a percent discount rounds up": (
        [line("extension", "200.00")], percent("30"),
        # discount 60.00, net 140.00; GST 7.00; QST 140 × 0.09975 = 13.965 → 13.97; total 160.97
        Expected([("60.00", "140.00", "7.00", "13.97", "160.97")],
                 "200.00", "60.00", "140.00", "7.00", "13.97", "160.97"),
    ),
}


@pytest.mark.parametrize("name", list(CARTS))
def test_a_cart_is_priced_as_by_hand(name: str) -> None:
    lines, promo, expected = CARTS[name]
    quote = price_cart(lines, promo)
    got = [(str(pl.discount), str(pl.net), str(pl.gst), str(pl.qst), str(pl.total)) for pl in quote.lines]
    assert got == expected.lines
    assert (str(quote.subtotal), str(quote.discount), str(quote.net), str(quote.gst), str(quote.qst),
            str(quote.total)) == (expected.subtotal, expected.discount, expected.net, expected.gst, expected.qst,
                                  expected.total)
    assert quote.total_cents == int(D(expected.total) * 100)
    assert quote.promo_code == (promo.code if promo else None)


def test_lines_keep_their_product_price_quantity_and_description() -> None:
    [priced] = price_cart([PricedLineInput("extension", 3, D("200"), "Extension de 7 jours")], None).lines
    assert (priced.product_code, priced.description, priced.unit_price, priced.quantity, priced.gross) == (
        "extension", "Extension de 7 jours", D("200.00"), 3, D("600.00"))


@pytest.mark.parametrize(("quantity", "price"), [(0, "10.00"), (101, "10.00"), (1, "-1.00"), (1, "10.001")])
def test_a_bad_line_is_refused(quantity: int, price: str) -> None:
    with pytest.raises(ValueError):
        PricedLineInput("ing-1", quantity, D(price))


# Promo rules --------------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


def promo(**overrides) -> PromoCode:
    fields = {"code": "HIVER", "kind": "percent", "value": D("10"), "starts_on": date(2026, 11, 1),
              "ends_on": date(2026, 12, 31), "max_uses": 3, "uses": 0, "product_codes": frozenset()}
    return PromoCode(**{**fields, **overrides})


@pytest.mark.parametrize(("overrides", "today", "reason"), [
    ({}, date(2026, 10, 31), "not_started"),
    ({}, date(2027, 1, 1), "expired"),
    ({"uses": 3}, TODAY, "used_up"),
    ({"uses": 5}, TODAY, "used_up"),
    ({"product_codes": frozenset({"cpi-1"})}, TODAY, "not_applicable"),
])
def test_a_promo_is_refused_with_its_reason(overrides: dict, today: date, reason: str) -> None:
    with pytest.raises(PromoRejected) as caught:
        promo(**overrides).check([line("ing-1", "595.00")], today)
    assert caught.value.reason == reason


@pytest.mark.parametrize(("overrides", "today"), [
    ({}, date(2026, 11, 1)),  # first day
    ({}, date(2026, 12, 31)),  # last day: ends_on is inclusive
    ({"uses": 2}, TODAY),  # the last use
    ({"max_uses": None, "uses": 1000}, TODAY),  # no limit
    ({"starts_on": None, "ends_on": None}, date(2030, 1, 1)),  # no dates
    ({"product_codes": frozenset({"vedette", "ing-1"})}, TODAY),  # one line is enough
])
def test_a_promo_is_accepted_within_its_rules(overrides: dict, today: date) -> None:
    promo(**overrides).check([line("ing-1", "595.00"), line("extension", "200.00")], today)


def test_the_checks_come_in_the_order_a_buyer_can_act_on() -> None:
    expired_and_used = promo(uses=3, product_codes=frozenset({"cpi-1"}))
    with pytest.raises(PromoRejected, match="expired"):
        expired_and_used.check([line("ing-1", "595.00")], date(2027, 2, 1))


def test_every_reason_has_a_french_and_an_english_message() -> None:
    for reason in ("unknown", "not_started", "expired", "used_up", "not_applicable"):
        french, english = promo_message(reason, "fr"), promo_message(reason, "en")
        assert french and english and french != english
        assert PromoRejected(reason).message("en_CA") == english
    assert promo_message("unknown", "fr") == "Ce code promotionnel n’existe pas. Vérifiez-le et réessayez."
    assert promo_message("expired", "en") == "This promo code has expired."


def test_an_unknown_reason_cannot_be_raised() -> None:
    with pytest.raises(ValueError):
        PromoRejected("because")


@pytest.mark.parametrize("overrides", [
    {"kind": "gift"}, {"value": D("0")}, {"value": D("-5")}, {"value": D("101")}, {"value": D("1.005")},
    {"code": "hiver"}, {"code": ""}, {"code": "A" * 41}, {"starts_on": date(2027, 1, 1)}, {"max_uses": 0},
    {"uses": -1},
])
def test_a_malformed_promo_is_refused(overrides: dict) -> None:
    with pytest.raises(ValueError):
        promo(**overrides)


def test_codes_are_compared_upper_case_without_spaces() -> None:
    assert normalize_code("  hiver 2026 ") == "HIVER2026"


def test_a_promo_labels_itself_in_each_language() -> None:
    assert promo(value=D("12.5")).label("fr") == "HIVER (−12,5\u00a0%)"  # no-break spaces: never split
    assert promo(value=D("12.5")).label("en") == "HIVER (−12.5%)"
    assert promo(kind="amount", value=D("1000")).label("fr") == "HIVER (−1\u00a0000,00\u00a0$)"
    assert promo(kind="amount", value=D("1000")).label("en") == "HIVER (−$1,000.00)"


# Properties ---------------------------------------------------------------------------------

PRODUCTS = ["ing-1", "ing-5", "cpi-1", "vedette", "extension", "envoi-regions"]

cart_lines = st.lists(
    st.builds(PricedLineInput,
              product_code=st.sampled_from(PRODUCTS),
              quantity=st.integers(min_value=1, max_value=20),
              unit_price=st.integers(min_value=0, max_value=2_000_000).map(lambda cents: D(cents) / 100)),
    min_size=1, max_size=6)

promos = st.one_of(
    st.none(),
    st.builds(PromoCode, code=st.just("P"), kind=st.just("percent"),
              value=st.integers(min_value=1, max_value=10_000).map(lambda v: D(v) / 100),
              product_codes=st.frozensets(st.sampled_from(PRODUCTS), max_size=3)),
    st.builds(PromoCode, code=st.just("A"), kind=st.just("amount"),
              value=st.integers(min_value=1, max_value=5_000_000).map(lambda v: D(v) / 100),
              product_codes=st.frozensets(st.sampled_from(PRODUCTS), max_size=3)),
)


def _assert_consistent(quote: Quote) -> None:
    cent = D("0.01")
    for pl in quote.lines:
        assert pl.gross == pl.unit_price * pl.quantity
        assert 0 <= pl.discount <= pl.gross
        assert pl.net == pl.gross - pl.discount >= 0
        assert abs(pl.gst - pl.net * GST_RATE) <= cent / 2
        assert abs(pl.qst - pl.net * QST_RATE) <= cent / 2
        assert pl.total == pl.net + pl.gst + pl.qst
        for amount_ in (pl.discount, pl.net, pl.gst, pl.qst, pl.total):
            assert amount_ == amount_.quantize(cent)
    assert quote.subtotal == sum(pl.gross for pl in quote.lines)
    assert quote.discount == sum(pl.discount for pl in quote.lines)
    assert quote.net == quote.subtotal - quote.discount
    assert quote.gst == sum(pl.gst for pl in quote.lines)
    assert quote.qst == sum(pl.qst for pl in quote.lines)
    assert quote.total == quote.net + quote.gst + quote.qst == sum(pl.total for pl in quote.lines)
    assert quote.total >= 0
    # Per-line rounding stays within a cent per line of the tax on the whole net amount.
    assert abs(quote.gst - quote.net * GST_RATE) <= cent * len(quote.lines)
    assert abs(quote.qst - quote.net * QST_RATE) <= cent * len(quote.lines)


@settings(max_examples=200, deadline=None)
@given(cart_lines, promos)
def test_totals_are_the_sum_of_the_lines_and_never_negative(lines, promo_code) -> None:
    quote = price_cart(lines, promo_code)
    _assert_consistent(quote)
    if promo_code is None:
        assert quote.discount == 0
        return
    eligible = [pl for pl in quote.lines if promo_code.applies_to(pl.product_code)]
    assert all(pl.discount == 0 for pl in quote.lines if not promo_code.applies_to(pl.product_code))
    base = sum((pl.gross for pl in eligible), D("0"))
    if promo_code.kind == "amount":
        # The whole amount, or everything the covered lines are worth when it is larger, shared in
        # proportion to each line's gross to within a cent.
        taken = min(promo_code.value, base)
        assert quote.discount == taken
        for pl in eligible if base else []:
            assert abs(pl.discount - taken * pl.gross / base) < D("0.01")
    else:
        for pl in eligible:
            assert abs(pl.discount - pl.gross * promo_code.value / 100) <= D("0.005")
