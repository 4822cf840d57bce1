"""[offer page] The JSON-LD JobPosting's parts without a page: the salary text read as numbers (or
not at all), Google's employment types, the places, and the script element that cannot be closed."""

from __future__ import annotations

import json
import re

import pytest
from offers_fakes import complete_content

from offers.domain.offer import Workplace
from offers.entrypoints import jsonld


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("85 000 $ à 95 000 $ par année", {"min": 85000, "max": 95000, "unit": "YEAR"}),
        ("85\u00a0000 $", {"min": 85000, "max": 85000, "unit": "YEAR"}),
        ("80k-95k", {"min": 80000, "max": 95000, "unit": "YEAR"}),
        ("45,50 $/h", {"min": 45.5, "max": 45.5, "unit": "HOUR"}),
        ("De 40 à 55 $ de l'heure", {"min": 40, "max": 55, "unit": "HOUR"}),
        ("6 500 $ par mois", {"min": 6500, "max": 6500, "unit": "MONTH"}),
        ("$90,000 per year", {"min": 90000, "max": 90000, "unit": "YEAR"}),
        ("$90,000.00 - $110,000.00", {"min": 90000, "max": 110000, "unit": "YEAR"}),
        ("85 000,50 $", {"min": 85000.5, "max": 85000.5, "unit": "YEAR"}),
        ("1.2.3", None),
        ("0 $", None),
        ("Selon l'expérience", None),
        ("Concurrentiel", None),
        ("", None),
        ("95 000 $ à 85 000 $", None),  # a range upside down
        ("60 000, 70 000 ou 80 000 $", None),  # three amounts
    ],
)
def test_a_salary_is_read_only_when_it_is_one_amount_or_one_range(text: str, expected: dict | None) -> None:
    assert jsonld.parse_salary(text) == expected


def test_base_salary_is_a_monetary_amount_in_canadian_dollars() -> None:
    assert jsonld.base_salary("45 $/h") == {
        "@type": "MonetaryAmount", "currency": "CAD",
        "value": {"@type": "QuantitativeValue", "value": 45, "unitText": "HOUR"},
    }  # fmt: skip
    assert jsonld.base_salary("à discuter") is None


@pytest.mark.parametrize(
    ("employment_type", "position_status", "expected"),
    [
        ("permanent", "temps-plein", ["FULL_TIME"]),
        ("permanent", "temps-partiel", ["PART_TIME"]),
        ("temporaire", "temps-plein", ["FULL_TIME", "TEMPORARY"]),
        ("stage", "temps-partiel", ["PART_TIME", "INTERN"]),
        ("contractuel", "", ["CONTRACTOR"]),
        ("", "", ["OTHER"]),
    ],
)
def test_employment_types_map_to_googles_values(employment_type: str, position_status: str, expected: list) -> None:
    content = complete_content(employment_type=employment_type, position_status=position_status)
    assert jsonld.employment_types(content) == expected


def test_places_are_localities_of_quebec_and_outside_quebec_is_the_country() -> None:
    content = complete_content(workplace=Workplace("places", places=("06", "levis")))
    assert [p["address"] for p in jsonld.job_locations(content)] == [
        {"@type": "PostalAddress", "addressLocality": "Montréal", "addressRegion": "QC", "addressCountry": "CA"},
        {"@type": "PostalAddress", "addressLocality": "Lévis", "addressRegion": "QC", "addressCountry": "CA"},
    ]
    outside = complete_content(workplace=Workplace("outside_quebec"))
    assert [p["address"] for p in jsonld.job_locations(outside)] == [{"@type": "PostalAddress", "addressCountry": "CA"}]


def test_the_script_element_escapes_what_could_end_it() -> None:
    tag = jsonld.script_tag({"title": "</script><!-- & \u2028"})
    body = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', str(tag), re.S).group(1)
    assert "<" not in body and ">" not in body and "&" not in body and "\u2028" not in body
    assert json.loads(body) == {"title": "</script><!-- & \u2028"}
