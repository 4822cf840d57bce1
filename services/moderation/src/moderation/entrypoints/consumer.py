"""Inbound events → commands. Each event is read tolerantly: only the fields moderation uses,
with fallbacks, never by importing company-portal's package (docs/portal-flows.md, "Events").

| event                     | command        | effect                                           |
|---------------------------|----------------|--------------------------------------------------|
| portal.request.submitted  | RecordRequest  | queue `new_group` and `company_creation` requests |
| portal.request.approved   | CloseRequest   | close the item if it is still pending            |
| portal.request.refused    | CloseRequest   | idem                                             |
| offers.offer.status_changed | RecordOfferStatus | to `in_validation`: in the offers' queue; from it: out |
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from moderation.domain.model import QUEUED_KINDS, CompanyData, Requester
from moderation.domain.offers import OfferStatusChange
from moderation.service_layer import commands, handlers
from moderation.service_layer.ports import Dependencies, UnitOfWork
from plumbing.events.envelope import Envelope, PoisonMessage
from plumbing.messagebus import Handler

SUBMITTED = "portal.request.submitted"
PORTAL_APPROVED = "portal.request.approved"
PORTAL_REFUSED = "portal.request.refused"
OFFER_STATUS_CHANGED = "offers.offer.status_changed"


def _text(raw: Any, name: str, default: str = "") -> str:
    if not isinstance(raw, dict):
        return default
    value = raw.get(name)
    return default if value is None else str(value).strip()


def _instant(value: Any, fallback: str) -> datetime:
    for candidate in (value, fallback):
        if isinstance(candidate, str) and candidate:
            try:
                parsed = datetime.fromisoformat(candidate.replace("Z", "+00:00"))
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise PoisonMessage("no usable date in the event")


def submitted_command(envelope: Envelope) -> commands.RecordRequest | None:
    """The RecordRequest of a `portal.request.submitted`, or None for kinds staff don't decide."""
    data = envelope.data
    kind = _text(data, "kind")
    if kind not in QUEUED_KINDS:
        return None
    request_id = _text(data, "request_id")
    if not request_id:
        raise PoisonMessage("portal.request.submitted without request_id")
    company = data.get("company") or {}
    requester = data.get("requester") or {}
    group = data.get("group") or {}
    return commands.RecordRequest(
        request_id=request_id,
        kind=kind,
        submitted_at=_instant(data.get("submitted_at"), envelope.occurred_at),
        company=CompanyData(
            legal_name=_text(company, "legal_name"),
            neq=_text(company, "neq") or None,
            address=_text(company, "address"),
            city=_text(company, "city"),
            province=_text(company, "province"),
            postal_code=_text(company, "postal_code"),
            country=_text(company, "country"),
            phone=_text(company, "phone"),
        ),
        requester=Requester(
            account_id=_text(requester, "account_id"),
            email=_text(requester, "email"),
            first_name=_text(requester, "first_name"),
            last_name=_text(requester, "last_name"),
            phone=_text(requester, "phone"),
            extension=_text(requester, "extension") or None,
            function=_text(requester, "function"),
            locale=_text(requester, "locale", "fr") or "fr",
        ),
        company_id=_text(company, "id") or None,
        group_name=_text(group, "name") or None,
    )


def close_command(envelope: Envelope, approved: bool) -> commands.CloseRequest:
    data = envelope.data
    request_id = _text(data, "request_id")
    if not request_id:
        raise PoisonMessage(f"{envelope.type} without request_id")
    decided_by = data.get("decided_by") or {}
    return commands.CloseRequest(
        request_id=request_id,
        approved=approved,
        decided_at=_instant(data.get("decided_at"), envelope.occurred_at),
        reason=_text(data, "reason") or None,
        decided_by_account_id=_text(decided_by, "account_id") or None,
        decided_by_email=_text(decided_by, "email") or None,
    )


def on_submitted(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    command = submitted_command(envelope)
    if command is not None:
        handlers.record_request(command, uow, deps)


def on_portal_approved(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    handlers.close_request(close_command(envelope, approved=True), uow, deps)


def on_portal_refused(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    handlers.close_request(close_command(envelope, approved=False), uow, deps)


def offer_status_command(envelope: Envelope) -> commands.RecordOfferStatus:
    """An `offers.offer.status_changed` as the projection's command; order is by the envelope's `occurred_at`."""
    data = envelope.data
    offer_id = _text(data, "offer_id")
    to_status = _text(data, "to_status")
    if not offer_id or not to_status:
        raise PoisonMessage(f"{envelope.type} without offer_id or to_status")
    submitted = data.get("submitted_at")
    return commands.RecordOfferStatus(OfferStatusChange(
        offer_id=offer_id,
        group_id=_text(data, "group_id"),
        profile=_text(data, "profile"),
        title_fr=_text(data, "title_fr")[:150],
        from_status=_text(data, "from_status"),
        to_status=to_status,
        occurred_at=_instant(envelope.occurred_at, envelope.occurred_at),
        submitted_at=_instant(submitted, envelope.occurred_at) if submitted else None,
        created_by=_text(data, "created_by"),
        online=bool(data.get("online")),
    ))


def on_offer_status_changed(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    handlers.record_offer_status(offer_status_command(envelope), uow, deps)


#: The consumer's table: event type → handlers `(envelope, uow, deps)`, run in the consumer's unit of work.
HANDLERS: dict[str, list[Handler]] = {
    SUBMITTED: [on_submitted],
    PORTAL_APPROVED: [on_portal_approved],
    PORTAL_REFUSED: [on_portal_refused],
    OFFER_STATUS_CHANGED: [on_offer_status_changed],
}
