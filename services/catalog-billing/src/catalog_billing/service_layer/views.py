"""Read models for pages and the API: `view(uow, ...)`, run by `bus.query` (nothing committed).

Each part adds its own views here (DESIGN.md). [core]: balances, ledger, reservations, quotes,
a group's invoices (from [checkout]'s repository once it exists).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from catalog_billing.domain import errors
from catalog_billing.domain.ledger import CREDIT_TYPES, CreditEntry, Reservation
from catalog_billing.service_layer.access import Actor, authorize
from catalog_billing.service_layer.ports import Quote, UnitOfWork
from plumbing.auth.permissions import Permission


def credit_balances(uow: UnitOfWork, actor: Actor, group_id: str) -> dict[str, int]:
    """Every credit type with its balance (0 for the types the group never had). Any member."""
    authorize(uow, actor, group_id, Permission.VIEW_TRANSACTIONS)
    found = uow.credits.balances(group_id)
    return {t: found.get(t, 0) for t in CREDIT_TYPES} | found


def credit_entries(uow: UnitOfWork, actor: Actor, group_id: str, limit: int = 100,
                   offset: int = 0) -> Sequence[CreditEntry]:
    """The ledger, newest first. Any member."""
    authorize(uow, actor, group_id, Permission.VIEW_TRANSACTIONS)
    return uow.credits.entries(group_id, limit=limit, offset=offset)


def reservation(uow: UnitOfWork, actor: Actor, offer_id: str, credit_type: str) -> Reservation:
    found = uow.credits.get_reservation(offer_id, credit_type)
    if found is None:
        raise errors.reservation_not_found()
    authorize(uow, actor, found.group_id, Permission.VIEW_TRANSACTIONS)
    return found


def quote(uow: UnitOfWork, actor: Actor, quote_id: str) -> Quote:
    found = uow.quotes.get(quote_id)
    if found is None:
        raise errors.quote_not_found()
    authorize(uow, actor, found.group_id, Permission.VIEW_TRANSACTIONS)
    return found


def group_invoices(uow: UnitOfWork, actor: Actor, group_id: str) -> list[dict[str, Any]]:
    """The group's invoices, newest first, as [checkout]'s `uow.invoices.for_group(group_id)` gives
    them (dicts with the fields of the API's InvoiceSummary); none until that repository exists."""
    authorize(uow, actor, group_id, Permission.VIEW_TRANSACTIONS)
    repository = getattr(uow, "invoices", None)
    if repository is None or not hasattr(repository, "for_group"):
        return []
    return list(repository.for_group(group_id))


# checkout (pages) ------------------------------------------------------------------------------
def my_groups(uow: UnitOfWork, account_id: str) -> list[dict[str, Any]]:
    """The caller's groups (id, name, company_name, role) for the pages' switcher and checks."""
    return list(uow.memberships.groups_of(account_id))


def cart_count(uow: UnitOfWork, group_id: str) -> int:
    """Lines in the group's open cart (the header's cart link)."""
    carts = getattr(uow, "carts", None)
    if carts is None:
        return 0
    cart = carts.get(group_id)
    return len(cart.lines) if cart is not None else 0
