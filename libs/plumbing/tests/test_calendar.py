"""plumbing.calendar: Québec holidays, business-day arithmetic and Québec dates."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plumbing.calendar import (
    add_business_days,
    age_in_business_days,
    business_days_between,
    end_of_quebec_day,
    is_business_day,
    quebec_date,
    quebec_holidays,
    start_of_quebec_day,
)

HOLIDAYS = quebec_holidays()


def at(day: str, hour: int = 10) -> datetime:
    """A Québec wall-clock time (EST, UTC-5 in winter; EDT, UTC-4 in summer) as an aware UTC instant."""
    local = datetime.fromisoformat(f"{day}T{hour:02d}:00")
    return local.replace(tzinfo=ZoneInfo("America/Montreal")).astimezone(UTC)


def test_the_calendar_lists_quebec_statutory_holidays_as_the_holidays_package_does():
    for holiday in (
        "2026-01-01",
        "2026-04-03",
        "2026-05-18",
        "2026-06-24",
        "2026-07-01",
        "2026-09-07",
        "2026-10-12",
        "2026-12-25",
    ):
        assert date.fromisoformat(holiday) in HOLIDAYS, holiday
    # Not Québec statutory holidays in the package's QC calendar: Easter Monday, Boxing Day.
    assert date(2026, 4, 6) not in HOLIDAYS
    assert date(2026, 12, 26) not in HOLIDAYS


def test_same_day_is_zero_and_each_weekday_counts_one():
    monday = at("2026-11-02", 8)
    assert age_in_business_days(monday, at("2026-11-02", 17), HOLIDAYS) == 0
    assert age_in_business_days(monday, at("2026-11-03"), HOLIDAYS) == 1
    assert age_in_business_days(monday, at("2026-11-04"), HOLIDAYS) == 2
    assert age_in_business_days(monday, at("2026-11-05"), HOLIDAYS) == 3


@pytest.mark.parametrize(
    ("since", "today", "age"),
    [
        ("2026-11-05", "2026-11-07", 1),  # Thursday → Saturday: the weekend does not count
        ("2026-11-05", "2026-11-09", 2),  # Thursday → Monday
        ("2026-11-07", "2026-11-09", 1),  # from a Saturday: Monday is day 1
        ("2026-11-08", "2026-11-11", 3),  # from a Sunday
    ],
)
def test_weekends_do_not_count(since, today, age):
    assert age_in_business_days(at(since), at(today), HOLIDAYS) == age


def test_holidays_do_not_count():
    # Wednesday 24 June 2026 (Fête nationale), Wednesday 1 July (Canada Day).
    assert business_days_between(date(2026, 6, 23), date(2026, 6, 26), HOLIDAYS) == 2
    assert add_business_days(date(2026, 6, 23), 1, HOLIDAYS) == date(2026, 6, 25)
    assert add_business_days(date(2026, 6, 30), 2, HOLIDAYS) == date(2026, 7, 3)
    # Christmas on Friday 25 December 2026: the next business day after Thursday 24 is Monday 28.
    assert add_business_days(date(2026, 12, 24), 1, HOLIDAYS) == date(2026, 12, 28)
    # Good Friday (3 April 2026) is a holiday, Easter Monday is not.
    assert not is_business_day(date(2026, 4, 3), HOLIDAYS)
    assert is_business_day(date(2026, 4, 6), HOLIDAYS)
    assert not is_business_day(date(2026, 4, 4), HOLIDAYS)  # a Saturday


def test_dates_are_quebec_dates_not_utc_dates():
    # Thursday 5 November 2026 at 23:30 in Québec is already Friday 04:30 UTC.
    late_evening = datetime(2026, 11, 6, 4, 30, tzinfo=UTC)
    assert quebec_date(late_evening) == date(2026, 11, 5)
    monday = datetime(2026, 11, 9, 15, 0, tzinfo=UTC)
    assert age_in_business_days(late_evening, monday, HOLIDAYS) == 2  # Friday, Monday


def test_any_set_of_dates_is_a_calendar():
    custom = {date(2026, 11, 3)}
    assert business_days_between(date(2026, 11, 2), date(2026, 11, 4), custom) == 1
    assert add_business_days(date(2026, 11, 2), 2, custom) == date(2026, 11, 5)
    assert business_days_between(date(2026, 11, 4), date(2026, 11, 2), custom) == 0
    assert add_business_days(date(2026, 11, 2), 0, custom) == date(2026, 11, 2)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        quebec_date(datetime(2026, 11, 2, 9, 0))


def test_a_quebec_day_ends_at_local_midnight_whatever_the_offset():
    # Winter (EST, UTC-5) and summer (EDT, UTC-4).
    assert end_of_quebec_day(date(2026, 1, 15)) == datetime(2026, 1, 16, 5, 0, tzinfo=UTC)
    assert end_of_quebec_day(date(2026, 7, 15)) == datetime(2026, 7, 16, 4, 0, tzinfo=UTC)
    # 8 March 2026 (DST starts) lasts 23 hours; 1 November 2026 (DST ends) lasts 25.
    assert end_of_quebec_day(date(2026, 3, 8)) - start_of_quebec_day(date(2026, 3, 8)) == timedelta(hours=23)
    assert end_of_quebec_day(date(2026, 11, 1)) - start_of_quebec_day(date(2026, 11, 1)) == timedelta(hours=25)
    assert quebec_date(end_of_quebec_day(date(2026, 11, 1)) - timedelta(microseconds=1)) == date(2026, 11, 1)
