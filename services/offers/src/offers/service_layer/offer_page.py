"""The public offer page's reads and its one write (issue 11, docs/jobsite-design.md "Offer page").

- `public_offer`: an offer online now, or one that was and is not any more (its page says it
  expired); anything else (a draft, an offer in validation never published, a scheduled one before
  its date) is `OfferNotFound`: 404, as if it did not exist.
- `RecordApplyClick`: [Postuler] of an offer applied to by URL, counted once per offer, Québec day
  and visitor (`offer_apply_clicks`); metrics will read them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from offers.domain.offer import Offer, OfferNotFound, quebec_day
from offers.service_layer.ports import Dependencies, UnitOfWork


@dataclass(frozen=True)
class PublicOffer:
    offer: Offer
    #: False: it was online and is not any more (expired, ended, withdrawn, archived).
    online: bool


def public_offer(uow: UnitOfWork, offer_id: str, *, now: datetime) -> PublicOffer:
    offer = uow.offers.get(offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    if offer.is_online(now):
        return PublicOffer(offer, True)
    if offer.was_online(now):
        return PublicOffer(offer, False)
    raise OfferNotFound(offer_id)


@dataclass(frozen=True)
class RecordApplyClick:
    offer_id: str
    #: A keyed hash naming the visitor for the day (entrypoints.web_offer_apply.visitor_id).
    visitor: str


def record_apply_click(cmd: RecordApplyClick, uow: UnitOfWork, deps: Dependencies) -> bool:
    """True when the click was counted (the offer is online, applied to by URL, still open, and the
    visitor's click of the day was not counted yet)."""
    now = deps.clock.now()
    offer = uow.offers.get(cmd.offer_id)
    if offer is None or not offer.is_online(now):
        raise OfferNotFound(cmd.offer_id)
    if offer.config.apply_method != "url" or offer.applications_closed(now):
        return False
    return uow.apply_clicks.record(offer.id, quebec_day(now), cmd.visitor, now)


CLICK_COMMAND_HANDLERS: dict[type, Callable[[Any, Any, Any], Any]] = {RecordApplyClick: record_apply_click}
