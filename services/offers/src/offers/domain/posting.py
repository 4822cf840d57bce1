"""When an offer goes online and for how long (PRODUCT §4): plain functions on Québec dates.

- A chosen posting date must be at least 3 business days after the day of sending (weekends and
  Québec holidays excluded, `plumbing.calendar`): sent on Monday 1 June 2026 → Thursday 4 June.
- A publication lasts 30 days, the day it starts being day 1, and ends at the end of the 30th
  day in Québec (America/Montreal): the stored instant is the next local midnight, in UTC.
- An extension adds 7 days to the last day; a featuring ("en vedette") lasts 7 days from its
  start and ends with the publication at the latest (with a warning when fewer than 7 days are left).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from plumbing.calendar import QUEBEC, add_business_days, end_of_quebec_day, quebec_date, start_of_quebec_day

#: Business days between the day an offer is sent and the earliest posting date it may choose.
POSTING_DELAY = 3
#: Days a publication lasts (the first day counts).
PUBLICATION_DAYS = 30
#: Days an extension ("Prolonger") adds.
EXTENSION_DAYS = 7
#: Days a featuring ("En vedette") lasts.
FEATURED_DAYS = 7

_MONTHS_FR = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_date_fr(day: date) -> str:
    """`1er juin 2026`, `24 juin 2026`."""
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS_FR[day.month - 1]} {day.year}"


def format_date_en(day: date) -> str:
    """`June 1, 2026`."""
    return f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"


class PostingDateRefused(ValueError):
    """A posting date before the earliest allowed: the message names the earliest valid date."""

    code = "posting_too_early"
    field = "posting"

    def __init__(self, chosen: date, earliest: date) -> None:
        self.chosen, self.earliest = chosen, earliest
        self.message_fr = (
            f"La date d'affichage doit être au moins {POSTING_DELAY} jours ouvrables après "
            f"l'envoi : au plus tôt le {format_date_fr(earliest)}."
        )
        self.message_en = (
            f"The posting date must be at least {POSTING_DELAY} business days after sending: "
            f"{format_date_en(earliest)} at the earliest."
        )
        super().__init__(self.message_en)

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr


def earliest_posting_date(sent_on: date, holidays: Container[date]) -> date:
    """The earliest date an offer sent on `sent_on` (a Québec date) may choose to be posted."""
    return add_business_days(sent_on, POSTING_DELAY, holidays)


def validate_posting_date(chosen: date, sent_on: date, holidays: Container[date]) -> date:
    """`chosen` if allowed; else `PostingDateRefused` naming the earliest valid date.

    The earliest date (always a business day) and any later date are allowed, a weekend day or a
    holiday included: going online needs no staff work.
    """
    earliest = earliest_posting_date(sent_on, holidays)
    if chosen < earliest:
        raise PostingDateRefused(chosen, earliest)
    return chosen


def posting_starts_at(posting: date) -> datetime:
    """A chosen posting date starts at local midnight (as a UTC instant)."""
    return start_of_quebec_day(posting)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("naive datetime: pass an aware instant")
    return instant


def last_publication_day(starts_at: datetime) -> date:
    """The 30th Québec day of a publication that starts at `starts_at` (day 1 is its start day)."""
    return quebec_date(_aware(starts_at)) + timedelta(days=PUBLICATION_DAYS - 1)


def publication_ends_at(starts_at: datetime) -> datetime:
    """The end of the 30th day in Québec, as an aware UTC instant (expiry is at this instant)."""
    return end_of_quebec_day(last_publication_day(starts_at))


def extended_end(ends_at: datetime, days: int = EXTENSION_DAYS) -> datetime:
    """An extension: the end of the day `days` Québec days after the current last day."""
    last_day = quebec_date(_aware(ends_at) - timedelta(microseconds=1))
    return end_of_quebec_day(last_day + timedelta(days=days))


@dataclass(frozen=True)
class FeaturedPeriod:
    """A featuring: from `starts_at` to `ends_at` (UTC); `shortened` when the expiry cuts it."""

    starts_at: datetime
    ends_at: datetime
    shortened: bool

    @property
    def warning_fr(self) -> str | None:
        if not self.shortened:
            return None
        return (
            f"Il reste moins de {FEATURED_DAYS} jours à la publication : l'offre sera en vedette jusqu'à "
            f"son expiration, le {format_date_fr(_last_day(self.ends_at))}."
        )

    @property
    def warning_en(self) -> str | None:
        if not self.shortened:
            return None
        return (
            f"Fewer than {FEATURED_DAYS} days of publication are left: the offer will be featured until "
            f"it expires, on {format_date_en(_last_day(self.ends_at))}."
        )

    def warning(self, locale: str) -> str | None:
        return self.warning_en if locale == "en" else self.warning_fr


def _last_day(ends_at: datetime) -> date:
    return quebec_date(ends_at - timedelta(microseconds=1))


def featured_period(starts_at: datetime, publication_end: datetime) -> FeaturedPeriod:
    """7 days from `starts_at` (Québec wall-clock, so a DST change keeps the hour), capped at expiry."""
    start = _aware(starts_at).astimezone(UTC)
    full = (start.astimezone(QUEBEC) + timedelta(days=FEATURED_DAYS)).astimezone(UTC)
    end = _aware(publication_end).astimezone(UTC)
    if full <= end:
        return FeaturedPeriod(start, full, shortened=False)
    return FeaturedPeriod(start, end, shortened=True)


def fewer_than_featured_days_left(now: datetime, publication_end: datetime) -> bool:
    """The "fewer than 7 days left" warning, shown before featuring is bought."""
    return featured_period(now, publication_end).shortened
