"""Events offers consumes, and the table mapping each type to its handlers.

For now only company-portal's membership events (live and snapshot), which fill the membership
projection its permission checks read (plumbing.auth.memberships).
"""

from __future__ import annotations

from collections.abc import Sequence

from plumbing.auth.memberships import MEMBERSHIP_EVENT_HANDLERS
from plumbing.events.consumer import EventHandler

HANDLERS: dict[str, Sequence[EventHandler]] = {**MEMBERSHIP_EVENT_HANDLERS}
