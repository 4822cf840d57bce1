"""Posting dates, publication end, extension and featuring, on Québec dates and holidays."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from offers.domain.posting import (
    FeaturedPeriod,
    PostingDateRefused,
    earliest_posting_date,
    extended_end,
    featured_period,
    fewer_than_featured_days_left,
    format_date_en,
    format_date_fr,
    last_publication_day,
    posting_starts_at,
    publication_ends_at,
    validate_posting_date,
)
from plumbing.calendar import quebec_holidays

HOLIDAYS = quebec_holidays()
QC = ZoneInfo("America/Montreal")


def local(day: str, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(tzinfo=QC).astimezone(UTC)


@pytest.mark.parametrize(
    ("sent_on", "earliest"),
    [
        ("2026-11-02", "2026-11-05"),  # Monday → Thursday
        ("2026-11-05", "2026-11-10"),  # Thursday → Tuesday (the weekend does not count)
        ("2026-11-07", "2026-11-11"),  # sent on a Saturday → Wednesday
        ("2026-11-08", "2026-11-11"),  # sent on a Sunday → Wednesday
        ("2026-06-22", "2026-06-26"),  # Monday before the Fête nationale (Wednesday 24 June) → Friday
        ("2026-06-29", "2026-07-03"),  # Monday before Canada Day (Wednesday 1 July) → Friday
        ("2026-12-23", "2026-12-29"),  # Wednesday before Christmas (Friday 25) → Tuesday 29
        ("2026-12-31", "2027-01-06"),  # New Year's Day (Friday 1 January 2027)
        ("2026-04-01", "2026-04-07"),  # Good Friday (3 April 2026); Easter Monday is a business day
    ],
)
def test_earliest_posting_date_is_three_business_days_after_sending(sent_on, earliest):
    assert earliest_posting_date(date.fromisoformat(sent_on), HOLIDAYS) == date.fromisoformat(earliest)


def test_a_date_before_the_earliest_is_refused_naming_the_earliest():
    sent = date(2026, 6, 22)
    assert validate_posting_date(date(2026, 6, 26), sent, HOLIDAYS) == date(2026, 6, 26)
    assert validate_posting_date(date(2026, 6, 27), sent, HOLIDAYS) == date(2026, 6, 27)  # a Saturday is fine
    with pytest.raises(PostingDateRefused) as refused:
        validate_posting_date(date(2026, 6, 25), sent, HOLIDAYS)
    error = refused.value
    assert error.code == "posting_too_early" and error.field == "posting"
    assert error.earliest == date(2026, 6, 26)
    assert "26 juin 2026" in error.message("fr") and "jours ouvrables" in error.message("fr")
    assert "June 26, 2026" in error.message("en") and "business days" in error.message("en")
    with pytest.raises(PostingDateRefused):
        validate_posting_date(sent, sent, HOLIDAYS)  # the same day


def test_dates_are_written_as_people_read_them():
    assert format_date_fr(date(2026, 7, 1)) == "1er juillet 2026"
    assert format_date_fr(date(2026, 8, 15)) == "15 août 2026"
    assert format_date_en(date(2026, 7, 1)) == "July 1, 2026"


def test_a_publication_ends_at_the_end_of_its_30th_quebec_day():
    # Approved Monday 1 June 2026 at 10:00: day 1 is 1 June, day 30 is 30 June; ends at midnight (EDT).
    starts = local("2026-06-01", 10)
    assert last_publication_day(starts) == date(2026, 6, 30)
    assert publication_ends_at(starts) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)
    assert publication_ends_at(starts).tzinfo is UTC
    # Approved late in the evening: still the same Québec day even though UTC is on the next one.
    assert last_publication_day(local("2026-06-01", 23, 30)) == date(2026, 6, 30)
    # A chosen posting date starts at local midnight.
    assert posting_starts_at(date(2026, 6, 1)) == datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
    assert publication_ends_at(posting_starts_at(date(2026, 6, 1))) == datetime(2026, 7, 1, 4, 0, tzinfo=UTC)


def test_publication_end_across_daylight_saving_changes():
    # Starts in EDT (UTC-4), ends in EST (UTC-5): DST ends on Sunday 1 November 2026.
    starts = local("2026-10-20", 9)
    assert last_publication_day(starts) == date(2026, 11, 18)
    assert publication_ends_at(starts) == datetime(2026, 11, 19, 5, 0, tzinfo=UTC)
    # Starts in EST, ends in EDT: DST starts on Sunday 8 March 2026.
    starts = local("2026-02-20", 9)
    assert publication_ends_at(starts) == datetime(2026, 3, 22, 4, 0, tzinfo=UTC)
    assert publication_ends_at(starts).astimezone(QC).hour == 0


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        publication_ends_at(datetime(2026, 6, 1, 10, 0))
    with pytest.raises(ValueError):
        featured_period(datetime(2026, 6, 1, 10, 0), datetime(2026, 7, 1, 4, 0, tzinfo=UTC))


def test_an_extension_adds_seven_days_to_the_last_day():
    ends = publication_ends_at(local("2026-06-01"))  # end of 30 June
    assert extended_end(ends) == datetime(2026, 7, 8, 4, 0, tzinfo=UTC)  # end of 7 July
    assert extended_end(extended_end(ends)) == datetime(2026, 7, 15, 4, 0, tzinfo=UTC)
    # Across the end of DST: last day 30 October (EDT) → 6 November, which ends in EST.
    ends = datetime(2026, 10, 31, 4, 0, tzinfo=UTC)
    assert extended_end(ends) == datetime(2026, 11, 7, 5, 0, tzinfo=UTC)


def test_featuring_lasts_seven_days_capped_at_expiry_with_a_warning():
    ends = publication_ends_at(local("2026-06-01"))
    period = featured_period(local("2026-06-10", 14), ends)
    assert period == FeaturedPeriod(local("2026-06-10", 14), local("2026-06-17", 14), shortened=False)
    assert period.warning("fr") is None and period.warning("en") is None
    assert not fewer_than_featured_days_left(local("2026-06-23", 23, 59), ends)  # exactly 7 days left
    short = featured_period(local("2026-06-26", 14), ends)
    assert short.ends_at == ends and short.shortened
    assert fewer_than_featured_days_left(local("2026-06-26", 14), ends)
    assert "moins de 7 jours" in short.warning("fr") and "30 juin 2026" in short.warning("fr")
    assert "Fewer than 7 days" in short.warning("en") and "June 30, 2026" in short.warning("en")


def test_featuring_keeps_the_local_hour_across_a_dst_change():
    # Featured on Friday 30 October 2026 at 14:00 EDT; 7 days later is 6 November 14:00 EST.
    period = featured_period(local("2026-10-30", 14), datetime(2026, 12, 1, 5, 0, tzinfo=UTC))
    assert period.ends_at == datetime(2026, 11, 6, 19, 0, tzinfo=UTC)
    assert period.ends_at - period.starts_at == timedelta(days=7, hours=1)
