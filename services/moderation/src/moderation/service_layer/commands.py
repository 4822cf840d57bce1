"""Commands: what the pages and the consumer ask the service to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from moderation.domain.model import CompanyData, Decider, Requester
from moderation.domain.offers import OfferStatusChange
from moderation.service_layer.ports import StaffCall


@dataclass(frozen=True)
class RecordRequest:
    """Put a submitted request in the queue (once per request id)."""

    request_id: str
    kind: str
    submitted_at: datetime
    company: CompanyData
    requester: Requester
    company_id: str | None = None
    group_name: str | None = None


@dataclass(frozen=True)
class CloseRequest:
    """company-portal reports a request's outcome."""

    request_id: str
    approved: bool
    decided_at: datetime
    reason: str | None = None
    decided_by_account_id: str | None = None  # whoever decided in company-portal, when it says
    decided_by_email: str | None = None


@dataclass(frozen=True)
class ApproveRequest:
    """Approve; for a company creation, `company_fields` (staff's corrections, else the request's
    data) are checked by company-portal first (`call` carries the staff member's token)."""

    request_id: str
    decided_by: Decider
    reason: str | None = None
    company_fields: dict[str, str] | None = None
    call: StaffCall | None = None


@dataclass(frozen=True)
class RefuseRequest:
    request_id: str
    decided_by: Decider
    reason: str | None


# Staff tools: company-portal does the change, moderation writes who did it in its journal -----
@dataclass(frozen=True)
class CorrectCompany:
    company_id: str
    fields: dict[str, str]
    staff: Decider
    call: StaffCall
    key: str


@dataclass(frozen=True)
class CreateGroup:
    company_id: str
    name: str
    staff: Decider
    call: StaffCall
    key: str


@dataclass(frozen=True)
class MoveMember:
    company_id: str
    account_id: str
    from_group_id: str
    to_group_id: str
    role: str
    staff: Decider
    call: StaffCall
    key: str


# Offers: the queue follows offers' events; decisions are offers' (its staff API) ---------------
@dataclass(frozen=True)
class RecordOfferStatus:
    """offers reports an offer's status change (enters or leaves the queue)."""

    change: OfferStatusChange


@dataclass(frozen=True)
class ApproveOffer:
    """Approve; `changes` (the content fields staff edited) make it an approval with changes."""

    offer_id: str
    version: int | None
    changes: dict[str, Any] | None
    staff: Decider
    call: StaffCall
    key: str


@dataclass(frozen=True)
class ReturnOffer:
    offer_id: str
    version: int | None
    comment: str
    staff: Decider
    call: StaffCall
    key: str


@dataclass(frozen=True)
class WithdrawOffer:
    offer_id: str
    version: int | None
    reason: str
    staff: Decider
    call: StaffCall
    key: str


@dataclass(frozen=True)
class MoveApplicationDeadline:
    offer_id: str
    version: int | None
    deadline: date
    staff: Decider
    call: StaffCall
    key: str
