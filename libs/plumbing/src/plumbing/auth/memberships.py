"""Each service's own projection of company-portal's membership events (docs/decisions.md §4).

A service adds `membership_table(metadata)` to its database and registers
`MEMBERSHIP_EVENT_HANDLERS` with its EventConsumer; `SqlMembershipLookup` then answers the
permission checks of `plumbing.auth.permissions.require` from that table, so a role change or a
removal takes effect as soon as the event is consumed.

Events (contracts/events/portal.membership.*.v1.schema.json): `granted` and `role_changed`
carry account_id, group_id, company_id, role; `revoked` carries account_id and group_id. Each
carries `version` (a counter per membership, increasing) so a late, older event never overwrites
a newer state.

A service started after memberships exist learns them from `snapshot` events (the current state
of every membership, revoked ones with role null, same `version` counter): its worker asks
company-portal for one until it has handled one (`SnapshotRequester`, one of the worker's
ticks). A snapshot is applied when its version is at least the one held (same version, same
state: it only refreshes the names), so it never brings back a membership revoked after it was
taken, whatever order the broker delivers them in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from plumbing.db import UtcDateTime
from plumbing.events.envelope import Envelope

log = logging.getLogger(__name__)


def membership_table(metadata: MetaData) -> Table:
    return Table(
        "membership_projection",
        metadata,
        Column("account_id", String(36), primary_key=True),
        Column("group_id", String(36), primary_key=True),
        Column("company_id", String(36), nullable=False),
        Column("role", String(20), nullable=True),
        Column("group_name", String(200), nullable=True),
        Column("company_name", String(300), nullable=True),
        Column("version", Integer, nullable=False),
        Column("updated_at", UtcDateTime(), nullable=False),
    )


def _table(uow: Any) -> Table:
    return uow.messaging.outbox.metadata.tables["membership_projection"]


def apply_membership_event(envelope: Envelope, uow: Any) -> None:
    """Upsert (granted, role_changed, snapshot) or blank the role (revoked), ignoring stale versions."""
    data = envelope.data
    table = _table(uow)
    session: Session = uow.session
    key = (table.c.account_id == data["account_id"]) & (table.c.group_id == data["group_id"])
    current = session.execute(select(table.c.version).where(key)).scalar_one_or_none()
    version = int(data["version"])
    role = None if envelope.type.endswith(".revoked") else data["role"]
    now = uow.messaging.clock.now()
    values: dict[str, Any] = {"role": role, "version": version, "updated_at": now}
    for optional in ("company_id", "group_name", "company_name"):
        if data.get(optional):
            values[optional] = data[optional]
    if current is None:
        values.setdefault("company_id", "")
        session.execute(insert(table).values(account_id=data["account_id"], group_id=data["group_id"], **values))
    elif version > current or (version == current and envelope.type == SNAPSHOT_EVENT):
        # A snapshot of the version held is the same state: it only refreshes the names.
        session.execute(update(table).where(key).values(**values))


SNAPSHOT_EVENT = "portal.membership.snapshot"

MEMBERSHIP_EVENT_HANDLERS = {
    "portal.membership.granted": [apply_membership_event],
    "portal.membership.role_changed": [apply_membership_event],
    "portal.membership.revoked": [apply_membership_event],
    SNAPSHOT_EVENT: [apply_membership_event],
}

#: How long after the worker starts it checks its projection (the tick's period): by then its
#: consumer has declared and bound its queue, so the snapshot it asks for has somewhere to go.
SNAPSHOT_REQUEST_DELAY_SECONDS = 2.0


#: The snapshot event that answers each projection a service may ask company-portal for.
SNAPSHOT_EVENTS = {"memberships": SNAPSHOT_EVENT, "branding": "portal.branding.snapshot"}


class SnapshotRequester:
    """A worker tick: once per process, ask company-portal to replay the projections this service
    has never handled a snapshot of (`<service>.projection.snapshot_requested`, contracts/events/).

    "Never handled a snapshot" (its inbox has no `portal.membership.snapshot`, or no
    `portal.branding.snapshot` for `branding`), rather than "the projection is empty": a service
    deployed after memberships exist may hear a live event in its first seconds, and one row must
    not stop it from learning the rest. Until an answer arrives (or while nobody has a membership:
    the answer is empty), each start asks again; that is harmless, snapshots are idempotent.
    """

    def __init__(self, service: str, uow_factory: Callable[[], Any],
                 projections: tuple[str, ...] = ("memberships",)) -> None:
        self.service = service
        self.uow_factory = uow_factory
        self.projections = projections
        self.done = False
        self.__name__ = f"{service}-snapshot-request"

    def __call__(self) -> bool:
        """Return True if it asked for a snapshot."""
        if self.done:
            return False
        with self.uow_factory() as uow:
            inbox = uow.messaging.inbox
            missing = [
                projection for projection in self.projections
                if uow.session.execute(
                    select(inbox.c.message_id).where(inbox.c.event_type == SNAPSHOT_EVENTS[projection]).limit(1)
                ).first() is None
            ]
            if missing:
                uow.emit(f"{self.service}.projection.snapshot_requested", {"projections": missing})
                uow.commit()
                log.info("%s: no snapshot of %s handled yet, snapshot requested", self.service, ", ".join(missing))
        self.done = True
        return bool(missing)


class SqlMembershipLookup:
    """MembershipLookup over the projection table, in the caller's session."""

    def __init__(self, session: Session, table: Table) -> None:
        self.session = session
        self.table = table

    def role_of(self, account_id: str, group_id: str) -> str | None:
        return self.session.execute(
            select(self.table.c.role).where(
                (self.table.c.account_id == account_id) & (self.table.c.group_id == group_id)
            )
        ).scalar_one_or_none()

    def groups_of(self, account_id: str) -> list[dict[str, str]]:
        """Every group the account belongs to: id, name, company_name, role (for the switcher)."""
        t = self.table
        rows = self.session.execute(
            select(t.c.group_id, t.c.group_name, t.c.company_name, t.c.role)
            .where((t.c.account_id == account_id) & t.c.role.is_not(None))
            .order_by(t.c.company_name, t.c.group_name)
        ).all()
        return [{"id": g, "name": n or "", "company_name": c or "", "role": r} for g, n, c, r in rows]


def forget_memberships(session: Session, table: Table) -> None:
    """Tests only need this to start clean."""
    session.execute(delete(table))
