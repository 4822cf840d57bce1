"""Command handlers: `handler(command, uow, deps)`; the bus commits (docs/decisions.md §21).

One table, `COMMAND_HANDLERS`; each part of the service adds its own section (DESIGN.md):
credits and quotes by [core], cart and checkout by [checkout], payments' events by [payments]
and [checkout], staff by [staff].
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from catalog_billing.domain import errors
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import credits
from catalog_billing.service_layer.access import Actor, authorize
from catalog_billing.service_layer.checkout import HANDLERS as CHECKOUT_HANDLERS
from catalog_billing.service_layer.ports import Dependencies, Quote, UnitOfWork
from catalog_billing.service_layer.records import RECORDS_HANDLERS
from catalog_billing.service_layer.staff import STAFF_HANDLERS
from plumbing.auth.permissions import Permission
from plumbing.messagebus import Handler

#: The most persons a quote may count (a sanity bound, far above Québec's engineers).
MAX_PERSONS = 1_000_000


# credits -------------------------------------------------------------------------------------
def reserve_credit(cmd: c.ReserveCredit, uow: UnitOfWork, deps: Dependencies) -> credits.ReservationResult:
    authorize(uow, cmd.actor, cmd.group_id, Permission.CREATE_PUBLISH_OFFERS)
    return credits.reserve(uow, offer_id=cmd.offer_id, credit_type=cmd.credit_type, group_id=cmd.group_id,
                           actor_account_id=cmd.actor.account_id, now=deps.clock.now())


def _authorize_on_reservation(uow: UnitOfWork, actor: Actor, offer_id: str, credit_type: str) -> None:
    """The reservation's group decides; no reservation and not a member are the same 404."""
    found = uow.credits.get_reservation(offer_id, credit_type)
    if found is None:
        raise errors.reservation_not_found()
    authorize(uow, actor, found.group_id, Permission.CREATE_PUBLISH_OFFERS)


def consume_credit(cmd: c.ConsumeCredit, uow: UnitOfWork, deps: Dependencies) -> credits.ReservationResult:
    _authorize_on_reservation(uow, cmd.actor, cmd.offer_id, cmd.credit_type)
    return credits.consume(uow, offer_id=cmd.offer_id, credit_type=cmd.credit_type,
                           actor_account_id=cmd.actor.account_id, now=deps.clock.now())


def release_credit(cmd: c.ReleaseCredit, uow: UnitOfWork, deps: Dependencies) -> credits.ReservationResult:
    _authorize_on_reservation(uow, cmd.actor, cmd.offer_id, cmd.credit_type)
    return credits.release(uow, offer_id=cmd.offer_id, credit_type=cmd.credit_type,
                           actor_account_id=cmd.actor.account_id, now=deps.clock.now())


def quote_amount_cents(product: Any, persons: int) -> int:
    """Base price + per-person price × persons, in cents (CAD before taxes), rounded half up."""
    amount = Decimal(product.unit_price) + Decimal(product.per_person_price or 0) * persons
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def create_quote(cmd: c.CreateQuote, uow: UnitOfWork, deps: Dependencies) -> Quote:
    authorize(uow, cmd.actor, cmd.group_id, Permission.CREATE_PUBLISH_OFFERS)
    try:
        product = deps.catalog.get(cmd.product_code)
    except (KeyError, LookupError):
        product = None
    if product is None:
        raise errors.unknown_product(cmd.product_code)
    if not getattr(product, "quoted", False):
        raise errors.product_not_quoted()
    if isinstance(cmd.persons, bool) or not isinstance(cmd.persons, int) or not 0 <= cmd.persons <= MAX_PERSONS:
        raise errors.invalid_persons()
    quote = Quote(id=credits.new_id(), group_id=cmd.group_id, offer_id=cmd.offer_id, product_code=cmd.product_code,
                  persons=cmd.persons, amount_cents=quote_amount_cents(product, cmd.persons),
                  created_at=deps.clock.now(), actor_account_id=cmd.actor.account_id)
    uow.quotes.add(quote)
    return quote


#: Command type → its one handler.
COMMAND_HANDLERS: dict[type, Handler] = {
    # credits
    c.ReserveCredit: reserve_credit,
    c.ConsumeCredit: consume_credit,
    c.ReleaseCredit: release_credit,
    c.CreateQuote: create_quote,
    # staff
    **STAFF_HANDLERS,
    **RECORDS_HANDLERS,
    # checkout
    **CHECKOUT_HANDLERS,
}
