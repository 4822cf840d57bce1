"""Business days in Québec: one calendar (`holidays`, Canada / QC), ages and the 2-day deadline.

Every function takes the holidays as a container of dates (a `holidays` object or a plain set),
so tests can pass any calendar. Dates are Québec dates (America/Montreal); instants are aware.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

QUEBEC = ZoneInfo("America/Montreal")
#: Staff decide a request within this many business days; past it the item is "en retard".
DECISION_DELAY = 2


def quebec_holidays() -> holidays_lib.HolidayBase:
    """The one calendar: Québec statutory holidays as the `holidays` package lists them."""
    return holidays_lib.Canada(subdiv="QC")


def quebec_date(instant: datetime) -> date:
    """The calendar date in Québec of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware instant")
    return instant.astimezone(QUEBEC).date()


def is_business_day(day: date, holidays: Container[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def business_days_between(start: date, end: date, holidays: Container[date]) -> int:
    """Business days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_business_day(day, holidays):
            count += 1
        day += timedelta(days=1)
    return count


def add_business_days(start: date, days: int, holidays: Container[date]) -> date:
    """The `days`-th business day after `start`."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day, holidays):
            remaining -= 1
    return day


def age_in_business_days(since: datetime, now: datetime, holidays: Container[date]) -> int:
    """Business days elapsed since an instant, counted on Québec dates.

    Submitted on Monday (any hour): 0 on Monday, 1 on Tuesday, 2 on Wednesday, 3 on Thursday.
    Submitted on a Saturday: 1 on Monday.
    """
    return business_days_between(quebec_date(since), quebec_date(now), holidays)


def due_date(since: datetime, holidays: Container[date], delay: int = DECISION_DELAY) -> date:
    """The last Québec date on which a decision is on time."""
    return add_business_days(quebec_date(since), delay, holidays)


def is_overdue(since: datetime, now: datetime, holidays: Container[date], delay: int = DECISION_DELAY) -> bool:
    """"En retard": more than `delay` business days have passed."""
    return age_in_business_days(since, now, holidays) > delay
