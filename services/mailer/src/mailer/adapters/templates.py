"""Email templates (Jinja): `<name>.subject.txt`, `<name>.txt` and `<name>.html` per email.

HTML is autoescaped; text is not (it is never interpreted). French first, English below.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mailer.domain.model import Rendered

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "emails"
QUEBEC_TZ = "America/Montreal"


def date_fr(value: datetime) -> str:
    """`3 novembre 2026 à 9 h 00`, Québec time."""
    return format_datetime(value, "d MMMM y 'à' H 'h' mm", tzinfo=QUEBEC_TZ, locale="fr_CA")


def date_en(value: datetime) -> str:
    """`November 3, 2026 at 9:00 AM`, Québec time."""
    return format_datetime(value, "MMMM d, y 'at' h:mm a", tzinfo=QUEBEC_TZ, locale="en_CA")


def day(value: date, locale: str) -> str:
    """`15 janvier 2027` / `January 15, 2027`."""
    if locale == "en":
        return format_date(value, "MMMM d, y", locale="en_CA")
    return format_date(value, "d MMMM y", locale="fr_CA")


def money(value: Decimal, locale: str) -> str:
    """`2 675,00 $` / `$2,675.00` (Canadian dollars)."""
    text = format_currency(value, "CAD", locale="en_CA" if locale == "en" else "fr_CA")
    return text.replace("CA$", "$").replace("\u202f", "\u00a0")


def period(text: str) -> str:
    """End a sentence that may end with a name: `Génie Conseil inc.` takes no second period."""
    return text if text.rstrip().endswith((".", "!", "?", "…")) else text + "."


class EmailTemplates:
    def __init__(self, directory: Path = TEMPLATES_DIR) -> None:
        self.env = Environment(
            loader=FileSystemLoader(directory),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["date_fr"] = date_fr
        self.env.filters["date_en"] = date_en
        self.env.filters["period"] = period
        self.env.filters["day"] = day
        self.env.filters["money"] = money

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        subject = " ".join(self.env.get_template(f"{name}.subject.txt").render(context).split())
        parts = {**context, "subject": subject}
        return Rendered(
            subject=subject,
            text=self.env.get_template(f"{name}.txt").render(parts),
            html=self.env.get_template(f"{name}.html").render(parts),
        )
