"""Unit tests of the input rules and the search key (pure domain)."""

from __future__ import annotations

import pytest

from company_portal.domain import errors
from company_portal.domain import validation as v
from company_portal.domain.model import AboutYou, CompanyInfo, Membership, check_principal_kept, next_group_name
from company_portal.domain.names import looks_like_neq, search_key


def clean(function, value, *args):
    problems: list[errors.FieldError] = []
    result = function(value, *args, problems)
    return result, [p.code for p in problems]


@pytest.mark.parametrize("raw, expected", [("1165432109", "1165432109"), (" 1165 432 109 ", "1165432109"),
                                           ("1165-432-109", "1165432109")])
def test_neq_is_ten_digits(raw, expected):
    assert clean(v.clean_neq, raw) == (expected, [])


@pytest.mark.parametrize("raw", ["116543210", "11654321090", "11654321a9", "١١٦٥٤٣٢١٠٩", "", "NEQ"])
def test_bad_neq_is_refused(raw):
    assert clean(v.clean_neq, raw)[1] == ["invalid_neq"]


@pytest.mark.parametrize("raw, expected", [("h2x3j6", "H2X 3J6"), ("H2X 3J6", "H2X 3J6"), (" g1v  4t3", None)])
def test_canadian_postal_code_is_normalized(raw, expected):
    value, problems = clean(v.clean_postal_code, raw, "Canada")
    if expected:
        assert (value, problems) == (expected, [])
    else:
        assert problems == ["invalid_postal_code"]


@pytest.mark.parametrize("raw", ["H2X-3J6", "Z2X 3J6", "H2X 3J", "123456", "H2X 3J6 1", "D2X 3J6", "H2X 3O6"])
def test_bad_canadian_postal_code_is_refused(raw):
    assert clean(v.clean_postal_code, raw, "canada")[1] == ["invalid_postal_code"]


def test_postal_code_is_free_outside_canada():
    assert clean(v.clean_postal_code, "75001", "France") == ("75001", [])


@pytest.mark.parametrize("raw, expected", [("(514) 555-0123", "514-555-0123"), ("+1 514 555 0123", "514-555-0123"),
                                           ("5145550123", "514-555-0123"), ("1-418-555-0199", "418-555-0199")])
def test_phone_is_ten_north_american_digits(raw, expected):
    assert clean(v.clean_phone, raw) == (expected, [])


@pytest.mark.parametrize("raw", ["555-0123", "014 555 0123", "514 155 0123", "514-555-01234", "514-SOS-0123",
                                 "+33 1 23 45 67 89"])
def test_bad_phone_is_refused(raw):
    assert clean(v.clean_phone, raw)[1] == ["invalid_phone"]


@pytest.mark.parametrize("raw, ok", [("", True), ("123", True), ("123456", True), ("1234567", False),
                                     ("12a", False), ("²", False)])
def test_extension_has_at_most_six_digits(raw, ok):
    assert (clean(v.clean_extension, raw)[1] == []) is ok


@pytest.mark.parametrize("raw, expected", [("https://genivert.ca", "https://genivert.ca"),
                                           ("www.genivert.ca", "https://www.genivert.ca"),
                                           ("http://genivert.ca/carrieres", "http://genivert.ca/carrieres")])
def test_website_is_http_or_https(raw, expected):
    assert clean(v.clean_website, raw) == (expected, [])


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://genivert.ca", "data:text/html,x", "https://localhost",
                                 "https://user@genivert.ca", "mailto:rh@genivert.ca"])
def test_other_website_schemes_are_refused(raw):
    assert clean(v.clean_website, raw)[1] == ["invalid_website"]


def test_company_info_reports_every_broken_rule_at_once():
    with pytest.raises(errors.InvalidInput) as caught:
        CompanyInfo.parse({"legal_name": "", "phone": "123", "country": "Canada", "address": "1 rue A",
                           "city": "Laval", "province": "XX", "postal_code": "H7L"})
    assert {e.field: e.code for e in caught.value.errors} == {
        "legal_name": "required", "phone": "invalid_phone", "province": "invalid_province",
        "postal_code": "invalid_postal_code"}
    assert caught.value.by_field("en")["phone"].startswith("The phone number")


