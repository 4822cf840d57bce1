"""schema.org `JobPosting` of a public offer page, as JSON-LD (Google's job posting structured data).

Required: title, description, datePosted, hiringOrganization, jobLocation (or jobLocationType
TELECOMMUTE with applicantLocationRequirements, for full remote work). Recommended: validThrough,
employmentType, identifier, directApply, and baseSalary, only when the employer's salary text
reads as one amount or a range (« 85 000 $ à 95 000 $ par année », "45 $/h", "80k-95k"): a guess
is worse than nothing. `script_tag` renders it inside `<script type="application/ld+json">` safely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup

from offers.domain.offer import Offer, OfferContent
from offers.domain.reference import load_reference
from plumbing.calendar import end_of_quebec_day

#: position_statuses codes → Google's employmentType (full or part time); employment_types codes
#: add the kind of contract (permanent adds nothing: Google has no value for it).
POSITION_TYPES = {"temps-plein": "FULL_TIME", "temps-partiel": "PART_TIME"}
EMPLOYMENT_TYPES = {"temporaire": "TEMPORARY", "contractuel": "CONTRACTOR", "stage": "INTERN"}
QUEBEC_REGION = "QC"
COUNTRY = "CA"


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def absolute(url: str, public_url: str) -> str:
    """A local path (a logo served by company-portal) made absolute; an absolute URL as is."""
    return public_url.rstrip("/") + url if url.startswith("/") else url


def employment_types(content: OfferContent) -> list[str]:
    found = (POSITION_TYPES.get(content.position_status), EMPLOYMENT_TYPES.get(content.employment_type))
    return [kind for kind in found if kind] or ["OTHER"]


def _address(**fields: str) -> dict[str, Any]:
    return {"@type": "Place", "address": {"@type": "PostalAddress", **{k: v for k, v in fields.items() if v}}}


def job_locations(content: OfferContent) -> list[dict[str, Any]]:
    """Where the work is: the address, or each place (a municipality, or a region of Québec), or
    only the country when it is outside Québec (the description says where)."""
    reference = load_reference()
    place = content.workplace
    if place.kind == "address":
        city = reference.place(place.city).fr if place.city and reference.is_place(place.city) else ""
        return [
            _address(
                streetAddress=place.street,
                addressLocality=city,
                postalCode=place.postal_code,
                addressRegion=QUEBEC_REGION,
                addressCountry=COUNTRY,
            )
        ]
    if place.kind == "places":
        return [
            _address(addressLocality=reference.place(code).fr, addressRegion=QUEBEC_REGION, addressCountry=COUNTRY)
            for code in place.places
            if reference.is_place(code)
        ] or [_address(addressRegion=QUEBEC_REGION, addressCountry=COUNTRY)]
    return [_address(addressCountry=COUNTRY)]


# Salary ----------------------------------------------------------------------------------------
#: An amount: thousands grouped by spaces (French) or commas (English), optional cents, optional "k".
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:[ \u00a0\u202f,]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?![\d.,]\d)\s*([kK]\b)?")
_UNITS = (
    ("HOUR", re.compile(r"/\s*h\b|heure|hour|horaire|hourly", re.I)),
    ("WEEK", re.compile(r"semaine|week", re.I)),
    ("MONTH", re.compile(r"\bmois\b|month", re.I)),
    ("YEAR", re.compile(r"\ban\b|année|annuel|year|annual|/\s*a\b", re.I)),
)


def parse_salary(text: str) -> dict[str, Any] | None:
    """`{"min": …, "max": …, "unit": "YEAR" | "HOUR" | …}` from a salary text, or None when it does
    not read as one amount or one range of amounts (« selon l'expérience », three numbers…)."""
    amounts = []
    for whole, cents, thousands in _NUMBER.findall(text or ""):
        value = float(re.sub(r"\D", "", whole) + (f".{cents}" if cents else ""))
        amounts.append(value * 1000 if thousands else value)
    if not 1 <= len(amounts) <= 2 or min(amounts) <= 0 or amounts[0] > amounts[-1]:
        return None
    unit = next((name for name, pattern in _UNITS if pattern.search(text)), None)
    if unit is None:
        unit = "YEAR" if amounts[0] >= 1000 else "HOUR"
    return {"min": amounts[0], "max": amounts[-1], "unit": unit}


def _number(value: float) -> int | float:
    return int(value) if value == int(value) else value


def base_salary(text: str) -> dict[str, Any] | None:
    parsed = parse_salary(text)
    if parsed is None:
        return None
    if parsed["min"] == parsed["max"]:
        value: dict[str, Any] = {"@type": "QuantitativeValue", "value": _number(parsed["min"])}
    else:
        value = {"@type": "QuantitativeValue", "minValue": _number(parsed["min"]), "maxValue": _number(parsed["max"])}
    return {"@type": "MonetaryAmount", "currency": "CAD", "value": {**value, "unitText": parsed["unit"]}}


# The posting -----------------------------------------------------------------------------------
def valid_through(offer: Offer, content: OfferContent) -> datetime | None:
    """The earlier of the end of publication and the end of the application deadline's day."""
    ends = [offer.publication_ends_at]
    if content.application_deadline is not None:
        ends.append(end_of_quebec_day(content.application_deadline))
    known = [e for e in ends if e is not None]
    return min(known) if known else None


def job_posting(
    offer: Offer, content: OfferContent, branding: Mapping[str, Any], public_url: str, *, locale: str = "fr"
) -> dict[str, Any]:
    """The JobPosting of an offer's live `content`, `branding` as web_employer_offer_page.branding_of
    gives it, `public_url` the site's address (absolute URLs)."""
    english = locale == "en"
    page_url = f"{public_url.rstrip('/')}/emplois/{offer.id}"
    organization: dict[str, Any] = {"@type": "Organization", "name": branding.get("company_name") or ""}
    if branding.get("website"):
        organization["sameAs"] = branding["website"]
    if branding.get("logo_url"):
        organization["logo"] = absolute(branding["logo_url"], public_url)
    posting: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": content.title_en if english and content.title_en else content.title_fr,
        "description": content.description_en if english and content.description_en else content.description_fr,
        "datePosted": _instant(offer.published_at) if offer.published_at else None,
        "hiringOrganization": organization,
        "employmentType": employment_types(content),
        # The offer's id: unique on the site (an employer's reference number need not be).
        "identifier": {"@type": "PropertyValue", "name": organization["name"] or "ingemplois", "value": offer.id},
        "directApply": offer.config.apply_method == "email",
        "url": page_url,
    }
    through = valid_through(offer, content)
    if through is not None:
        posting["validThrough"] = _instant(through)
    if content.workplace.kind != "outside_quebec" or content.work_formula != "teletravail":
        posting["jobLocation"] = job_locations(content)
    if content.work_formula == "teletravail":
        posting["jobLocationType"] = "TELECOMMUTE"
        posting["applicantLocationRequirements"] = (
            {"@type": "Country", "name": "Canada"}
            if content.workplace.kind == "outside_quebec"
            else {"@type": "State", "name": "Québec"}
        )
    salary = base_salary(content.salary)
    if salary is not None:
        posting["baseSalary"] = salary
    return {k: v for k, v in posting.items() if v is not None}


_UNSAFE_IN_SCRIPT = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_tag(data: Mapping[str, Any]) -> Markup:
    """`<script type="application/ld+json">…</script>` whose JSON cannot end the element or open a
    comment (`</script>`, `<!--` inside a description come out as \\u003c…)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _UNSAFE_IN_SCRIPT.items():
        text = text.replace(char, escaped)
    return Markup(f'<script type="application/ld+json">{text}</script>')  # noqa: S704 - escaped above
