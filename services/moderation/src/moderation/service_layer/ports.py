"""What moderation's handlers need from outside, as protocols; bootstrap plugs the adapters in.

| port | adapter (bootstrap) | fake (tests) |
|---|---|---|
| `UnitOfWork` (queue, journal, idempotency keys) | `adapters.unit_of_work.SqlModerationUnitOfWork` | SQLite |
| `PortalClient` (company-portal's staff API) | `adapters.portal_client.HttpPortalClient` | `FakePortal` (tests) |
| `OffersClient` (offers' staff API) | `adapters.offers_client.HttpOffersClient` | `FakeOffers` (tests) |

company-portal owns companies and validates their data: moderation sends staff's corrections and
reads back the cleaned data or the field errors (`PortalRejected.field_errors`).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from moderation.domain.model import JournalEntry, QueueItem
from moderation.domain.offers import OfferQueueItem
from plumbing.clock import Clock
from plumbing.ports import UnitOfWork as BaseUnitOfWork


# The unit of work -----------------------------------------------------------------------------
class QueueRepository(Protocol):
    def add(self, item: QueueItem) -> None: ...

    def get(self, request_id: str) -> QueueItem | None: ...

    def list(self, status: str | None = None, kind: str | None = None) -> list[QueueItem]:
        """Items oldest first."""

    def counts(self) -> dict[tuple[str, str], int]:
        """(status, kind) → number of items."""


class Journal(Protocol):
    def add(self, entry: JournalEntry) -> None: ...

    def for_company(self, company_id: str, limit: int = 50) -> list[JournalEntry]: ...


class OfferQueue(Protocol):
    def add(self, item: OfferQueueItem) -> None: ...

    def get(self, offer_id: str) -> OfferQueueItem | None: ...

    def waiting(self) -> list[OfferQueueItem]:
        """The offers in the queue (in_validation), oldest submission first."""


class UnitOfWork(BaseUnitOfWork, Protocol):
    queue: QueueRepository
    journal: Journal
    offers: OfferQueue

    def detach(self) -> None:
        """Keep the objects read so far usable after the unit of work closes (for the pages)."""


# company-portal's staff API ---------------------------------------------------------------
class PortalError(Exception):
    """Base of the errors of company-portal calls."""


class PortalUnavailable(PortalError):
    """company-portal is down, too slow or failing (5xx): the staff member may retry later."""


class PortalRejected(PortalError):
    """company-portal refused the call (4xx): `detail`, `code` and `field_errors` (field → message) say why."""

    def __init__(self, status: int, detail: str = "", code: str = "", field_errors: dict[str, str] | None = None):
        super().__init__(f"{status} {code} {detail}".strip())
        self.status = status
        self.detail = detail
        self.code = code
        self.field_errors = field_errors or {}


@dataclass(frozen=True)
class Member:
    account_id: str
    email: str
    name: str
    role: str


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    member_count: int
    members: tuple[Member, ...] = ()


@dataclass(frozen=True)
class Company:
    id: str
    legal_name: str
    neq: str | None
    address: str
    city: str
    province: str
    postal_code: str
    country: str
    phone: str
    groups: tuple[Group, ...] = ()
    user_count: int = 0

    def as_form(self) -> dict[str, str]:
        return {
            "legal_name": self.legal_name, "neq": self.neq or "", "address": self.address, "city": self.city,
            "province": self.province, "postal_code": self.postal_code, "country": self.country,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class Match:
    """A known company a request may be about, and why (target, neq, name, similar_name, email_domain)."""

    reasons: tuple[str, ...]
    company: Company


@dataclass(frozen=True)
class Membership:
    group_id: str
    group_name: str
    company_id: str
    company_name: str
    role: str


@dataclass(frozen=True)
class User:
    account_id: str
    email: str
    name: str
    memberships: tuple[Membership, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StaffCall:
    """Who calls company-portal: the staff member's own token, and the language of the answers."""

    token: str
    locale: str = "fr"


