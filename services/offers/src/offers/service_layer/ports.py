"""What offers' handlers need from outside, as protocols; bootstrap plugs the adapters in
(`adapters.unit_of_work.SqlOffersUnitOfWork`, `adapters.billing_client.HttpCreditBank`), unit
tests fakes (tests/offers_fakes.py, tests/test_offers_branding.py).

- `OfferRepository`: `adapters.repository.SqlOfferRepository`;
- `OfferSearch` (the public search index, `uow.search`): `adapters.search_sql.SqlOfferSearch`;
- `CreditBank` (catalog-billing's credit API): `adapters.billing_client.HttpCreditBank`, and
  `adapters.billing_client.InMemoryCreditBank` with the same rules (tests, demos).
"""

from __future__ import annotations

from collections.abc import Collection, Container
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from offers.domain.model import CompanyBranding
from offers.domain.offer import Offer
from offers.domain.search import SearchHit, SearchQuery, SearchResult
from plumbing.clock import Clock
from plumbing.ports import UnitOfWork as BaseUnitOfWork


class BrandingRepository(Protocol):
    def get(self, group_id: str) -> CompanyBranding | None: ...

    def add(self, branding: CompanyBranding) -> None: ...

    def company_names(self, company_ids: Collection[str]) -> dict[str, str]:
        """company_id → the company's display name, for the ids known (the job site's filter)."""


class OfferRepository(Protocol):
    def get(self, offer_id: str) -> Offer | None:
        """The offer with its whole history."""

    def add(self, offer: Offer) -> None: ...

    def save(self, offer: Offer) -> None:
        """Write the offer over the version it was read at (then version + 1) and its new history
        rows; another writer in between: `OfferActionRefused("stale")`."""

    def for_group(
        self, group_id: str, statuses: Container[str] | None = None, *, limit: int = 100, offset: int = 0
    ) -> list[Offer]:
        """The group's offers (all statuses when None), most recently changed first."""

    def count_by_status(self, group_id: str) -> dict[str, int]: ...

    def due_to_publish(self, now: datetime) -> list[str]:
        """Ids of scheduled offers whose publication start is at or before now."""

    def due_to_expire(self, now: datetime) -> list[str]:
        """Ids of offers past their period still published (or online in validation / to revise)."""

    def expiring_between(self, start: datetime, end: datetime) -> list[Offer]:
        """Published offers whose period ends in [start, end)."""

    def featuring_ended(self, now: datetime) -> list[Offer]:
        """Featured offers whose featured period (or publication) ended at or before now and whose
        `featuring_ended` notice was not sent yet."""

    def online(self, now: datetime, *, limit: int = 100, offset: int = 0) -> list[Offer]:
        """Offers the public sees now (the `is_online` predicate, in the query)."""

    def online_ids(self, now: datetime, *, after: str = "", limit: int = 1000) -> list[tuple[str, datetime]]:
        """(id, published_at) of the offers online now whose id sorts after `after`, by id: keyset
        pages for the sitemap (no offer is loaded)."""

    def claim_notice(self, offer_id: str, kind: str, key: str, now: datetime) -> bool:
        """Record that the notice `kind` for `key` (an end date) was sent; False if it already was."""


class ApplyClickRepository(Protocol):
    """Clicks on [Postuler] of URL offers, once per offer, day and visitor."""

    def record(self, offer_id: str, day: date, visitor: str, at: datetime) -> bool:
        """True when this click was counted, False when the visitor's click of that day already was."""

    def count(self, offer_id: str) -> int: ...


class MembershipLookup(Protocol):
    """offers' projection of company-portal's memberships (plumbing.auth.memberships)."""

    def role_of(self, account_id: str, group_id: str) -> str | None: ...

    def groups_of(self, account_id: str) -> list[dict[str, str]]: ...


class OfferSearch(Protocol):
    """The public search index (docs/jobsite-design.md, "Search"): `adapters.search_sql`. Only
    offers online at `now` are found (the predicate is in the query, not left to a tick)."""

    def search(self, query: SearchQuery, *, now: datetime) -> SearchResult: ...

    def featured(self, *, now: datetime, limit: int = 6) -> tuple[SearchHit, ...]:
        """Online offers featured now, newest first."""

    def similar(self, offer_id: str, *, now: datetime, limit: int = 4) -> tuple[SearchHit, ...]:
        """Online offers like this one (its domains, then its regions), itself left out; the
        offer may be expired (its page then shows these)."""

    def index(self, offer: Offer, company: CompanyBranding | None) -> None:
        """(Re)index an offer that has live content, or drop it (ended, archived, none): called by
        the repository on add/save, in the same transaction."""

    def drop(self, offer_id: str) -> None: ...

    def reindex_company(self, group_id: str) -> None:
        """The group's branding changed: its company name and logo on the indexed offers."""


class UnitOfWork(BaseUnitOfWork, Protocol):
    brandings: BrandingRepository
    offers: OfferRepository
    memberships: MembershipLookup
    apply_clicks: ApplyClickRepository
    search: OfferSearch


# The credit bank (catalog-billing) ------------------------------------------------------------------
class BankError(Exception):
    """Base of the credit bank's failures."""


class NoCredit(BankError):
    """409 `no_credit`: the group has no credit of that type left."""

    def __init__(self, credit_type: str) -> None:
        super().__init__(f"no {credit_type} credit")
        self.credit_type = credit_type


class BankRefused(BankError):
    """Another 4xx (no reservation, a released one, not allowed…): `status`, `code`, `detail`."""

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status, self.code, self.detail = status, code, detail


class BankUnavailable(BankError):
    """catalog-billing down, too slow or failing (5xx): try again later."""


class CreditBank(Protocol):
    """catalog-billing's `/credit-reservations` API, idempotent on (offer, credit type), called
    with the caller's bearer `token` (decisions §29–30)."""

    def reserve(self, offer_id: str, credit_type: str, group_id: str, *, token: str) -> bool:
        """Hold one credit for the offer; True when this call took it (False: it already held one).
        `NoCredit` when the group has none left."""

    def consume(self, offer_id: str, credit_type: str, *, token: str) -> None:
        """The offer is published: its credit is spent (again: nothing changes)."""

    def release(self, offer_id: str, credit_type: str, *, token: str) -> None:
        """Give an unconsumed credit back (again: nothing changes)."""

    def balances(self, group_id: str, *, token: str) -> dict[str, int]:
        """Credits left per type."""


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    clock: Clock
    bank: CreditBank | None = None
    #: Québec statutory holidays (plumbing.calendar), for the earliest posting date.
    holidays: Container[date] = field(default_factory=frozenset)
