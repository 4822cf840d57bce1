"""Business days in Québec: one calendar (`holidays`, Canada / QC) and business-day arithmetic.

The one calendar of the suite (moderation's 2-day deadline, offers' earliest posting date).
Every function takes the holidays as a container of dates (a `holidays` object or a plain set),
so tests can pass any calendar. Dates are Québec dates (America/Montreal); instants are aware.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib

QUEBEC = ZoneInfo("America/Montreal")


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


def end_of_quebec_day(day: date) -> datetime:
    """The last instant of a Québec date (the start of the next one), as an aware UTC instant.

    Computed from local midnight of the next day, so DST days (23 or 25 hours) are right.
    """
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=QUEBEC).astimezone(UTC)


def start_of_quebec_day(day: date) -> datetime:
    """The first instant of a Québec date, as an aware UTC instant."""
    return datetime.combine(day, time(0), tzinfo=QUEBEC).astimezone(UTC)
