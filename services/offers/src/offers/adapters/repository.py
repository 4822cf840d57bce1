"""Repositories: brandings over the mapped class; offers with Core statements (plain rows in,
plain domain objects out, so nothing the session tracks leaks into the domain)."""

from __future__ import annotations

from collections.abc import Collection, Container, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, insert, not_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from offers.adapters.orm import company_brandings, offer_history, offer_notices, offers
from offers.adapters.search_sql import company_of
from offers.domain.model import CompanyBranding
from offers.domain.offer import Offer, OfferConfig, OfferContent, OfferEvent, OfferStatus, stale
from offers.service_layer.ports import OfferSearch


class SqlBrandingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, group_id: str) -> CompanyBranding | None:
        return self.session.get(CompanyBranding, group_id)

    def add(self, branding: CompanyBranding) -> None:
        self.session.add(branding)

    def company_names(self, company_ids: Collection[str]) -> dict[str, str]:
        if not company_ids:
            return {}
        rows = self.session.execute(
            select(company_brandings.c.company_id, company_brandings.c.company_name)
            .where(company_brandings.c.company_id.in_(list(company_ids)))
            .order_by(company_brandings.c.company_id, company_brandings.c.changed_at)
        )
        return {company_id: name for company_id, name in rows}  # the latest change of a company wins


def _row(offer: Offer) -> dict[str, Any]:
    return {
        "group_id": offer.group_id,
        "profile": offer.profile,
        "status": str(offer.status),
        "created_by": offer.created_by,
        "created_at": offer.created_at,
        "updated_at": offer.updated_at,
        "title_fr": offer.content.title_fr[:150],
        "content": offer.content.to_dict(),
        "config": offer.config.to_dict(),
        "hints": list(offer.hints),
        "live_content": offer.live_content.to_dict() if offer.live_content is not None else None,
        "published_at": offer.published_at,
        "publication_ends_at": offer.publication_ends_at,
        "featured_until": offer.featured_until,
        "ever_published": offer.ever_published,
        "ended_at": offer.ended_at,
        "submitted_at": offer.submitted_at,
        "submitted_by": offer.submitted_by,
        "credit_types_reserved": list(offer.credit_types_reserved),
    }


def offer_row(offer: Offer) -> dict[str, Any]:
    """The whole `offers` row of a new offer (add, and the demo generator's bulk inserts)."""
    return {"id": offer.id, "version": offer.version, **_row(offer)}


