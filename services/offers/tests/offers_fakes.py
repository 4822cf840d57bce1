"""In-memory offers for unit tests through the message bus: a repository that stores copies (so a
refused action that changed the object in memory changes nothing stored), the membership
lookup, and offers built directly in any status."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Container
from datetime import UTC, date, datetime, timedelta

from offers.adapters import search_sql
from offers.adapters.billing_client import InMemoryCreditBank
from offers.domain import posting
from offers.domain.model import CompanyBranding
from offers.domain.offer import Offer, OfferConfig, OfferContent, OfferStatus, Workplace, stale
from offers.domain.search import FACETS, SearchHit, SearchQuery, SearchResult, french_terms, offer_regions
from offers.service_layer.commands import Caller
from offers.service_layer.handlers import COMMAND_HANDLERS
from offers.service_layer.ports import Dependencies
from plumbing import fakes
from plumbing.clock import FixedClock
from plumbing.messagebus import MessageBus

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in Montréal
GROUP = "6f1c1b7e-1d5e-4a39-9a0c-000000000001"
OTHER_GROUP = "6f1c1b7e-1d5e-4a39-9a0c-000000000002"
PRINCIPAL, AFFICHAGE, FINANCES = (str(uuid.UUID(int=i)) for i in (1, 2, 3))
STAFF, OUTSIDER = str(uuid.UUID(int=9)), str(uuid.UUID(int=10))
ROLES = {PRINCIPAL: "principal", AFFICHAGE: "affichage", FINANCES: "finances"}
CALLERS = {
    "principal": Caller(PRINCIPAL, "employer", "token-principal"),
    "affichage": Caller(AFFICHAGE, "employer", "token-affichage"),
    "finances": Caller(FINANCES, "employer", "token-finances"),
    "staff": Caller(STAFF, "staff", "token-staff"),
}


def complete_content(**changes: object) -> OfferContent:
    content = OfferContent(
        title_fr="Ingénieur·e en structures",
        title_en="Structural engineer",
        description_fr="<p><strong>Raison d'être</strong> du poste…</p><ul><li>Tâches</li></ul><p>Qualifications</p>",
        function_type="conception",
        engineering_domains=("civil",),
        employment_type="permanent",
        position_status="temps-plein",
        work_formula="hybride",
        application_deadline=date(2026, 12, 31),
        workplace=Workplace("address", "1200, rue Saint-Denis", "montreal", "H2X 3J6"),
    )
    return dataclasses.replace(content, **changes) if changes else content  # type: ignore[arg-type]


def complete_config(**changes: object) -> OfferConfig:
    config = OfferConfig(
        featured=False, posting="immediate", apply_method="url", apply_to="https://genivert.ca/emplois"
    )
    return dataclasses.replace(config, **changes) if changes else config  # type: ignore[arg-type]


class FakeOffers:
    def __init__(self, search: FakeSearch | None = None) -> None:
        self.rows: dict[str, Offer] = {}
        self.notices: set[tuple[str, str, str]] = set()
        #: Kept in step as the SQL repository keeps its index (company: from `search.companies`).
        self.search = search

    def get(self, offer_id: str) -> Offer | None:
        found = self.rows.get(offer_id)
        return copy.deepcopy(found) if found is not None else None

    def add(self, offer: Offer) -> None:
        offer.stored_history = len(offer.history)
        self.rows[offer.id] = copy.deepcopy(offer)
        self._index(offer)

    def _index(self, offer: Offer) -> None:
        if self.search is not None:
            self.search.index(offer, self.search.companies.get(offer.group_id))

    def save(self, offer: Offer) -> None:
        if self.rows[offer.id].version != offer.version:
            raise stale()
        offer.version += 1
        offer.stored_history = len(offer.history)
        self.rows[offer.id] = copy.deepcopy(offer)
        self._index(offer)

    def for_group(
        self, group_id: str, statuses: Container[str] | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[Offer]:
        found = [o for o in self.rows.values() if o.group_id == group_id and (statuses is None or o.status in statuses)]
        found.sort(key=lambda o: o.updated_at, reverse=True)
        return copy.deepcopy(found[offset : offset + limit])

    def count_by_status(self, group_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.rows.values():
            if o.group_id == group_id:
                counts[o.status] = counts.get(o.status, 0) + 1
        return counts

    def due_to_publish(self, now: datetime) -> list[str]:
        return sorted(o.id for o in self.rows.values() if o.status == "scheduled" and o.published_at <= now)

    def due_to_expire(self, now: datetime) -> list[str]:
        return sorted(
            o.id
            for o in self.rows.values()
            if o.status in ("published", "in_validation", "to_revise")
            and o.ever_published
            and o.publication_ends_at <= now
        )

    def expiring_between(self, start: datetime, end: datetime) -> list[Offer]:
        return [
            copy.deepcopy(o)
            for o in self.rows.values()
            if o.status == "published"
            and o.ended_at is None
            and o.publication_ends_at is not None
            and start < o.publication_ends_at <= end
        ]

    def featuring_ended(self, now: datetime) -> list[Offer]:
        return [
            copy.deepcopy(o)
            for o in self.rows.values()
            if o.featured_until is not None
            and o.ever_published
            and (
                o.featured_until <= now
                or (o.ended_at is not None and o.ended_at <= now)
                or o.publication_ends_at <= now
            )
            and not any(n[0] == o.id and n[1] == "featuring_ended" for n in self.notices)
        ]

    def online(self, now: datetime, *, limit: int = 100, offset: int = 0) -> list[Offer]:
        return [copy.deepcopy(o) for o in self.rows.values() if o.is_online(now)][offset : offset + limit]

    def claim_notice(self, offer_id: str, kind: str, key: str, now: datetime) -> bool:
        if (offer_id, kind, key) in self.notices:
            return False
        self.notices.add((offer_id, kind, key))
        return True


class FakeSearch:
    """`OfferSearch` in memory, with the SQL adapter's row builders: every word of the text must be
    among the offer's terms (no phrases nor `or`), filters and disjunctive facets in Python."""

    def __init__(self, offers: FakeOffers | None = None) -> None:
        self.offers = offers
        self.rows: dict[str, dict] = {}
        self.values: dict[str, list[tuple[str, str]]] = {}
        self.companies: dict[str, CompanyBranding] = {}

    def index(self, offer: Offer, company: CompanyBranding | None) -> None:
        self.drop(offer.id)
        row = search_sql.search_row(offer, company)
        if row is None:
            return
        row["terms"] = set(french_terms(" ".join((row["title_fr"], row["title_en"], row["company_name"], row["body"]))))
        self.rows[offer.id] = row
        self.values[offer.id] = [(v["facet"], v["value"]) for v in search_sql.search_values(row, offer.live_content)]

    def drop(self, offer_id: str) -> None:
        self.rows.pop(offer_id, None)
        self.values.pop(offer_id, None)

    def reindex_company(self, group_id: str) -> None:
        company = self.companies.get(group_id)
        if company is None:
            return
        for offer_id, row in self.rows.items():
            if row["group_id"] == group_id:
                row.update(company_id=company.company_id, company_name=company.company_name, logo_url=company.logo_url)
                kept = [(f, v) for f, v in self.values[offer_id] if f != "entreprise"]
                self.values[offer_id] = kept + ([("entreprise", company.company_id)] if company.company_id else [])

    def _online(self, now: datetime) -> list[dict]:
        return [
            r for r in self.rows.values()
            if r["published_at"] <= now < r["publication_ends_at"] and r["ended_at"] is None
        ]

    def _hit(self, row: dict, now: datetime) -> SearchHit:
        names = {f.name for f in dataclasses.fields(SearchHit)} - {"regions", "featured", "rank"}
        return SearchHit(
            **{k: row[k] for k in names},
            regions=tuple(row["regions"]),
            featured=row["featured_until"] is not None and row["featured_until"] > now,
            rank=0.0,
        )

    def _keeps(self, row: dict, filters: dict[str, tuple[str, ...]], but: str | None = None) -> bool:
        had = self.values[row["offer_id"]]
        return all(any((f, c) in had for c in codes) for f, codes in filters.items() if f != but)

    def search(self, query: SearchQuery, *, now: datetime) -> SearchResult:
        wanted = set(french_terms(query.text))
        rows = [r for r in self._online(now) if wanted <= r["terms"]]
        rows.sort(key=lambda r: r["offer_id"])
        rows.sort(key=lambda r: r["published_at"], reverse=True)
        filters = query.filters()
        found = [r for r in rows if self._keeps(r, filters)]
        facets: dict[str, dict[str, int]] = {}
        for facet in FACETS:
            counts: dict[str, int] = {}
            for r in rows:
                if self._keeps(r, filters, but=facet):
                    for f, v in self.values[r["offer_id"]]:
                        if f == facet:
                            counts[v] = counts.get(v, 0) + 1
            facets[facet] = counts
        page = found[query.offset : query.offset + query.per_page]
        return SearchResult(tuple(self._hit(r, now) for r in page), len(found), query.page, query.per_page, facets)

    def featured(self, *, now: datetime, limit: int = 6) -> tuple[SearchHit, ...]:
        rows = [r for r in self._online(now) if r["featured_until"] is not None and r["featured_until"] > now]
        rows.sort(key=lambda r: r["published_at"], reverse=True)
        return tuple(self._hit(r, now) for r in rows[:limit])

    def similar(self, offer_id: str, *, now: datetime, limit: int = 4) -> tuple[SearchHit, ...]:
        offer = self.offers.rows.get(offer_id) if self.offers is not None else None
        if offer is None or offer.live_content is None:
            return ()
        mine = {("domaine", d) for d in offer.live_content.engineering_domains}
        mine |= {("region", r) for r in offer_regions(offer.live_content.workplace)}
        scored = []
        for row in self._online(now):
            score = sum(2 if f == "domaine" else 1 for f, v in self.values[row["offer_id"]] if (f, v) in mine)
            if score and row["offer_id"] != offer_id:
                scored.append((-score, -row["published_at"].timestamp(), row["offer_id"], row))
        scored.sort(key=lambda s: s[:3])
        return tuple(self._hit(s[3], now) for s in scored[:limit])


