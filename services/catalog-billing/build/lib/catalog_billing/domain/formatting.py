"""Money and dates as a Québec reader expects them: `2 675,00 $` / `$2,675.00`, `15 janvier 2027`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency

QUEBEC_TZ = "America/Montreal"


def babel_locale(locale: str) -> str:
    """`fr_CA` or `en_CA` from `fr`, `en`, `en-US`…"""
    return "en_CA" if (locale or "").lower().startswith("en") else "fr_CA"


def format_money(amount: Decimal, locale: str, currency: str = "CAD") -> str:
    """Dollars with two decimals; French uses a no-break space and a comma (`1 234,56 $`).

    The narrow no-break space babel may put in French becomes an ordinary no-break space: the
    PDF's standard fonts have no glyph for the narrow one.
    """
    text = format_currency(amount, currency, locale=babel_locale(locale), currency_digits=True)
    text = text.replace("\u202f", "\u00a0")
    return text.replace("CA$", "$").replace("CA\u00a0$", "$")


def format_date(value: date | datetime, locale: str) -> str:
    """`15 janvier 2027` / `January 15, 2027` (a datetime is shown on its Québec date)."""
    if isinstance(value, datetime):
        from babel.dates import format_datetime

        pattern = "d MMMM y" if babel_locale(locale) == "fr_CA" else "MMMM d, y"
        return format_datetime(value, pattern, tzinfo=QUEBEC_TZ, locale=babel_locale(locale))
    return babel_format_date(value, "long", locale=babel_locale(locale)) if babel_locale(locale) == "en_CA" \
        else babel_format_date(value, "d MMMM y", locale="fr_CA")
