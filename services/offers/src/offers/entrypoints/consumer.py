"""Events offers consumes, and the tables mapping each type to its handlers. Each event is read
tolerantly: only the fields offers uses.

| event | handler | effect |
|---|---|---|
| portal.branding.changed, .snapshot | RecordCompanyBranding | the group's branding, for its offers (by `version`) |
| portal.membership.* (live, snapshot) | plumbing.auth.memberships | the projection permission checks read |
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from offers.service_layer import commands, handlers
from offers.service_layer.ports import Dependencies, UnitOfWork
from plumbing.auth.memberships import MEMBERSHIP_EVENT_HANDLERS
from plumbing.events.consumer import EventHandler
from plumbing.events.envelope import Envelope, PoisonMessage
from plumbing.messagebus import Handler

BRANDING_SNAPSHOT = "portal.branding.snapshot"


def branding_command(envelope: Envelope) -> commands.RecordCompanyBranding:
    """portal.branding.changed or .snapshot (same fields; `version` absent from older changes)."""
    data = envelope.data
    try:
        version = data.get("version")
        return commands.RecordCompanyBranding(
            group_id=str(data["group_id"]), company_id=str(data["company_id"]), group_name=str(data["group_name"]),
            company_name=str(data["company_name"]), logo_url=data.get("logo_url") or None,
            changed_at=datetime.fromisoformat(envelope.occurred_at.replace("Z", "+00:00")),
            description_html=str(data.get("description_html") or ""), website=str(data.get("website") or ""),
            version=int(version) if version is not None else None,
            snapshot=envelope.type == BRANDING_SNAPSHOT,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise PoisonMessage(f"{envelope.type} without a usable {exc}") from exc


def on_branding_changed(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    handlers.record_company_branding(branding_command(envelope), uow, deps)


#: Inbound event type → handlers `(envelope, uow, deps)`; bootstrap gives it to the EventConsumer.
HANDLERS: dict[str, list[Handler]] = {
    "portal.branding.changed": [on_branding_changed],
    BRANDING_SNAPSHOT: [on_branding_changed],
}

#: plumbing's membership projection (live and snapshot events), handlers `(envelope, uow)` as the
#: EventConsumer calls them.
PROJECTION_HANDLERS: dict[str, Sequence[EventHandler]] = {**MEMBERSHIP_EVENT_HANDLERS}
