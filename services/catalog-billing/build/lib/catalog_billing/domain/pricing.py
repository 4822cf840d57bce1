"""The price of a cart: lines, promo discount, GST and QST, totals — Decimal, to the cent.

Québec rule as Revenu Québec expects it on an invoice: each tax is computed **per line** on the
line's net amount (its gross less its share of the promo discount) and rounded half up to the
cent; the invoice's tax is the sum of its lines' taxes. QST is on the net amount, not on
net + GST (since 2013).

How a promo's discount reaches the lines (decisions.md):
- percent: each eligible line's discount is its gross × rate, rounded half up to the cent;
- amount: the amount (at most the eligible lines' gross) is shared in proportion to each eligible
  line's gross, every share rounded down to the cent, and the cents left over go one each to the
  lines with the largest remainders (ties: the earlier line). The shares add up to the amount
  exactly and no line's discount exceeds its gross, so no line is ever negative.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from catalog_billing.domain.promo import PromoCode

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
GST_RATE = Decimal("0.05")
QST_RATE = Decimal("0.09975")
MAX_QUANTITY = 100


def round_cents(amount: Decimal) -> Decimal:
    """Half up to the cent: 0.005 → 0.01 (the rounding the tax authorities use)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def gst_on(net: Decimal) -> Decimal:
    return round_cents(net * GST_RATE)


def qst_on(net: Decimal) -> Decimal:
    return round_cents(net * QST_RATE)


@dataclass(frozen=True)
class PricedLineInput:
    """One cart line to price. `unit_price` comes from the catalog, or from a quote (quoted products)."""

    product_code: str
    quantity: int
    unit_price: Decimal
    description: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int) \
                or not 1 <= self.quantity <= MAX_QUANTITY:
            raise ValueError(f"quantity must be a whole number from 1 to {MAX_QUANTITY}")
        price = Decimal(self.unit_price)
        if not price.is_finite() or price < 0:
            raise ValueError("a unit price cannot be negative")
        if price != price.quantize(CENT):
            raise ValueError("a unit price has at most two decimals")
        object.__setattr__(self, "unit_price", price.quantize(CENT))


@dataclass(frozen=True)
class PricedLine:
    product_code: str
    description: str
    unit_price: Decimal
    quantity: int
    #: unit_price × quantity
    gross: Decimal
    #: This line's share of the promo discount (0 when none).
    discount: Decimal
    #: gross − discount: what the taxes are computed on.
    net: Decimal
    gst: Decimal
    qst: Decimal
    #: net + gst + qst
    total: Decimal

    @classmethod
    def build(cls, product_code: str, description: str, unit_price: Decimal, quantity: int,
              discount: Decimal = ZERO) -> PricedLine:
        """A line from its price, quantity and discount: the rest is computed (also used to rebuild
        a stored invoice's lines)."""
        gross = (unit_price * quantity).quantize(CENT)
        discount = discount.quantize(CENT)
        if discount < 0 or discount > gross:
            raise ValueError("a line's discount is between 0 and its gross amount")
        net = gross - discount
        gst, qst = gst_on(net), qst_on(net)
        return cls(product_code=product_code, description=description, unit_price=unit_price.quantize(CENT),
                   quantity=quantity, gross=gross, discount=discount, net=net, gst=gst, qst=qst,
                   total=net + gst + qst)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO).quantize(CENT)


@dataclass(frozen=True)
class Quote:
    """A priced cart. Every total is the sum of its lines' amounts (so cents always add up)."""

    lines: tuple[PricedLine, ...]
    promo_code: str | None = None

    @property
    def subtotal(self) -> Decimal:
        """Before the discount and taxes: the lines' gross amounts."""
        return _sum(line.gross for line in self.lines)

    @property
    def discount(self) -> Decimal:
        return _sum(line.discount for line in self.lines)

    @property
    def net(self) -> Decimal:
        """After the discount, before taxes."""
        return _sum(line.net for line in self.lines)

    @property
    def gst(self) -> Decimal:
        return _sum(line.gst for line in self.lines)

    @property
    def qst(self) -> Decimal:
        return _sum(line.qst for line in self.lines)

    @property
    def total(self) -> Decimal:
        return _sum(line.total for line in self.lines)

    @property
    def total_cents(self) -> int:
        """What the processor charges."""
        return int(self.total * 100)


def _percent_discounts(grosses: Sequence[Decimal], eligible: Sequence[bool], percent: Decimal) -> list[Decimal]:
    rate = percent / Decimal(100)
    return [min(gross, round_cents(gross * rate)) if ok else ZERO for gross, ok in zip(grosses, eligible, strict=True)]


def _amount_discounts(grosses: Sequence[Decimal], eligible: Sequence[bool], amount: Decimal) -> list[Decimal]:
    """Share `amount` over the eligible lines in proportion to their gross (largest remainder)."""
    base = _sum(g for g, ok in zip(grosses, eligible, strict=True) if ok)
    shares = [ZERO] * len(grosses)
    if base <= 0:
        return shares
    amount = min(amount, base)
    remainders: list[tuple[Decimal, int]] = []
    for index, (gross, ok) in enumerate(zip(grosses, eligible, strict=True)):
        if not ok:
            continue
        exact = amount * gross / base
        shares[index] = exact.quantize(CENT, rounding=ROUND_DOWN)
        remainders.append((exact - shares[index], index))
    left = int((amount - _sum(shares)) / CENT)
    # Largest remainder first; among equals, the earlier line (a stable sort on the remainder).
    for _, index in sorted(remainders, key=lambda r: r[0], reverse=True)[:left]:
        shares[index] += CENT
    return shares


def line_discounts(lines: Sequence[PricedLineInput], promo: PromoCode | None) -> list[Decimal]:
    """Each line's share of the promo's discount (zeros without a promo)."""
    grosses = [(line.unit_price * line.quantity).quantize(CENT) for line in lines]
    if promo is None:
        return [ZERO] * len(lines)
    eligible = [promo.applies_to(line.product_code) for line in lines]
    if promo.kind == "percent":
        return _percent_discounts(grosses, eligible, promo.value)
    return _amount_discounts(grosses, eligible, promo.value)


def price_cart(lines: Sequence[PricedLineInput], promo: PromoCode | None) -> Quote:
    """Price the lines with the promo (already checked: `PromoCode.check`), taxes per line."""
    discounts = line_discounts(lines, promo)
    priced = tuple(
        PricedLine.build(line.product_code, line.description, line.unit_price, line.quantity, discount)
        for line, discount in zip(lines, discounts, strict=True)
    )
    return Quote(lines=priced, promo_code=promo.code if promo is not None else None)
