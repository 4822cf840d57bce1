"""A group's cart: what its buyers picked from the catalog, before checkout.

One open cart per group (all its buyers share it). A line is a catalog product with a quantity, or
a quoted product (envoi personnalisé) carrying its `quote_id`: the quote sets the amount, and a
quote is in the cart at most once. Prices are not kept here: checkout prices the lines when it
takes its snapshot (`price_cart`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from catalog_billing.domain.errors import BillingError, InvalidInput

MAX_QUANTITY = 100
MAX_LINES = 30


@dataclass
class CartLine:
    id: str
    product_code: str
    quantity: int
    added_at: datetime
    #: A quoted product's quote (its amount is the line's unit price).
    quote_id: str | None = None
    #: The quote's amount (CAD before taxes) for a quoted line; None for a catalog price.
    quoted_price: Decimal | None = None


@dataclass
class Cart:
    group_id: str
    lines: list[CartLine] = field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def count(self) -> int:
        return len(self.lines)

    def add(self, line: CartLine) -> CartLine:
        """Add a product; the same catalog product again adds to its line's quantity."""
        if line.quantity < 1 or line.quantity > MAX_QUANTITY:
            raise invalid_quantity()
        if line.quote_id is not None:
            if any(existing.quote_id == line.quote_id for existing in self.lines):
                raise quote_already_in_cart()
        else:
            for existing in self.lines:
                if existing.product_code == line.product_code and existing.quote_id is None:
                    if existing.quantity + line.quantity > MAX_QUANTITY:
                        raise invalid_quantity()
                    existing.quantity += line.quantity
                    self.updated_at = line.added_at
                    return existing
        if len(self.lines) >= MAX_LINES:
            raise cart_full()
        self.lines.append(line)
        self.updated_at = line.added_at
        return line

    def remove(self, line_id: str, now: datetime) -> None:
        """Remove a line; a line already gone is not an error (a second click, another buyer)."""
        self.lines = [line for line in self.lines if line.id != line_id]
        self.updated_at = now

    def empty(self, now: datetime) -> None:
        self.lines = []
        self.updated_at = now


def invalid_quantity() -> InvalidInput:
    return InvalidInput("invalid_quantity", f"La quantité doit être un nombre entier de 1 à {MAX_QUANTITY}.",
                        f"The quantity must be a whole number from 1 to {MAX_QUANTITY}.", field="quantity")


def quote_already_in_cart() -> InvalidInput:
    return InvalidInput("quote_in_cart", "Cette soumission est déjà dans le panier.",
                        "This quote is already in the cart.", field="quote_id")


def cart_full() -> InvalidInput:
    return InvalidInput("cart_full", f"Le panier compte déjà {MAX_LINES} lignes : passez à la caisse d'abord.",
                        f"The cart already has {MAX_LINES} lines: check out first.", field="product_code")


def empty_cart() -> BillingError:
    return InvalidInput("empty_cart", "Votre panier est vide : ajoutez un produit avant de passer à la caisse.",
                        "Your cart is empty: add a product before checking out.")
