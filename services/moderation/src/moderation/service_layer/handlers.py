"""One handler per command, registered in COMMAND_HANDLERS, each `handler(command, uow, deps)`.

Handlers never commit: the message bus (pages) or the event consumer (events) commits their
effect with its outbox and inbox rows. Staff tools change company-portal's data through its staff
API (`deps.portal`) and write the journal entry in the same unit of work; the pages run them with
the form's idempotency key (`MessageBus.handle_idempotent`), so a double submit does it once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moderation.domain.model import (
    QUEUED_KINDS,
    CompanyData,
    Decider,
    JournalEntry,
    Kind,
    QueueItem,
    RequestApproved,
    RequestRefused,
)
from moderation.domain.offers import OfferQueueItem
from moderation.service_layer import commands
from moderation.service_layer.ports import (
    Company,
    Dependencies,
    Group,
    OffersClient,
    PortalRejected,
    UnitOfWork,
)

log = logging.getLogger(__name__)

APPROVED_EVENT = "moderation.request.approved"
REFUSED_EVENT = "moderation.request.refused"


class RequestNotFound(LookupError):
    """No queue item with this request id."""


class InvalidCompanyData(ValueError):
    """company-portal refused the company data; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str], detail: str = "") -> None:
        super().__init__(detail or ", ".join(errors))
        self.errors = errors
        self.detail = detail


