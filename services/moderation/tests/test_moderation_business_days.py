"""The 2-day deadline, on Québec dates and Québec holidays (the calendar itself: plumbing's test_calendar)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from moderation.domain.business_days import (
    age_in_business_days,
    due_date,
    is_business_day,
    is_overdue,
    quebec_date,
    quebec_holidays,
)

HOLIDAYS = quebec_holidays()


def at(day: str, hour: int = 10) -> datetime:
    """A Québec wall-clock time (EST, UTC-5 in winter; EDT, UTC-4 in summer) as an aware UTC instant."""
    local = datetime.fromisoformat(f"{day}T{hour:02d}:00")
    return local.replace(tzinfo=ZoneInfo("America/Montreal")).astimezone(UTC)


@pytest.mark.parametrize(
    ("submitted", "today", "age", "late"),
    [
        ("2026-11-04", "2026-11-06", 2, False),  # Wednesday → Friday: on time
        ("2026-11-05", "2026-11-07", 1, False),  # Thursday → Saturday: the weekend does not count
        ("2026-11-05", "2026-11-09", 2, False),  # Thursday → Monday
        ("2026-11-05", "2026-11-10", 3, True),  # Thursday → Tuesday: late
        ("2026-11-06", "2026-11-10", 2, False),  # Friday → Tuesday
        ("2026-11-07", "2026-11-09", 1, False),  # submitted on a Saturday: Monday is day 1
        ("2026-11-08", "2026-11-11", 3, True),  # submitted on a Sunday: late on Wednesday
    ],
)
def test_weekends_do_not_count(submitted, today, age, late):
    assert age_in_business_days(at(submitted), at(today), HOLIDAYS) == age
    assert is_overdue(at(submitted), at(today), HOLIDAYS) is late


def test_fete_nationale_and_canada_day_do_not_count():
    # Tuesday 23 June 2026; the 24th (Wednesday) is the Fête nationale.
    submitted = at("2026-06-23")
    assert age_in_business_days(submitted, at("2026-06-24"), HOLIDAYS) == 0
    assert age_in_business_days(submitted, at("2026-06-26"), HOLIDAYS) == 2
    assert not is_overdue(submitted, at("2026-06-26"), HOLIDAYS)
    assert due_date(submitted, HOLIDAYS) == date(2026, 6, 26)
    assert is_overdue(submitted, at("2026-06-29"), HOLIDAYS)
    # Tuesday 30 June; Canada Day is Wednesday 1 July.
    assert due_date(at("2026-06-30"), HOLIDAYS) == date(2026, 7, 3)
    assert age_in_business_days(at("2026-06-30"), at("2026-07-01"), HOLIDAYS) == 0


def test_christmas_does_not_count_but_boxing_day_is_not_a_quebec_holiday():
    # Thursday 24 December 2026; Christmas is Friday 25; the 26th is a Saturday.
    submitted = at("2026-12-24")
    assert due_date(submitted, HOLIDAYS) == date(2026, 12, 29)
    assert age_in_business_days(submitted, at("2026-12-28"), HOLIDAYS) == 1
    assert is_overdue(submitted, at("2026-12-30"), HOLIDAYS)
    # In 2025 Christmas is a Thursday and the 26th (Friday) is a business day in Québec.
    assert age_in_business_days(at("2025-12-24"), at("2025-12-26"), HOLIDAYS) == 1


def test_good_friday_is_a_holiday_easter_monday_is_not():
    # Thursday 2 April 2026; Good Friday is 3 April; Easter Monday 6 April is a business day in QC.
    submitted = at("2026-04-02")
    assert age_in_business_days(submitted, at("2026-04-03"), HOLIDAYS) == 0
    assert age_in_business_days(submitted, at("2026-04-06"), HOLIDAYS) == 1
    assert due_date(submitted, HOLIDAYS) == date(2026, 4, 7)
    assert is_overdue(submitted, at("2026-04-08"), HOLIDAYS)
    assert is_business_day(date(2026, 4, 6), HOLIDAYS)
    assert not is_business_day(date(2026, 4, 3), HOLIDAYS)


def test_dates_are_quebec_dates_not_utc_dates():
    # Thursday 5 November 2026 at 23:30 in Québec is already Friday 04:30 UTC.
    late_evening = datetime(2026, 11, 6, 4, 30, tzinfo=UTC)
    assert quebec_date(late_evening) == date(2026, 11, 5)
    monday = datetime(2026, 11, 9, 15, 0, tzinfo=UTC)
    assert age_in_business_days(late_evening, monday, HOLIDAYS) == 2  # Friday, Monday
    assert is_overdue(late_evening, datetime(2026, 11, 10, 15, 0, tzinfo=UTC), HOLIDAYS)
