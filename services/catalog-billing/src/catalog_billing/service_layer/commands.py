"""Commands of catalog-billing: one frozen dataclass each, one section per part (DESIGN.md).
One handler each (handlers.COMMAND_HANDLERS)."""

from __future__ import annotations

from dataclasses import dataclass

from catalog_billing.service_layer.access import Actor


# credits
# The credit API of the offers service, idempotent on (offer_id, credit_type). The handler checks
# the actor: staff, or a member whose role carries create_publish_offers in the group.
@dataclass(frozen=True)
class ReserveCredit:
    offer_id: str
    credit_type: str
    group_id: str
    actor: Actor


@dataclass(frozen=True)
class ConsumeCredit:
    offer_id: str
    credit_type: str
    actor: Actor


@dataclass(frozen=True)
class ReleaseCredit:
    offer_id: str
    credit_type: str
    actor: Actor


@dataclass(frozen=True)
class CreateQuote:
    """A price for a quoted product (envoi personnalisé) for one offer: base + per person reached."""

    group_id: str
    offer_id: str
    product_code: str
    persons: int
    actor: Actor
