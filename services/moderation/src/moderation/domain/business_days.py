"""Moderation's deadline: a request is decided within 2 business days (plumbing.calendar's rules).

The calendar itself (Québec holidays, business-day arithmetic, Québec dates) is
`plumbing.calendar`, shared with offers; its names are re-exported here for moderation's callers.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime

from plumbing.calendar import (
    QUEBEC,
    add_business_days,
    age_in_business_days,
    business_days_between,
    is_business_day,
    quebec_date,
    quebec_holidays,
)

__all__ = [
    "DECISION_DELAY",
    "QUEBEC",
    "add_business_days",
    "age_in_business_days",
    "business_days_between",
    "due_date",
    "is_business_day",
    "is_overdue",
    "quebec_date",
    "quebec_holidays",
]

#: Staff decide a request within this many business days; past it the item is "en retard".
DECISION_DELAY = 2


def due_date(since: datetime, holidays: Container[date], delay: int = DECISION_DELAY) -> date:
    """The last Québec date on which a decision is on time."""
    return add_business_days(quebec_date(since), delay, holidays)


def is_overdue(since: datetime, now: datetime, holidays: Container[date], delay: int = DECISION_DELAY) -> bool:
    """ "En retard": more than `delay` business days have passed."""
    return age_in_business_days(since, now, holidays) > delay
