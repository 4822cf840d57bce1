"""[checkout]'s read models for the pages: the catalog with the group's cart, the cart priced before
taxes, the caisse's choices (addresses, payment modes), a checkout. Each checks the caller's role."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from catalog_billing.domain.checkout import BillingAddress, Checkout
from catalog_billing.service_layer.access import Actor, authorize
from catalog_billing.service_layer.checkout import _base_lines, _own_checkout
from catalog_billing.service_layer.ports import Dependencies, UnitOfWork
from plumbing.auth.permissions import Permission


@dataclass(frozen=True)
class CartView:
    lines: list[dict[str, Any]]
    subtotal: Decimal

    @property
    def count(self) -> int:
        return len(self.lines)


def cart(uow: UnitOfWork, deps: Dependencies, actor: Actor, group_id: str, locale: str) -> CartView:
    authorize(uow, actor, group_id, Permission.BUY_PRODUCTS)
    found = uow.carts.get(group_id)
    if found is None:
        return CartView([], Decimal("0.00"))
    priced = _base_lines(found, deps, locale)
    lines = []
    for line, snapshot in zip([x for x in found.lines if deps.catalog.get(x.product_code)], priced, strict=True):
        lines.append({"id": line.id, "product_code": line.product_code, "name": snapshot.description,
                      "quantity": line.quantity, "unit_price": snapshot.unit_price,
                      "gross": (snapshot.unit_price * line.quantity).quantize(Decimal("0.01")),
                      "quoted": line.quote_id is not None})
    return CartView(lines, sum((line["gross"] for line in lines), Decimal("0.00")))


@dataclass(frozen=True)
class CaisseChoices:
    addresses: list[BillingAddress]
    invoice_payment: bool
    company_id: str


def caisse_choices(uow: UnitOfWork, actor: Actor, group_id: str) -> CaisseChoices:
    """The company's billing addresses (every group's) and whether it may pay on invoice."""
    authorize(uow, actor, group_id, Permission.BUY_PRODUCTS)
    group = uow.companies.group(group_id)
    company_id = group.company_id if group else ""
    addresses = uow.addresses.for_company(company_id) if company_id else []
    eligible = bool(company_id) and uow.companies.invoice_payment_eligible(company_id)
    return CaisseChoices(addresses, eligible, company_id)


def checkout(uow: UnitOfWork, actor: Actor, checkout_id: str) -> Checkout:
    return _own_checkout(uow, actor, checkout_id)


def invoice_number(uow: UnitOfWork, actor: Actor, checkout_id: str) -> tuple[Checkout, str | None]:
    found = _own_checkout(uow, actor, checkout_id)
    invoice = uow.invoices.get(found.invoice_id) if found.invoice_id else None
    return found, invoice.number if invoice else None
