"""The offers waiting for OIQ staff: a projection of offers' `offers.offer.status_changed`.

offers owns offers (services/offers/DESIGN.md): moderation only keeps, per offer, what its queue
shows. An offer that moves *to* `in_validation` enters the queue (with when it was sent); one that
moves *from* it (approved, returned, cancelled, expired) leaves it. The row stays afterwards, out of
the queue, so that a late event can be recognised as old.

Events may arrive twice (the consumer's inbox drops the second) or out of order (after a broker
redelivery): each row remembers the `occurred_at` of the last event applied, and an event that
happened before it changes nothing. At the same instant, only the next step from the row's status
is applied (sent then approved within one tick of a clock that did not move).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

IN_VALIDATION = "in_validation"


@dataclass(frozen=True)
class OfferStatusChange:
    """What moderation reads of one `offers.offer.status_changed` event."""

    offer_id: str
    group_id: str
    profile: str
    title_fr: str
    from_status: str
    to_status: str
    occurred_at: datetime
    submitted_at: datetime | None = None
    created_by: str = ""
    online: bool = False


@dataclass
class OfferQueueItem:
    offer_id: str
    group_id: str
    profile: str
    title_fr: str
    status: str
    in_queue: bool
    submitted_at: datetime
    last_event_at: datetime
    created_by: str = ""
    online: bool = False  # an offer "en cours" whose changes wait stays online

    @classmethod
    def from_change(cls, change: OfferStatusChange) -> OfferQueueItem:
        return cls(
            offer_id=change.offer_id,
            group_id=change.group_id,
            profile=change.profile,
            title_fr=change.title_fr,
            status=change.to_status,
            in_queue=change.to_status == IN_VALIDATION,
            submitted_at=change.submitted_at or change.occurred_at,
            last_event_at=change.occurred_at,
            created_by=change.created_by,
            online=change.online,
        )

    def follows(self, change: OfferStatusChange) -> bool:
        """Whether `change` comes after what the row shows: it happened later, or at the same
        instant (a clock that did not move) as the next step from the status the row has."""
        if change.occurred_at != self.last_event_at:
            return change.occurred_at > self.last_event_at
        return change.from_status == self.status and change.to_status != self.status

    def apply(self, change: OfferStatusChange) -> bool:
        """Apply a later change; an older one (or the same one again) changes nothing. True if applied."""
        if not self.follows(change):
            return False
        self.status = change.to_status
        self.in_queue = change.to_status == IN_VALIDATION
        if self.in_queue:
            self.submitted_at = change.submitted_at or change.occurred_at
        self.group_id = change.group_id or self.group_id
        self.profile = change.profile or self.profile
        self.title_fr = change.title_fr or self.title_fr
        self.created_by = change.created_by or self.created_by
        self.online = change.online
        self.last_event_at = change.occurred_at
        return True
