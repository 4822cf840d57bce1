"""Events company-portal consumes, and the table mapping each type to its handlers.

Each handler reads only the fields it uses and runs the matching service-layer handler in the
consumer's unit of work (plumbing.events.consumer.EventConsumer commits it with the inbox record).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from company_portal.service_layer import commands as c
from company_portal.service_layer import handlers, snapshot
from company_portal.service_layer.ports import Dependencies
from plumbing.events.envelope import Envelope
from plumbing.messagebus import Handler


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def on_staff_approved(envelope: Envelope, uow: Any, deps: Dependencies) -> None:
    data = envelope.data
    handlers.apply_staff_approval(c.ApplyStaffApproval(
        request_id=data["request_id"],
        decided_by_id=data["decided_by"]["account_id"],
        decided_by_email=data["decided_by"].get("email", ""),
        decided_at=_instant(data.get("decided_at")),
        reason=data.get("reason"),
        company=data.get("company"),
    ), uow, deps)


def on_staff_refused(envelope: Envelope, uow: Any, deps: Dependencies) -> None:
    data = envelope.data
    handlers.apply_staff_refusal(c.ApplyStaffRefusal(
        request_id=data["request_id"],
        decided_by_id=data["decided_by"]["account_id"],
        decided_by_email=data["decided_by"].get("email", ""),
        decided_at=_instant(data.get("decided_at")),
        reason=data["reason"],
    ), uow, deps)


def on_account_registered(envelope: Envelope, uow: Any, deps: Dependencies) -> None:
    data = envelope.data
    if data.get("kind") != "employer":
        return
    handlers.record_account(c.RecordAccount(
        account_id=data["account_id"], email=data["email"], first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""), locale=data.get("locale", "fr"),
    ), uow, deps)


def on_account_verified(envelope: Envelope, uow: Any, deps: Dependencies) -> None:
    """Accounts made verified at once (staff, demo) never send `registered`: learn their email here."""
    data = envelope.data
    if data.get("kind") != "employer" or uow.accounts.get(data["account_id"]) is not None:
        return
    handlers.record_account(c.RecordAccount(account_id=data["account_id"], email=data["email"],
                                            locale=data.get("locale", "fr")), uow, deps)


def on_snapshot_requested(envelope: Envelope, uow: Any, deps: Dependencies) -> None:
    """A consumer that has not learned the state yet: replay what it asked for (to every consumer:
    the snapshot events are idempotent where a projection is already up to date)."""
    wanted = tuple(p for p in envelope.data["projections"] if p in c.SNAPSHOT_PROJECTIONS)
    if wanted:
        snapshot.publish_snapshot(c.PublishSnapshot(projections=wanted, requested_by=envelope.producer), uow, deps)


#: The services whose workers ask for a snapshot at start until they have handled one.
SNAPSHOT_REQUESTERS = ("offers", "catalog-billing")

#: Inbound event type → handlers `(envelope, uow, deps)`; bootstrap gives it to the EventConsumer.
HANDLERS: dict[str, list[Handler]] = {
    **{f"{service}.projection.snapshot_requested": [on_snapshot_requested] for service in SNAPSHOT_REQUESTERS},
    "moderation.request.approved": [on_staff_approved],
    "moderation.request.refused": [on_staff_refused],
    "identity.account.registered": [on_account_registered],
    "identity.account.verified": [on_account_verified],
}
