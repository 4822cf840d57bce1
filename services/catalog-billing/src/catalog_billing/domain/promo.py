"""Promo codes: a percentage or an amount off, valid between two dates, a number of times, on some products.

`PromoCode.check(lines, today)` says whether the code applies to a cart, or raises `PromoRejected`
with a reason the buyer can read (`promo_message`). A code nobody knows is rejected as `unknown`
by whoever looked it up (`PromoRejected("unknown")`). How much a valid code takes off each line is
pricing's business (pricing.price_cart).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol

from catalog_billing.domain.formatting import format_money

KINDS = ("percent", "amount")
REASONS = ("unknown", "not_started", "expired", "used_up", "not_applicable")
CODE_MAX_LENGTH = 40

MESSAGES: dict[str, tuple[str, str]] = {  # reason → (French, English)
    "unknown": ("Ce code promotionnel n’existe pas. Vérifiez-le et réessayez.",
                "This promo code does not exist. Check it and try again."),
    "not_started": ("Ce code promotionnel n’est pas encore en vigueur.",
                    "This promo code is not valid yet."),
    "expired": ("Ce code promotionnel est expiré.",
                "This promo code has expired."),
    "used_up": ("Ce code promotionnel a atteint son nombre maximal d’utilisations.",
                "This promo code has reached its maximum number of uses."),
    "not_applicable": ("Ce code promotionnel ne s’applique à aucun produit de votre panier.",
                       "This promo code does not apply to any product in your cart."),
}


class PromoRejected(Exception):
    """The code cannot be used on this cart; `reason` is one of REASONS."""

    def __init__(self, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown promo rejection reason {reason!r}")
        super().__init__(reason)
        self.reason = reason

    def message(self, locale: str) -> str:
        return promo_message(self.reason, locale)


def promo_message(reason: str, locale: str) -> str:
    """The buyer's message for a rejection reason, in French or English."""
    french, english = MESSAGES.get(reason, MESSAGES["unknown"])
    return english if (locale or "").lower().startswith("en") else french


def normalize_code(text: str) -> str:
    """What the buyer typed, as codes are stored: trimmed, upper-case, no inner spaces."""
    return "".join((text or "").split()).upper()


class HasProductCode(Protocol):
    @property
    def product_code(self) -> str: ...


@dataclass(frozen=True)
class PromoCode:
    code: str
    kind: str  # "percent" | "amount"
    #: Percent: 10 means 10 %; amount: dollars off the eligible lines, before taxes.
    value: Decimal
    starts_on: date | None = None
    #: The last day the code may be used (inclusive).
    ends_on: date | None = None
    #: None: no limit.
    max_uses: int | None = None
    uses: int = 0
    #: Empty: every product; otherwise only these product codes are discounted.
    product_codes: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.code or len(self.code) > CODE_MAX_LENGTH or self.code != normalize_code(self.code):
            raise ValueError(f"promo code {self.code!r}: upper-case letters and digits, no spaces, "
                             f"at most {CODE_MAX_LENGTH} characters")
        if self.kind not in KINDS:
            raise ValueError(f"promo kind must be one of {KINDS}")
        value = Decimal(self.value)
        if not value.is_finite() or value <= 0:
            raise ValueError("a promo's value must be more than 0")
        if self.kind == "percent" and value > 100:
            raise ValueError("a percentage cannot be more than 100")
        if value != value.quantize(Decimal("0.01")):
            raise ValueError("a promo's value has at most two decimals")
        object.__setattr__(self, "value", value)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValueError("a promo cannot end before it starts")
        if self.max_uses is not None and self.max_uses < 1:
            raise ValueError("max_uses must be at least 1 (or None: no limit)")
        if self.uses < 0:
            raise ValueError("uses cannot be negative")
        object.__setattr__(self, "product_codes", frozenset(self.product_codes))

    def applies_to(self, product_code: str) -> bool:
        return not self.product_codes or product_code in self.product_codes

    def check(self, lines: Iterable[HasProductCode], today: date) -> None:
        """Raise PromoRejected unless this code may be used today on a cart with these lines.

        The order of the checks is the order a buyer can act on: dates, uses, then products.
        """
        if self.starts_on is not None and today < self.starts_on:
            raise PromoRejected("not_started")
        if self.ends_on is not None and today > self.ends_on:
            raise PromoRejected("expired")
        if self.max_uses is not None and self.uses >= self.max_uses:
            raise PromoRejected("used_up")
        if not any(self.applies_to(line.product_code) for line in lines):
            raise PromoRejected("not_applicable")

    def label(self, locale: str) -> str:
        """`PRINTEMPS25 (−25 %)`, `BIENVENUE (−100,00 $)`: the discount line of a cart or invoice."""
        english = (locale or "").lower().startswith("en")
        if self.kind == "percent":
            number = f"{self.value.normalize():f}"
            amount = f"{number}%" if english else f"{number}\u00a0%".replace(".", ",")
        else:
            amount = format_money(self.value, locale)
        return f"{self.code} (−{amount})"