class PortalClient(Protocol):
    """What the staff tools need from company-portal (contracts/company-portal.yaml, tag `staff`).

    Writes carry `key`, sent as `Idempotency-Key`: a repeated key gets the first answer back.
    """

    def search_companies(self, call: StaffCall, q: str) -> list[Company]: ...

    def get_company(self, call: StaffCall, company_id: str) -> Company: ...

    def check_company(self, call: StaffCall, data: dict[str, str]) -> dict[str, Any]:
        """The company data as company-portal cleans it, or PortalRejected with its field errors."""

    def update_company(self, call: StaffCall, company_id: str, data: dict[str, Any], *, key: str) -> Company: ...

    def create_group(self, call: StaffCall, company_id: str, name: str, *, key: str) -> Group: ...

    def search_users(self, call: StaffCall, q: str) -> list[User]: ...

    def request_matches(self, call: StaffCall, request_id: str) -> list[Match]:
        """The known companies a request may be about, each with why."""

    def move_membership(self, call: StaffCall, account_id: str, from_group_id: str, to_group_id: str,
                        role: str, *, key: str) -> None: ...


# offers' staff API (services/offers/DESIGN.md, "HTTP", tag `staff`) ------------------------------
class OffersError(Exception):
    """Base of the errors of offers calls."""


class OffersUnavailable(OffersError):
    """offers is down, too slow or failing (5xx): the staff member may retry later."""


class OffersRejected(OffersError):
    """offers refused the call (4xx): `detail`, `code` (wrong_status, stale, incomplete…) and
    `field_errors` (field → message, in the staff member's language) say why."""

    def __init__(self, status: int, detail: str = "", code: str = "", field_errors: dict[str, str] | None = None):
        super().__init__(f"{status} {code} {detail}".strip())
        self.status = status
        self.detail = detail
        self.code = code
        self.field_errors = field_errors or {}


@dataclass(frozen=True)
class OfferHint:
    code: str
    message_fr: str
    message_en: str
    field: str | None = None
    severity: str = "warning"

    def message(self, locale: str) -> str:
        return (self.message_en or self.message_fr) if locale == "en" else (self.message_fr or self.message_en)


@dataclass(frozen=True)
class OfferHistoryEntry:
    at: str
    actor_id: str
    actor_kind: str
    action: str
    from_status: str | None
    to_status: str
    reason: str | None


@dataclass(frozen=True)
class StaffOffer:
    """An offer as offers' staff API shows it: `content` and `live_content` (the last approved
    version, None before the first approval) are plain dicts of DESIGN.md's content fields."""

    id: str
    group_id: str
    group_name: str
    company_name: str
    profile: str
    status: str
    version: int
    content: dict[str, Any]
    live_content: dict[str, Any] | None
    config: dict[str, Any] = field(default_factory=dict)
    hints: tuple[OfferHint, ...] = ()
    history: tuple[OfferHistoryEntry, ...] = ()
    online: bool = False
    published_at: str | None = None
    publication_ends_at: str | None = None


@dataclass(frozen=True)
class ReferenceItem:
    code: str
    fr: str
    en: str

    def label(self, locale: str) -> str:
        return (self.en or self.fr) if locale == "en" else (self.fr or self.en)


class OffersClient(Protocol):
    """What the offer pages need from offers' staff API (contracts/offers.yaml, tag `staff`).

    Decisions carry `key`, sent as `Idempotency-Key`, and the `version` the staff member read.
    """

    def get_offer(self, call: StaffCall, offer_id: str) -> StaffOffer: ...

    def reference(self, call: StaffCall) -> dict[str, list[ReferenceItem]]:
        """The code lists (list name → items), for the selections of the edit form."""

    def approve(self, call: StaffCall, offer_id: str, *, version: int | None, changes: dict[str, Any] | None,
                key: str) -> None: ...

    def return_for_revision(self, call: StaffCall, offer_id: str, comment: str, *, version: int | None,
                            key: str) -> None: ...

    def withdraw(self, call: StaffCall, offer_id: str, reason: str, *, version: int | None, key: str) -> None: ...

    def move_application_deadline(self, call: StaffCall, offer_id: str, deadline: date, *, version: int | None,
                                  key: str) -> None: ...


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    clock: Clock
    portal: PortalClient
    holidays: Container[date]
    offers: OffersClient | None = None
