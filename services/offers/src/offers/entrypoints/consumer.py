"""Events offers consumes, and the tables mapping each type to its handlers. Each event is read
tolerantly: only the fields offers uses.

| event | handler | effect |
|---|---|---|
| portal.branding.changed, .snapshot | RecordCompanyBranding | the group's branding, for its offers (by `version`) |
| portal.membership.* (live, snapshot) | plumbing.auth.memberships | the projection permission checks read |
| portal.membership.granted, .snapshot | RecordCompanyBranding | a placeholder company name (no branding yet) |
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

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


#: A placeholder branding's date: unversioned and older than anything, so any branding event replaces it.
PLACEHOLDER_CHANGED_AT = datetime(1970, 1, 1, tzinfo=UTC)


def on_membership_named(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """A group whose « Mon entreprise » was never saved sends no branding event, and its offers would
    show no company (no JSON-LD hiringOrganization either). Membership events name the company:
    keep that name as a placeholder until a branding event arrives."""
    data = envelope.data
    group_id, company_id, company_name = data.get("group_id"), data.get("company_id"), data.get("company_name")
    if not (group_id and company_id and company_name) or uow.brandings.get(str(group_id)) is not None:
        return
    handlers.record_company_branding(
        commands.RecordCompanyBranding(
            group_id=str(group_id), company_id=str(company_id), group_name=str(data.get("group_name") or ""),
            company_name=str(company_name), logo_url=None, changed_at=PLACEHOLDER_CHANGED_AT,
            description_html="", website="", version=None, snapshot=False,
        ),
        uow,
        deps,
    )


#: Inbound event type → handlers `(envelope, uow, deps)`; bootstrap gives it to the EventConsumer.
HANDLERS: dict[str, list[Handler]] = {
    "portal.branding.changed": [on_branding_changed],
    BRANDING_SNAPSHOT: [on_branding_changed],
    "portal.membership.granted": [on_membership_named],
    "portal.membership.snapshot": [on_membership_named],
}

#: plumbing's membership projection (live and snapshot events), handlers `(envelope, uow)` as the
#: EventConsumer calls them.
PROJECTION_HANDLERS: dict[str, Sequence[EventHandler]] = {**MEMBERSHIP_EVENT_HANDLERS}


def consumer_table(bound: dict[str, list[EventHandler]]) -> dict[str, list[EventHandler]]:
    """offers' own handlers (already bound to the bus) and the membership projection's, both run
    for an event type both handle (the projection first)."""
    table: dict[str, list[EventHandler]] = {t: list(h) for t, h in PROJECTION_HANDLERS.items()}
    for event_type, handlers_ in bound.items():
        table.setdefault(event_type, []).extend(handlers_)
    return table
