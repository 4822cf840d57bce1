"""Commands: what the pages and the consumer ask the service to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderation.domain.company import CompanyData
from moderation.domain.model import Decider, Requester


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
    request_id: str
    decided_by: Decider
    reason: str | None = None
    company_fields: dict[str, str] | None = None


@dataclass(frozen=True)
class RefuseRequest:
    request_id: str
    decided_by: Decider
    reason: str | None


@dataclass(frozen=True)
class RecordStaffAction:
    """Write a staff tool's action (done in company-portal) to the journal: who, when, what."""

    action: str
    actor: Decider
    company_id: str | None
    details: str | None = None
    reason: str | None = None
