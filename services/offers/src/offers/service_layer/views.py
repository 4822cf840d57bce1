"""Read-only views, `view(uow, ...)`, run by `bus.query(view, ...)` (nothing is committed).

Members of the group (principal·e, affichage, finances) and staff see a group's offers; anyone
else gets `NotAMember` (404). `now` is the caller's clock (`bus.deps.clock.now()`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from offers.domain.offer import (
    EXPIRING_SOON_DAYS,
    Actor,
    Offer,
    OfferEvent,
    OfferNotFound,
    OfferStatus,
)
from offers.domain.search import SearchHit, SearchQuery, SearchResult
from offers.service_layer.commands import Caller
from offers.service_layer.handlers import actor_for
from offers.service_layer.ports import UnitOfWork

#: The status filter's "Tous": everything but archived.
ALL_VISIBLE = frozenset(s.value for s in OfferStatus if s != OfferStatus.ARCHIVED)
#: Where an online offer may be: published, or changed and waiting for (or back from) validation.
ONLINE_STATUSES = frozenset({OfferStatus.PUBLISHED.value, OfferStatus.IN_VALIDATION.value, OfferStatus.TO_REVISE.value})


@dataclass(frozen=True)
class OfferItem:
    """An offer as a viewer sees it: is it online now, and which actions may they take."""

    offer: Offer
    online: bool
    actions: tuple[str, ...]


@dataclass(frozen=True)
class OfferDetails(OfferItem):
    history: tuple[OfferEvent, ...] = ()


@dataclass(frozen=True)
class Alerts:
    """The dashboard's alerts: offers returned for revision, offers ending within 10 days."""

    to_revise: tuple[OfferItem, ...]
    expiring: tuple[OfferItem, ...]


def _item(offer: Offer, actor: Actor, now: datetime) -> OfferItem:
    return OfferItem(offer, offer.is_online(now), tuple(offer.allowed_actions(actor)))


def list_offers(
    uow: UnitOfWork,
    caller: Caller,
    group_id: str,
    status: str | None = None,
    *,
    now: datetime,
    limit: int = 100,
    offset: int = 0,
) -> list[OfferItem]:
    """« Mes offres d'emploi »: `status` None is "Tous" (archived ones hidden), else that status."""
    actor = actor_for(uow, caller, group_id)
    statuses = ALL_VISIBLE if status is None else frozenset({status})
    return [_item(o, actor, now) for o in uow.offers.for_group(group_id, statuses, limit=limit, offset=offset)]


def counts_by_status(uow: UnitOfWork, caller: Caller, group_id: str) -> dict[str, int]:
    """Every status with its count (0 included), for the dashboard and the filter's tabs."""
    actor_for(uow, caller, group_id)
    found = uow.offers.count_by_status(group_id)
    return {s.value: found.get(s.value, 0) for s in OfferStatus}


def alerts(uow: UnitOfWork, caller: Caller, group_id: str, *, now: datetime) -> Alerts:
    actor = actor_for(uow, caller, group_id)
    to_revise = uow.offers.for_group(group_id, frozenset({OfferStatus.TO_REVISE.value}))
    soon = now + timedelta(days=EXPIRING_SOON_DAYS)
    expiring = [
        o
        for o in uow.offers.for_group(group_id, ONLINE_STATUSES)
        if o.publication_ends_at is not None and now < o.publication_ends_at <= soon and o.is_online(now)
    ]
    expiring.sort(key=lambda o: o.publication_ends_at or now)
    return Alerts(tuple(_item(o, actor, now) for o in to_revise), tuple(_item(o, actor, now) for o in expiring))


def get_offer(uow: UnitOfWork, caller: Caller, offer_id: str, *, now: datetime) -> OfferDetails:
    """The offer with its history (oldest first), for members of its group and staff."""
    offer = uow.offers.get(offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    actor = actor_for(uow, caller, offer.group_id)
    return OfferDetails(offer, offer.is_online(now), tuple(offer.allowed_actions(actor)), tuple(offer.history))


def published_offers(uow: UnitOfWork, *, now: datetime, limit: int = 100, offset: int = 0) -> list[Offer]:
    """What the public sees now (decided by the predicate in the query, not by a tick)."""
    return uow.offers.online(now, limit=limit, offset=offset)


def published_offer(uow: UnitOfWork, offer_id: str, *, now: datetime) -> Offer:
    """One public offer; OfferNotFound when it is not online now."""
    offer = uow.offers.get(offer_id)
    if offer is None or not offer.is_online(now):
        raise OfferNotFound(offer_id)
    return offer


# The public search (docs/jobsite-design.md, "Search") ---------------------------------------------


def search_offers(uow: UnitOfWork, query: SearchQuery, *, now: datetime) -> SearchResult:
    """The offers online now matching the query (text, filters, page), with the facet counts."""
    return uow.search.search(query, now=now)


def featured_offers(uow: UnitOfWork, *, now: datetime, limit: int = 6) -> tuple[SearchHit, ...]:
    """The offers featured ("en vedette") and online now, newest first."""
    return uow.search.featured(now=now, limit=limit)


def similar_offers(uow: UnitOfWork, offer_id: str, *, now: datetime, limit: int = 4) -> tuple[SearchHit, ...]:
    """Online offers like this one (which may itself be expired), for its page."""
    return uow.search.similar(offer_id, now=now, limit=limit)


# The job site's pages -----------------------------------------------------------------------------


def online_offer_ids(
    uow: UnitOfWork, *, now: datetime, after: str = "", limit: int = 1000
) -> list[tuple[str, datetime]]:
    """(id, published_at) of offers online now, by id after `after`: the sitemap's keyset pages."""
    return uow.offers.online_ids(now, after=after, limit=limit)


def company_names(uow: UnitOfWork, company_ids: Collection[str]) -> dict[str, str]:
    """The display names of companies (the job site's « Entreprise » filter shows names, not ids)."""
    return uow.brandings.company_names(company_ids)