def _offer(row: Mapping[str, Any], history: list[OfferEvent]) -> Offer:
    return Offer(
        id=row["id"],
        group_id=row["group_id"],
        profile=row["profile"],
        status=OfferStatus(row["status"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        content=OfferContent.from_dict(row["content"]),
        config=OfferConfig.from_dict(row["config"]),
        version=row["version"],
        hints=list(row["hints"] or []),
        live_content=OfferContent.from_dict(row["live_content"]) if row["live_content"] is not None else None,
        published_at=row["published_at"],
        publication_ends_at=row["publication_ends_at"],
        featured_until=row["featured_until"],
        ever_published=bool(row["ever_published"]),
        ended_at=row["ended_at"],
        submitted_at=row["submitted_at"],
        submitted_by=row["submitted_by"],
        credit_types_reserved=tuple(row["credit_types_reserved"] or ()),
        history=history,
        stored_history=len(history),
    )


def _event(row: Mapping[str, Any]) -> OfferEvent:
    return OfferEvent(
        at=row["at"],
        actor_id=row["actor_id"],
        actor_kind=row["actor_kind"],
        action=row["action"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        reason=row["reason"],
        id=row["id"],
    )


#: The `is_online` predicate, in SQL (PRODUCT §10: what is public never waits for a tick).
def online_clause(now: datetime) -> Any:
    return and_(
        offers.c.live_content.is_not(None),
        offers.c.published_at <= now,
        offers.c.publication_ends_at > now,
        offers.c.ended_at.is_(None),
        offers.c.status != OfferStatus.ARCHIVED.value,
    )


class SqlOfferRepository:
    """`search`: the index kept in step with every write (an offer that gets or changes live
    content is reindexed, one that ends is dropped), in the same transaction."""

    def __init__(self, session: Session, search: OfferSearch | None = None) -> None:
        self.session = session
        self.search = search

    # reads -----------------------------------------------------------------------------------
    def _load(self, rows: list[Mapping[str, Any]]) -> list[Offer]:
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        events: dict[str, list[OfferEvent]] = {i: [] for i in ids}
        for h in self.session.execute(
            select(offer_history)
            .where(offer_history.c.offer_id.in_(ids))
            .order_by(offer_history.c.offer_id, offer_history.c.seq)
        ).mappings():
            events[h["offer_id"]].append(_event(h))
        return [_offer(r, events[r["id"]]) for r in rows]

    def _select(self, *where: Any, order: Any = None, limit: int | None = None, offset: int = 0) -> list[Offer]:
        query = select(offers).where(*where)
        if order is not None:
            query = query.order_by(*order)
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return self._load(list(self.session.execute(query).mappings()))

    def get(self, offer_id: str) -> Offer | None:
        found = self._select(offers.c.id == offer_id)
        return found[0] if found else None

    def for_group(
        self, group_id: str, statuses: Container[str] | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[Offer]:
        where = [offers.c.group_id == group_id]
        if statuses is not None:
            where.append(offers.c.status.in_(list(statuses)))  # type: ignore[call-overload]
        return self._select(*where, order=(offers.c.updated_at.desc(), offers.c.id), limit=limit, offset=offset)

    def count_by_status(self, group_id: str) -> dict[str, int]:
        rows = self.session.execute(
            select(offers.c.status, func.count()).where(offers.c.group_id == group_id).group_by(offers.c.status)
        )
        return {status: int(n) for status, n in rows}

    def _ids(self, *where: Any) -> list[str]:
        return list(self.session.execute(select(offers.c.id).where(*where).order_by(offers.c.id)).scalars())

    def due_to_publish(self, now: datetime) -> list[str]:
        return self._ids(offers.c.status == OfferStatus.SCHEDULED.value, offers.c.published_at <= now)

    def due_to_expire(self, now: datetime) -> list[str]:
        return self._ids(
            offers.c.status.in_(
                [OfferStatus.PUBLISHED.value, OfferStatus.IN_VALIDATION.value, OfferStatus.TO_REVISE.value]
            ),
            offers.c.ever_published.is_(True),
            offers.c.publication_ends_at <= now,
        )

    def expiring_between(self, start: datetime, end: datetime) -> list[Offer]:
        return self._select(
            offers.c.status == OfferStatus.PUBLISHED.value,
            offers.c.publication_ends_at > start,
            offers.c.publication_ends_at <= end,
            offers.c.ended_at.is_(None),
            order=(offers.c.id,),
        )

    def featuring_ended(self, now: datetime) -> list[Offer]:
        noticed = exists().where(offer_notices.c.offer_id == offers.c.id, offer_notices.c.kind == "featuring_ended")
        return self._select(
            offers.c.featured_until.is_not(None),
            or_(offers.c.featured_until <= now, offers.c.ended_at <= now, offers.c.publication_ends_at <= now),
            offers.c.ever_published.is_(True),
            not_(noticed),
            order=(offers.c.id,),
        )

    def online(self, now: datetime, *, limit: int = 100, offset: int = 0) -> list[Offer]:
        return self._select(
            online_clause(now), order=(offers.c.published_at.desc(), offers.c.id), limit=limit, offset=offset
        )

    def online_ids(self, now: datetime, *, after: str = "", limit: int = 1000) -> list[tuple[str, datetime]]:
        rows = self.session.execute(
            select(offers.c.id, offers.c.published_at)
            .where(online_clause(now), offers.c.id > after)
            .order_by(offers.c.id)
            .limit(limit)
        )
        return [(offer_id, published_at) for offer_id, published_at in rows]

    # writes ----------------------------------------------------------------------------------
    def _add_history(self, offer: Offer) -> None:
        for seq, event in enumerate(offer.new_events(), start=offer.stored_history + 1):
            self.session.execute(
                insert(offer_history).values(
                    id=event.id,
                    offer_id=offer.id,
                    seq=seq,
                    at=event.at,
                    actor_id=event.actor_id,
                    actor_kind=event.actor_kind,
                    action=event.action,
                    from_status=event.from_status,
                    to_status=event.to_status,
                    reason=event.reason,
                )
            )
        offer.stored_history = len(offer.history)

    def add(self, offer: Offer) -> None:
        self.session.execute(insert(offers).values(**offer_row(offer)))
        self._add_history(offer)
        self._index(offer)

    def save(self, offer: Offer) -> None:
        result = self.session.execute(
            update(offers)
            .where(offers.c.id == offer.id, offers.c.version == offer.version)
            .values(version=offer.version + 1, **_row(offer))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise stale()
        offer.version += 1
        self._add_history(offer)
        self._index(offer)

    def _index(self, offer: Offer) -> None:
        if self.search is None:
            return
        if offer.live_content is None:
            self.search.drop(offer.id)
        else:
            self.search.index(offer, company_of(self.session, offer.group_id))

    def claim_notice(self, offer_id: str, kind: str, key: str, now: datetime) -> bool:
        try:
            with self.session.begin_nested():
                self.session.execute(insert(offer_notices).values(offer_id=offer_id, kind=kind, key=key, sent_at=now))
        except IntegrityError:
            return False
        return True