def test_company_info_is_normalized():
    info = CompanyInfo.parse({"legal_name": "  Génivert   inc. ", "phone": "514 555 0100", "country": "canada",
                              "address": "1200, rue Saint-Denis", "city": "Montréal", "province": "Québec",
                              "postal_code": "h2x3j6", "neq": "1165432109"}, with_neq=True)
    assert (info.legal_name, info.phone, info.country, info.province, info.postal_code, info.neq) == (
        "Génivert inc.", "514-555-0100", "Canada", "QC", "H2X 3J6", "1165432109")


def test_fields_are_bounded():
    with pytest.raises(errors.InvalidInput) as caught:
        AboutYou.parse({"first_name": "M" * 101, "last_name": "T", "phone": "514 555 0100", "function": "Ing."})
    assert [(e.field, e.code) for e in caught.value.errors] == [("first_name", "too_long")]


def test_search_key_folds_accents_case_punctuation_and_legal_forms():
    assert search_key("Génie-Conseil Rivière inc.") == "genie conseil riviere"
    assert search_key("GENIE CONSEIL RIVIERE LTÉE") == "genie conseil riviere"
    assert search_key("Tremblay, Côté et associés S.E.N.C.R.L.") == "tremblay cote et associes"
    assert search_key("Œuvres d'art enr.") == "oeuvres d art"
    assert search_key("Inc.") == "inc"  # nothing but noise: keep it
    assert looks_like_neq("1165 432 109") and not looks_like_neq("genie 1165432109")


def test_group_names_follow_groupe_001():
    assert next_group_name([]) == "Groupe 001"
    assert next_group_name(["Groupe 001", "Laval", "Groupe 003"]) == "Groupe 002"


def test_the_last_principal_stays(clock_now=None):
    from datetime import UTC, datetime

    now = datetime(2026, 11, 2, tzinfo=UTC)
    only = Membership("a", "g", "principal", 1, now)
    other = Membership("b", "g", "affichage", 1, now)
    with pytest.raises(errors.Conflict) as caught:
        check_principal_kept([only, other], "a", None)
    assert caught.value.code == "last_principal"
    check_principal_kept([only, other], "b", None)  # removing a non-principal is fine
    second = Membership("c", "g", "principal", 1, now)
    check_principal_kept([only, second], "a", "finances")  # another principal remains


# Phones through phonenumbers (issue 7): one stored form, extensions, no home-made digit counting
@pytest.mark.parametrize("raw, expected", [
    ("514-555-0123 ext. 12", "514-555-0123 x12"), ("(514) 555-0123 poste 12", "514-555-0123 x12"),
    ("514 555 0123 x 4567", "514-555-0123 x4567"), ("+1 (418) 555-0150 #7", "418-555-0150 x7"),
    ("514.555.0123", "514-555-0123"), ("212 555 0100", "212-555-0100"),
])
def test_phones_are_stored_in_one_form_extensions_included(raw, expected):
    assert clean(v.clean_phone, raw) == (expected, [])


@pytest.mark.parametrize("raw", ["1 800 FLOWERS", "514 555 0123 poste 1234567", "514 555 0123 bureau 12",
                                 "+44 20 7946 0958", "911"])
def test_vanity_foreign_and_overlong_extension_numbers_are_refused(raw):
    assert clean(v.clean_phone, raw)[1] == ["invalid_phone"]


def test_the_profile_takes_the_extension_written_in_the_phone():
    about = AboutYou.parse({"first_name": "Luc", "last_name": "Gagnon", "function": "Ingénieur",
                            "phone": "514 555-0199 poste 22"})
    assert (about.phone, about.extension) == ("514-555-0199", "22")
    kept = AboutYou.parse({"first_name": "Luc", "last_name": "Gagnon", "function": "Ingénieur",
                           "phone": "514 555-0199 poste 22", "extension": "31"})
    assert (kept.phone, kept.extension) == ("514-555-0199", "31")