class FakeMemberships:
    def __init__(self, roles: dict[tuple[str, str], str]) -> None:
        self.roles = roles

    def role_of(self, account_id: str, group_id: str) -> str | None:
        return self.roles.get((account_id, group_id))

    def groups_of(self, account_id: str) -> list[dict[str, str]]:
        return [{"id": g, "role": r} for (a, g), r in self.roles.items() if a == account_id]


class FakeUnitOfWork(fakes.FakeUnitOfWork):
    def __init__(self, dispatch: object = None) -> None:
        super().__init__(dispatch)  # type: ignore[arg-type]
        self.search = FakeSearch()
        self.offers = FakeOffers(self.search)
        self.search.offers = self.offers
        self.brandings = None
        self.memberships = FakeMemberships({(a, GROUP): r for a, r in ROLES.items()})


class World:
    """A bus over one fake unit of work, a fixed clock and an in-memory bank."""

    def __init__(self, now: datetime = T0) -> None:
        self.uow = FakeUnitOfWork()
        self.clock = FixedClock(now)
        self.bank = InMemoryCreditBank()
        self.deps = Dependencies(clock=self.clock, bank=self.bank, holidays=frozenset())
        self.bus = MessageBus(lambda dispatch: self.uow, self.deps, commands=COMMAND_HANDLERS)

    def stored(self, offer_id: str) -> Offer:
        return self.uow.offers.rows[offer_id]

    def place(
        self,
        status: str,
        *,
        featured: bool = False,
        ever_published: bool | None = None,
        credit_types: tuple[str, ...] | None = None,
    ) -> Offer:
        """An offer of GROUP in `status`, as if it got there through the state machine."""
        now = self.clock.now()
        offer = Offer(
            str(uuid.uuid4()),
            GROUP,
            "ing",
            OfferStatus(status),
            PRINCIPAL,
            now - timedelta(days=3),
            now - timedelta(days=1),
            complete_content(),
            complete_config(featured=featured),
        )
        published = (
            status in ("published", "scheduled", "expired", "archived") if ever_published is None else ever_published
        )
        if published:
            offer.ever_published = True
            offer.live_content = offer.content
            start = now + timedelta(days=5) if status == "scheduled" else now - timedelta(days=2)
            offer.published_at = start
            offer.publication_ends_at = posting.publication_ends_at(start)
            if status in ("expired", "archived"):
                offer.publication_ends_at = now - timedelta(hours=1)
        if status != "draft":
            offer.submitted_at, offer.submitted_by = now - timedelta(days=2), PRINCIPAL
        types = credit_types if credit_types is not None else (() if status == "draft" else ("ing",))
        offer.credit_types_reserved = types
        for credit_type in types:
            self.bank.reservations[(offer.id, credit_type)] = (GROUP, "consumed" if published else "reserved")
        self.uow.offers.add(offer)
        return offer