def _utc_text(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def approved_payload(event: RequestApproved) -> dict[str, Any]:
    data: dict[str, Any] = {
        "request_id": event.request_id,
        "kind": event.kind,
        "decided_by": {"account_id": event.decided_by.account_id, "email": event.decided_by.email},
        "decided_at": _utc_text(event.decided_at),
    }
    if event.reason:
        data["reason"] = event.reason
    if event.company is not None:
        company = event.company.as_dict()
        if event.company_id:
            company["id"] = event.company_id
        data["company"] = company
    return data


def refused_payload(event: RequestRefused) -> dict[str, Any]:
    return {
        "request_id": event.request_id,
        "kind": event.kind,
        "decided_by": {"account_id": event.decided_by.account_id, "email": event.decided_by.email},
        "decided_at": _utc_text(event.decided_at),
        "reason": event.reason,
    }


def _get(uow: UnitOfWork, request_id: str) -> QueueItem:
    item = uow.queue.get(request_id)
    if item is None:
        raise RequestNotFound(request_id)
    return item


def record_request(cmd: commands.RecordRequest, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Add the item unless the request is already queued (a re-emitted event); True if added."""
    if cmd.kind not in QUEUED_KINDS:
        return False
    if uow.queue.get(cmd.request_id) is not None:
        log.info("request %s already queued", cmd.request_id)
        return False
    uow.queue.add(QueueItem(
        request_id=cmd.request_id,
        kind=cmd.kind,
        company=cmd.company,
        requester=cmd.requester,
        submitted_at=cmd.submitted_at,
        company_id=cmd.company_id,
        group_name=cmd.group_name,
    ))
    return True


def close_request(cmd: commands.CloseRequest, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Close an item from company-portal's outcome; unknown requests (join_group) are ignored."""
    item = uow.queue.get(cmd.request_id)
    if item is None:
        return False
    by = Decider(cmd.decided_by_account_id, cmd.decided_by_email or "") if cmd.decided_by_account_id else None
    return item.close_from_portal(cmd.approved, cmd.decided_at, cmd.reason, by=by)


def approve_request(cmd: commands.ApproveRequest, uow: UnitOfWork, deps: Dependencies) -> QueueItem:
    """Approve; a company creation's data (staff's corrections, else the request's) is checked and
    cleaned by company-portal first, and its field errors come back as InvalidCompanyData."""
    item = _get(uow, cmd.request_id)
    company: CompanyData | None = None
    if item.kind == Kind.COMPANY_CREATION and item.pending:
        if cmd.call is None:
            raise ValueError("approving a company creation needs the staff member's call to company-portal")
        fields = cmd.company_fields if cmd.company_fields is not None else item.company.as_form()
        try:
            company = CompanyData.of(deps.portal.check_company(cmd.call, fields))
        except PortalRejected as exc:
            if exc.status == 422:
                raise InvalidCompanyData(exc.field_errors, exc.detail) from exc
            raise
    event = item.approve(cmd.decided_by, deps.clock.now(), reason=cmd.reason, company=company)
    uow.emit(APPROVED_EVENT, approved_payload(event))
    return item


def refuse_request(cmd: commands.RefuseRequest, uow: UnitOfWork, deps: Dependencies) -> QueueItem:
    item = _get(uow, cmd.request_id)
    event = item.refuse(cmd.decided_by, deps.clock.now(), cmd.reason)
    uow.emit(REFUSED_EVENT, refused_payload(event))
    return item


def _journal(uow: UnitOfWork, deps: Dependencies, action: str, staff: Decider, company_id: str,
             details: dict[str, Any]) -> None:
    uow.journal.add(JournalEntry(
        action=action,
        at=deps.clock.now(),
        actor_account_id=staff.account_id,
        actor_email=staff.email,
        company_id=company_id,
        details=json.dumps(details, ensure_ascii=False),
    ))


def correct_company(cmd: commands.CorrectCompany, uow: UnitOfWork, deps: Dependencies) -> Company:
    """company-portal checks and saves the fields (an empty NEQ clears a wrong one); journal it."""
    company = deps.portal.update_company(cmd.call, cmd.company_id, cmd.fields, key=cmd.key)
    _journal(uow, deps, "company_updated", cmd.staff, cmd.company_id, cmd.fields)
    return company


def create_group(cmd: commands.CreateGroup, uow: UnitOfWork, deps: Dependencies) -> Group:
    group = deps.portal.create_group(cmd.call, cmd.company_id, cmd.name, key=cmd.key)
    _journal(uow, deps, "group_created", cmd.staff, cmd.company_id, {"group_id": group.id, "name": cmd.name})
    return group


def move_member(cmd: commands.MoveMember, uow: UnitOfWork, deps: Dependencies) -> None:
    deps.portal.move_membership(cmd.call, cmd.account_id, cmd.from_group_id, cmd.to_group_id, cmd.role,
                                key=cmd.key)
    _journal(uow, deps, "membership_moved", cmd.staff, cmd.company_id, {
        "account_id": cmd.account_id, "from_group_id": cmd.from_group_id, "to_group_id": cmd.to_group_id,
        "role": cmd.role})


# Offers ------------------------------------------------------------------------------------------
def record_offer_status(cmd: commands.RecordOfferStatus, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Project one status change: a new offer gets its row (in the queue or not); a known one takes
    the change only if it happened after the last one applied (redeliveries and late events: no effect)."""
    change = cmd.change
    item = uow.offers.get(change.offer_id)
    if item is None:
        uow.offers.add(OfferQueueItem.from_change(change))
        return True
    applied = item.apply(change)
    if not applied:
        log.info("offer %s: status change of %s older than the last one applied", change.offer_id,
                 change.occurred_at.isoformat())
    return applied


def _offers(deps: Dependencies) -> OffersClient:
    if deps.offers is None:
        raise RuntimeError("no offers client configured")
    return deps.offers


def approve_offer(cmd: commands.ApproveOffer, uow: UnitOfWork, deps: Dependencies) -> None:
    _offers(deps).approve(cmd.call, cmd.offer_id, version=cmd.version, changes=cmd.changes, key=cmd.key)


def return_offer(cmd: commands.ReturnOffer, uow: UnitOfWork, deps: Dependencies) -> None:
    _offers(deps).return_for_revision(cmd.call, cmd.offer_id, cmd.comment, version=cmd.version, key=cmd.key)


def withdraw_offer(cmd: commands.WithdrawOffer, uow: UnitOfWork, deps: Dependencies) -> None:
    _offers(deps).withdraw(cmd.call, cmd.offer_id, cmd.reason, version=cmd.version, key=cmd.key)


def move_application_deadline(cmd: commands.MoveApplicationDeadline, uow: UnitOfWork, deps: Dependencies) -> None:
    _offers(deps).move_application_deadline(cmd.call, cmd.offer_id, cmd.deadline, version=cmd.version,
                                            key=cmd.key)


Handler = Callable[[Any, UnitOfWork, Dependencies], Any]

COMMAND_HANDLERS: dict[type, Handler] = {
    commands.RecordRequest: record_request,
    commands.CloseRequest: close_request,
    commands.ApproveRequest: approve_request,
    commands.RefuseRequest: refuse_request,
    commands.CorrectCompany: correct_company,
    commands.CreateGroup: create_group,
    commands.MoveMember: move_member,
    commands.RecordOfferStatus: record_offer_status,
    commands.ApproveOffer: approve_offer,
    commands.ReturnOffer: return_offer,
    commands.WithdrawOffer: withdraw_offer,
    commands.MoveApplicationDeadline: move_application_deadline,
}
