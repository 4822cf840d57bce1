"""Input rules of the portal: NEQ, Canadian postal code, phone (phonenumbers), URL, lengths, required fields.

Each `clean_*` function returns the normalized value or appends a FieldError to `errors`; the
callers raise InvalidInput with every broken rule at once, so forms show all their messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import phonenumbers

from company_portal.domain.errors import FieldError

POSTAL_CODE = re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]) ?(\d[ABCEGHJ-NPRSTV-Z]\d)$")

PROVINCES: dict[str, tuple[str, str]] = {
    "QC": ("Québec", "Quebec"),
    "ON": ("Ontario", "Ontario"),
    "NB": ("Nouveau-Brunswick", "New Brunswick"),
    "NS": ("Nouvelle-Écosse", "Nova Scotia"),
    "PE": ("Île-du-Prince-Édouard", "Prince Edward Island"),
    "NL": ("Terre-Neuve-et-Labrador", "Newfoundland and Labrador"),
    "MB": ("Manitoba", "Manitoba"),
    "SK": ("Saskatchewan", "Saskatchewan"),
    "AB": ("Alberta", "Alberta"),
    "BC": ("Colombie-Britannique", "British Columbia"),
    "YT": ("Yukon", "Yukon"),
    "NT": ("Territoires du Nord-Ouest", "Northwest Territories"),
    "NU": ("Nunavut", "Nunavut"),
}

CANADA = "Canada"
_CANADA_SPELLINGS = {"canada", "ca", "can"}

LIMITS = {
    "legal_name": 200,
    "address": 200,
    "city": 100,
    "province": 100,
    "country": 100,
    "postal_code": 20,
    "first_name": 100,
    "last_name": 100,
    "function": 100,
    "group_name": 100,
    "group_description": 1000,
    "website": 300,
    "description_html": 20000,
    "reason": 1000,
}


def text(raw: Mapping[str, object], name: str) -> str:
    value = raw.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def required(value: str, name: str, errors: list[FieldError]) -> str:
    if not value:
        errors.append(FieldError(name, "required", "Ce champ est obligatoire.", "This field is required."))
    return value


def limited(value: str, name: str, errors: list[FieldError], limit: int | None = None) -> str:
    limit = limit or LIMITS[name]
    if len(value) > limit:
        errors.append(FieldError(
            name, "too_long",
            f"Ce champ ne peut pas dépasser {limit} caractères.",
            f"This field cannot be longer than {limit} characters.",
        ))
    return value


def clean_neq(value: str, errors: list[FieldError], name: str = "neq") -> str:
    """The Québec enterprise number: exactly 10 digits (spaces allowed while typing)."""
    compact = value.replace(" ", "").replace("-", "")
    if not (len(compact) == 10 and compact.isdigit() and compact.isascii()):
        errors.append(FieldError(
            name, "invalid_neq",
            "Le NEQ doit compter exactement 10 chiffres (par exemple 1234567890).",
            "The NEQ must be exactly 10 digits (for example 1234567890).",
        ))
        return value
    return compact


def is_canada(country: str) -> bool:
    return country.strip().casefold() in _CANADA_SPELLINGS


def clean_country(value: str) -> str:
    return CANADA if is_canada(value) else value


def clean_postal_code(value: str, country: str, errors: list[FieldError], name: str = "postal_code") -> str:
    """`A1A 1A1` when the country is Canada (normalized to upper case with one space)."""
    if not is_canada(country):
        return limited(value, "postal_code", errors)
    match = POSTAL_CODE.match(value.strip().upper())
    if match is None:
        errors.append(FieldError(
            name, "invalid_postal_code",
            "Le code postal doit avoir le format canadien A1A 1A1.",
            "The postal code must have the Canadian format A1A 1A1.",
        ))
        return value
    return f"{match.group(1)} {match.group(2)}"


def clean_province(value: str, country: str, errors: list[FieldError], name: str = "province") -> str:
    """A province code (QC, ON, …) in Canada; free text elsewhere."""
    if not is_canada(country):
        return limited(value, "province", errors)
    wanted = value.strip()
    for code, (fr, en) in PROVINCES.items():
        if wanted.upper() == code or wanted.casefold() in {fr.casefold(), en.casefold()}:
            return code
    errors.append(FieldError(name, "invalid_province", "Choisissez une province canadienne.",
                             "Choose a Canadian province."))
    return value


#: Words people write before an extension: "poste 12", "p. 12", "ext. 12", "x12".
_EXTENSION_WORD = re.compile(r"(?i)(?:\bposte\b|\bp\.|\bext(?:ension)?\b\.?|\bx)\s*(?=\d)")
MAX_EXTENSION_DIGITS = 6


def parse_phone(value: str, errors: list[FieldError], name: str = "phone") -> tuple[str, str]:
    """A North American number (phonenumbers: a real area code and exchange) and its extension:
    ("514-555-0123", "12"); letters are refused (no vanity numbers), outside "poste" and "ext"."""
    text = _EXTENSION_WORD.sub(" ext. ", value)
    try:
        number: phonenumbers.PhoneNumber | None = phonenumbers.parse(text, "CA")
    except phonenumbers.NumberParseException:
        number = None
    letters = any(ch.isalpha() for ch in text.replace("ext.", ""))
    if (number is None or letters or number.country_code != 1 or not phonenumbers.is_valid_number(number)
            or len(number.extension or "") > MAX_EXTENSION_DIGITS):
        errors.append(FieldError(
            name, "invalid_phone",
            "Le numéro de téléphone doit être un numéro nord-américain de 10 chiffres, par exemple 514 555-0123 "
            "(ou 514 555-0123 poste 12).",
            "The phone number must be a 10-digit North American number, for example 514 555-0123 "
            "(or 514 555-0123 ext. 12).",
        ))
        return value, ""
    digits = f"{number.national_number:010d}"
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", number.extension or ""


def clean_phone(value: str, errors: list[FieldError], name: str = "phone") -> str:
    """The one stored form: 514-555-0123, and " x12" after it when an extension was given."""
    number, extension = parse_phone(value, errors, name)
    return f"{number} x{extension}" if extension else number


def clean_extension(value: str, errors: list[FieldError], name: str = "extension") -> str:
    """The extension (poste): up to 6 digits, or empty."""
    if not value:
        return ""
    if not (value.isdigit() and value.isascii() and len(value) <= 6):
        errors.append(FieldError(name, "invalid_extension",
                                 "Le poste ne peut contenir que des chiffres (6 au plus).",
                                 "The extension can only contain digits (6 at most)."))
    return value


def clean_website(value: str, errors: list[FieldError], name: str = "website") -> str:
    """An http or https address; `www.example.ca` becomes `https://www.example.ca`."""
    if not value:
        return ""
    candidate = value.strip()
    if "://" not in candidate and not candidate.lower().startswith(("javascript:", "data:", "mailto:")):
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    host = parts.hostname or ""
    if parts.scheme.lower() not in {"http", "https"} or "." not in host or " " in candidate or parts.username:
        errors.append(FieldError(name, "invalid_website",
                                 "L'adresse du site web doit commencer par http:// ou https://.",
                                 "The website address must start with http:// or https://."))
        return value
    return limited(candidate, "website", errors)
