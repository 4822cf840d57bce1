"""One handler per command, registered in COMMAND_HANDLERS. Handlers never commit: the message
bus (pages) or the event consumer (events) commits their effect with its outbox and inbox rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from moderation.domain.model import (
    QUEUED_KINDS,
    Decider,
    JournalEntry,
    QueueItem,
    RequestApproved,
    RequestRefused,
)
from moderation.service_layer import commands
from moderation.service_layer.unit_of_work import ModerationUnitOfWork
from plumbing.clock import Clock

log = logging.getLogger(__name__)

APPROVED_EVENT = "moderation.request.approved"
REFUSED_EVENT = "moderation.request.refused"


class RequestNotFound(LookupError):
    """No queue item with this request id."""


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


def _get(uow: ModerationUnitOfWork, request_id: str) -> QueueItem:
    item = uow.queue.get(request_id)
    if item is None:
        raise RequestNotFound(request_id)
    return item


def record_request(cmd: commands.RecordRequest, uow: ModerationUnitOfWork, clock: Clock) -> bool:
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


def close_request(cmd: commands.CloseRequest, uow: ModerationUnitOfWork, clock: Clock) -> bool:
    """Close an item from company-portal's outcome; unknown requests (join_group) are ignored."""
    item = uow.queue.get(cmd.request_id)
    if item is None:
        return False
    by = Decider(cmd.decided_by_account_id, cmd.decided_by_email or "") if cmd.decided_by_account_id else None
    return item.close_from_portal(cmd.approved, cmd.decided_at, cmd.reason, by=by)


def approve_request(cmd: commands.ApproveRequest, uow: ModerationUnitOfWork, clock: Clock) -> QueueItem:
    item = _get(uow, cmd.request_id)
    event = item.approve(cmd.decided_by, clock.now(), reason=cmd.reason, company_fields=cmd.company_fields)
    uow.emit(APPROVED_EVENT, approved_payload(event))
    return item


def refuse_request(cmd: commands.RefuseRequest, uow: ModerationUnitOfWork, clock: Clock) -> QueueItem:
    item = _get(uow, cmd.request_id)
    event = item.refuse(cmd.decided_by, clock.now(), cmd.reason)
    uow.emit(REFUSED_EVENT, refused_payload(event))
    return item


def record_staff_action(cmd: commands.RecordStaffAction, uow: ModerationUnitOfWork, clock: Clock) -> None:
    uow.journal.add(JournalEntry(
        action=cmd.action,
        at=clock.now(),
        actor_account_id=cmd.actor.account_id,
        actor_email=cmd.actor.email,
        reason=cmd.reason,
        company_id=cmd.company_id,
        details=cmd.details,
    ))


Handler = Callable[[Any, ModerationUnitOfWork, Clock], Any]

COMMAND_HANDLERS: dict[type, Handler] = {
    commands.RecordRequest: record_request,
    commands.CloseRequest: close_request,
    commands.ApproveRequest: approve_request,
    commands.RefuseRequest: refuse_request,
    commands.RecordStaffAction: record_staff_action,
}
