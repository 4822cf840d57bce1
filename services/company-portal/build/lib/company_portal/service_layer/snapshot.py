"""Replaying the current state as snapshot events, for a consumer that missed the live ones.

A new service (offers, billing, metrics) starts without the past and asks for a snapshot
(`<service>.projection.snapshot_requested`); an operator can also run one
(`python -m company_portal.entrypoints.admin snapshot`). Every membership (revoked ones included,
with role null) and every group's branding goes to the outbox in one transaction, each with the
same counter (`version`) as the live events, so a consumer keeps whichever it saw last in the
portal's order, never in the broker's: a snapshot cannot bring back a membership revoked after it
was taken, nor an older logo.
"""

from __future__ import annotations

import logging
from typing import Any

from company_portal.service_layer import commands as c
from company_portal.service_layer.integration import branding_data, membership_data
from company_portal.service_layer.ports import Dependencies
from company_portal.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def publish_snapshot(command: c.PublishSnapshot, uow: UnitOfWork, deps: Dependencies) -> dict[str, Any]:
    """Write the snapshot events; return the snapshot id and how many events of each kind."""
    snapshot_id = deps.new_id()
    counts = {"memberships": 0, "branding": 0}
    if "memberships" in command.projections:
        for row in uow.queries.membership_states():
            uow.emit("portal.membership.snapshot", {"snapshot_id": snapshot_id, **membership_data(row)})
            counts["memberships"] += 1
    if "branding" in command.projections:
        for group in uow.queries.branding_states():
            uow.emit("portal.branding.snapshot", {"snapshot_id": snapshot_id, **branding_data(group, deps)})
            counts["branding"] += 1
    log.info("snapshot %s for %s: %s", snapshot_id, command.requested_by, counts)
    return {"snapshot_id": snapshot_id, **counts}
