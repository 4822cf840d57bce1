"""Tolerant readers of the events the mailer consumes: only the fields it uses.

The EventConsumer has already validated each event against its JSON Schema in contracts/; these
readers take what the mailer needs and ignore the rest (never the producer's package).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from plumbing.events.envelope import PoisonMessage


def _instant(value: Any) -> datetime | None:
    """An ISO 8601 instant, or None when absent or unreadable (the email then omits it)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _required(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise PoisonMessage(f"missing {name}")
    return value


@dataclass(frozen=True)
class AccountRegistered:
    """identity.account.registered and identity.account.verification_requested (the same fields):
    send the verification link."""

    email: str
    first_name: str | None
    token: str
    expires_at: datetime | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> AccountRegistered:
        first_name = data.get("first_name")
        if not isinstance(first_name, str) or not first_name.strip():
            first_name = None
        return cls(
            email=_required(data, "email"),
            first_name=first_name.strip() if first_name else None,
            token=_required(data, "verification_token"),
            expires_at=_instant(data.get("verification_expires_at")),
        )


@dataclass(frozen=True)
class PasswordResetRequested:
    """identity.password.reset_requested: send the reset link."""

    email: str
    token: str
    expires_at: datetime | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> PasswordResetRequested:
        return cls(
            email=_required(data, "email"),
            token=_required(data, "reset_token"),
            expires_at=_instant(data.get("reset_expires_at")),
        )


@dataclass(frozen=True)
class AccountVerified:
    """identity.account.verified: send a short welcome."""

    email: str
    kind: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> AccountVerified:
        return cls(email=_required(data, "email"), kind=str(data.get("kind") or "member"))


def _text(value: Any) -> str | None:
    """A non-blank string, stripped; None otherwise (the email then words around it)."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _object(data: dict[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name)
    return value if isinstance(value, dict) else {}


def _addresses(value: Any) -> tuple[str, ...]:
    """The distinct non-blank addresses of a list, in order (compared without case)."""
    found: dict[str, str] = {}
    for item in value if isinstance(value, list) else []:
        address = _text(item)
        if address is not None:
            found.setdefault(address.lower(), address)
    return tuple(found.values())


@dataclass(frozen=True)
class RequestSubmitted:
    """portal.request.submitted: confirm to the requester; for `join_group`, notify the principals."""

    kind: str
    requester_email: str
    requester_first_name: str | None
    requester_last_name: str | None
    company_name: str | None
    group_name: str | None
    principal_emails: tuple[str, ...]

    @classmethod
    def read(cls, data: dict[str, Any]) -> RequestSubmitted:
        requester = _object(data, "requester")
        return cls(
            kind=_required(data, "kind"),
            requester_email=_required(requester, "email"),
            requester_first_name=_text(requester.get("first_name")),
            requester_last_name=_text(requester.get("last_name")),
            company_name=_text(data.get("company_name")) or _text(_object(data, "company").get("legal_name")),
            group_name=_text(_object(data, "group").get("name")),
            principal_emails=_addresses(data.get("principal_emails")),
        )

    @property
    def requester_name(self) -> str | None:
        return " ".join(n for n in (self.requester_first_name, self.requester_last_name) if n) or None


def _decider(data: dict[str, Any]) -> str | None:
    """Who decided: `principal` (the group's Responsable principal·e) or `staff` (l'Ordre)."""
    kind = _object(data, "decided_by").get("kind")
    return kind if kind in ("principal", "staff") else None


@dataclass(frozen=True)
class RequestApproved:
    """portal.request.approved: tell the requester, with the company, the group and the role."""

    kind: str
    requester_email: str
    company_name: str | None
    group_name: str | None
    role: str | None
    decided_by: str | None
    requested_company_name: str | None = None  # what the requester typed (a creation may be renamed by staff)

    @classmethod
    def read(cls, data: dict[str, Any]) -> RequestApproved:
        return cls(
            kind=_required(data, "kind"),
            requester_email=_required(data, "requester_email"),
            company_name=_text(data.get("company_name")),
            group_name=_text(data.get("group_name")),
            role=_text(data.get("role")),
            decided_by=_decider(data),
            requested_company_name=_text(data.get("requested_company_name")),
        )


@dataclass(frozen=True)
class RequestRefused:
    """portal.request.refused: tell the requester, with the reason given."""

    kind: str
    requester_email: str
    company_name: str | None
    reason: str | None  # required by the contract; a blank one still lets the refusal be told
    decided_by: str | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> RequestRefused:
        return cls(
            kind=_required(data, "kind"),
            requester_email=_required(data, "requester_email"),
            company_name=_text(data.get("company_name")),
            reason=_text(data.get("reason")),
            decided_by=_decider(data),
        )


@dataclass(frozen=True)
class GroupOpened:
    """portal.group.opened: tell the company's principals who now leads the new group."""

    company_name: str | None
    group_name: str | None
    leader_email: str
    leader_name: str | None
    leader_function: str | None
    principal_emails: tuple[str, ...]

    @classmethod
    def read(cls, data: dict[str, Any]) -> GroupOpened:
        leader = _object(data, "leader")
        names = (_text(leader.get("first_name")), _text(leader.get("last_name")))
        return cls(
            company_name=_text(data.get("company_name")),
            group_name=_text(data.get("group_name")),
            leader_email=_required(leader, "email"),
            leader_name=" ".join(n for n in names if n) or None,
            leader_function=_text(leader.get("function")),
            principal_emails=_addresses(data.get("principal_emails")),
        )


def _amount(data: dict[str, Any], name: str) -> Decimal:
    """A required amount in dollars ("123.45")."""
    try:
        value = Decimal(_required(data, name))
    except InvalidOperation:
        raise PoisonMessage(f"{name} is not an amount") from None
    if not value.is_finite():
        raise PoisonMessage(f"{name} is not an amount")
    return value


def _day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class InvoiceIssued:
    """billing.invoice.issued: email a copy of the invoice to each address of copy_to."""

    number: str
    company_name: str | None
    group_name: str | None
    issued_at: datetime | None
    status: str
    due_on: date | None
    subtotal: Decimal
    discount: Decimal
    gst: Decimal
    qst: Decimal
    total: Decimal
    buyer_email: str | None
    copy_to: tuple[str, ...]
    locale: str
    url: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> InvoiceIssued:
        return cls(
            number=_required(data, "number"),
            company_name=_text(data.get("company_name")),
            group_name=_text(data.get("group_name")),
            issued_at=_instant(data.get("issued_at")),
            status="unpaid" if data.get("status") == "unpaid" else "paid",
            due_on=_day(data.get("due_on")),
            subtotal=_amount(data, "subtotal"),
            discount=_amount(data, "discount"),
            gst=_amount(data, "gst"),
            qst=_amount(data, "qst"),
            total=_amount(data, "total"),
            buyer_email=_text(data.get("buyer_email")),
            copy_to=_addresses(data.get("copy_to")),
            locale="en" if data.get("locale") == "en" else "fr",
            url=_required(data, "url"),
        )


@dataclass(frozen=True)
class AccountIdentified:
    """identity.account.registered / verification_requested / verified: who an account id is."""

    account_id: str
    email: str
    locale: str | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> AccountIdentified:
        locale = data.get("locale")
        return cls(
            account_id=_required(data, "account_id"),
            email=_required(data, "email"),
            locale=locale if locale in ("fr", "en") else None,
        )


@dataclass(frozen=True)
class MemberContact:
    """portal.membership.granted / role_changed / snapshot: a member's address and language, when
    company-portal knows them (optional fields): every employer who writes offers is a member."""

    account_id: str
    email: str | None
    locale: str | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> MemberContact:
        locale = data.get("locale")
        return cls(
            account_id=_required(data, "account_id"),
            email=_text(data.get("email")),
            locale=locale if locale in ("fr", "en") else None,
        )


@dataclass(frozen=True)
class OfferStatusChanged:
    """offers.offer.status_changed: the mailer writes to the offer's creator on some transitions
    (to_status `to_revise`: the staff returned the offer for revision, with a comment)."""

    offer_id: str
    title_fr: str | None
    to_status: str
    reason: str | None
    created_by: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> OfferStatusChanged:
        return cls(
            offer_id=_required(data, "offer_id"),
            title_fr=_text(data.get("title_fr")),
            to_status=_required(data, "to_status"),
            reason=_text(data.get("reason")),
            created_by=_required(data, "created_by"),
        )
