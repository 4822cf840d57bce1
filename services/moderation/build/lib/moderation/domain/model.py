"""The queue item: one account request that needs OIQ staff, and its decision.

An item is born "en_attente" from a `portal.request.submitted` event (kinds `new_group` and
`company_creation`). Staff approve it (for a company creation, with the company data they
validated or corrected) or refuse it with a reason; company-portal may also close it. A decision
is taken once; every decision or closure is written to the item's journal (who, when, why).

Company data is validated by company-portal only (it owns companies): moderation keeps what the
request carried and what staff approved, as plain `CompanyData`, and asks company-portal to check
staff's corrections before approving (service_layer.handlers.approve_request).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

MAX_REASON = 1000  # company-portal keeps reasons up to 1000 characters
FIELDS = ("legal_name", "neq", "address", "city", "province", "postal_code", "country", "phone")


@dataclass(frozen=True)
class CompanyData:
    """A company's eight fields as company-portal sent or cleaned them (no rule checked here)."""

    legal_name: str
    neq: str | None
    address: str
    city: str
    province: str
    postal_code: str
    country: str
    phone: str

    @classmethod
    def of(cls, raw: dict[str, Any]) -> CompanyData:
        return cls(**{name: str(raw.get(name) or "") for name in FIELDS if name != "neq"},
                   neq=str(raw.get("neq") or "") or None)

    def as_dict(self) -> dict[str, Any]:
        """The event and form representation; `neq` is left out when there is none."""
        data = asdict(self)
        if not data["neq"]:
            del data["neq"]
        return data

    def as_form(self) -> dict[str, str]:
        return {name: (getattr(self, name) or "") for name in FIELDS}


class Kind(StrEnum):
    NEW_GROUP = "new_group"
    COMPANY_CREATION = "company_creation"


#: Kinds of `portal.request.submitted` that come to the staff queue (`join_group` does not).
QUEUED_KINDS = frozenset(k.value for k in Kind)


class Status(StrEnum):
    PENDING = "en_attente"
    APPROVED = "approuvee"
    REFUSED = "refusee"


class Action(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"
    CLOSED_BY_PORTAL = "closed_by_portal"
    PORTAL_OUTCOME = "portal_outcome"  # company-portal reported an outcome after our decision


class DecisionError(Exception):
    """A decision that the rules forbid; `code` names the rule."""

    code = "decision_error"


class AlreadyDecided(DecisionError):
    code = "already_decided"


class ReasonRequired(DecisionError):
    code = "reason_required"


class ReasonTooLong(DecisionError):
    code = "reason_too_long"


class CompanyRequired(DecisionError):
    """A company creation is approved with the company's data, as company-portal checked it."""

    code = "company_required"


@dataclass(frozen=True)
class Requester:
    account_id: str
    email: str
    first_name: str
    last_name: str
    phone: str
    extension: str | None
    function: str
    locale: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Decider:
    """The staff member who decides (from their verified token)."""

    account_id: str
    email: str


@dataclass
class JournalEntry:
    """One line of history: who did what, when and why."""

    action: str
    at: datetime
    actor_account_id: str | None = None
    actor_email: str | None = None
    reason: str | None = None
    request_id: str | None = None
    company_id: str | None = None
    details: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class RequestApproved:
    """Domain event: staff approved a request."""

    request_id: str
    kind: str
    decided_by: Decider
    decided_at: datetime
    reason: str | None
    company: CompanyData | None
    company_id: str | None


@dataclass(frozen=True)
class RequestRefused:
    request_id: str
    kind: str
    decided_by: Decider
    decided_at: datetime
    reason: str


def clean_reason(reason: str | None) -> str | None:
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise ReasonTooLong()
    return text or None


@dataclass
class QueueItem:
    request_id: str
    kind: str
    company: CompanyData
    requester: Requester
    submitted_at: datetime
    company_id: str | None = None
    group_name: str | None = None
    status: str = Status.PENDING.value
    decided_by_account_id: str | None = None
    decided_by_email: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None
    approved_company: CompanyData | None = None
    closed_by: str | None = None
    journal: list[JournalEntry] = field(default_factory=list)
    version: int = 1

    @property
    def pending(self) -> bool:
        return self.status == Status.PENDING

    @property
    def decided_by(self) -> Decider | None:
        if self.decided_by_account_id is None:
            return None
        return Decider(self.decided_by_account_id, self.decided_by_email or "")

    def _ensure_pending(self) -> None:
        if not self.pending:
            raise AlreadyDecided()

    def _record(self, status: Status, by: Decider | None, at: datetime, reason: str | None, closed_by: str) -> None:
        self.status = status.value
        self.decided_by_account_id = by.account_id if by else None
        self.decided_by_email = by.email if by else None
        self.decided_at = at
        self.reason = reason
        self.closed_by = closed_by

    def approve(self, by: Decider, at: datetime, *, reason: str | None = None,
                company: CompanyData | None = None) -> RequestApproved:
        """Approve; a company creation carries the company data company-portal checked (CompanyRequired)."""
        self._ensure_pending()
        note = clean_reason(reason)
        if self.kind != Kind.COMPANY_CREATION:
            company = None
        elif company is None:
            raise CompanyRequired()
        else:
            self.approved_company = company
        self._record(Status.APPROVED, by, at, note, "moderation")
        self.journal.append(JournalEntry(Action.APPROVED.value, at, by.account_id, by.email, note,
                                         request_id=self.request_id, company_id=self.company_id))
        return RequestApproved(self.request_id, self.kind, by, at, note, company, self.company_id)

    def refuse(self, by: Decider, at: datetime, reason: str | None) -> RequestRefused:
        """Refuse with a reason (required: the requester reads it)."""
        self._ensure_pending()
        why = clean_reason(reason)
        if not why:
            raise ReasonRequired()
        self._record(Status.REFUSED, by, at, why, "moderation")
        self.journal.append(JournalEntry(Action.REFUSED.value, at, by.account_id, by.email, why,
                                         request_id=self.request_id, company_id=self.company_id))
        return RequestRefused(self.request_id, self.kind, by, at, why)

    def close_from_portal(self, approved: bool, at: datetime, reason: str | None = None, *,
                          by: Decider | None = None) -> bool:
        """company-portal reports the request's outcome; True when the item changed.

        A pending item is closed with that outcome (and who decided there, when the portal says).
        A decided item keeps its decision (ours, with who and why); a different outcome reported by
        the portal is written to the journal only. A repeated report changes nothing, so
        redeliveries and re-emissions are harmless.
        """
        status = Status.APPROVED if approved else Status.REFUSED
        why = (reason or "").strip()[:MAX_REASON] or None
        actor = (by.account_id, by.email) if by else (None, None)
        if self.pending:
            self._record(status, by, at, why, "company-portal")
            self.journal.append(JournalEntry(Action.CLOSED_BY_PORTAL.value, at, *actor, why,
                                             request_id=self.request_id, company_id=self.company_id,
                                             details=status.value))
            return True
        if self.status == status or any(
            e.action == Action.PORTAL_OUTCOME and e.details == status.value for e in self.journal
        ):
            return False
        self.journal.append(JournalEntry(Action.PORTAL_OUTCOME.value, at, *actor, why,
                                         request_id=self.request_id, company_id=self.company_id,
                                         details=status.value))
        return True
