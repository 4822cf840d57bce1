"""Company data as staff validate or correct it before approving a company creation.

`validate_company` returns a clean `CompanyData` or raises `InvalidCompanyData` whose `errors`
map each field to an error code (the pages turn codes into French or English messages).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

FIELDS = ("legal_name", "neq", "address", "city", "province", "postal_code", "country", "phone")
REQUIRED = ("legal_name", "address", "city", "province", "postal_code", "country", "phone")
# The same limits and formats as company-portal applies (it owns companies): data staff approve
# here is accepted there as is.
MAX_LENGTHS = {
    "legal_name": 200, "neq": 10, "address": 200, "city": 100, "province": 100,
    "postal_code": 20, "country": 100, "phone": 40,
}

#: Province and territory codes with their French and English names (folded: no accents).
CANADIAN_PROVINCES: dict[str, tuple[str, ...]] = {
    "AB": ("alberta",),
    "BC": ("colombie-britannique", "british columbia"),
    "MB": ("manitoba",),
    "NB": ("nouveau-brunswick", "new brunswick"),
    "NL": ("terre-neuve-et-labrador", "newfoundland and labrador"),
    "NS": ("nouvelle-ecosse", "nova scotia"),
    "NT": ("territoires du nord-ouest", "northwest territories"),
    "NU": ("nunavut",),
    "ON": ("ontario",),
    "PE": ("ile-du-prince-edouard", "prince edward island"),
    "QC": ("quebec",),
    "SK": ("saskatchewan",),
    "YT": ("yukon",),
}
CANADA = "Canada"
_CANADA_NAMES = {"canada", "ca", "can"}
_POSTAL_CODE = re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])\s?(\d[ABCEGHJ-NPRSTV-Z]\d)$")
_PHONE_CHARS = re.compile(r"^[0-9+().\-\s]+$")
_NEQ = re.compile(r"^\d{10}$")


class InvalidCompanyData(ValueError):
    """Some fields are missing or malformed; `errors` maps field → code."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CompanyData:
    legal_name: str
    neq: str | None
    address: str
    city: str
    province: str
    postal_code: str
    country: str
    phone: str

    def as_dict(self) -> dict[str, Any]:
        """The event and form representation; `neq` is left out when there is none."""
        data = asdict(self)
        if not data["neq"]:
            del data["neq"]
        return data

    def as_form(self) -> dict[str, str]:
        return {name: (getattr(self, name) or "") for name in FIELDS}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def is_canada(country: str) -> bool:
    return _fold(country) in _CANADA_NAMES


def province_code(province: str) -> str | None:
    """The two-letter code of a Canadian province or territory (code or name), else None."""
    folded = _fold(province)
    for code, names in CANADIAN_PROVINCES.items():
        if folded == code.lower() or folded in names:
            return code
    return None


def north_american_phone(phone: str) -> str | None:
    """A 10-digit North American number (a leading 1 dropped) as 514-555-0123, else None."""
    if not _PHONE_CHARS.match(phone):
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def validate_company(raw: Mapping[str, Any], *, require_all: bool = True) -> CompanyData:
    """Check and clean the eight fields (all required but the NEQ); raise InvalidCompanyData.

    Cleaning: spaces collapsed, NEQ digits only, phone as 514-555-0123; in Canada the country is
    "Canada", the province its code (QC) and the postal code `A1A 1A1`. `require_all=False` (a
    correction of an existing company, whose registry data may lack a phone) only requires the
    legal name; the fields given are still checked.
    """
    values = {name: " ".join(str(raw.get(name) or "").split()) for name in FIELDS}
    errors: dict[str, str] = {}
    for name in REQUIRED if require_all else ("legal_name",):
        if not values[name]:
            errors[name] = "required"
    for name, limit in MAX_LENGTHS.items():
        if name != "neq" and len(values[name]) > limit:
            errors[name] = "too_long"

    neq = values["neq"].replace(" ", "").replace("-", "")
    if neq and not _NEQ.match(neq):
        errors["neq"] = "neq_format"
    values["neq"] = neq

    if values["phone"] and "phone" not in errors:
        phone = north_american_phone(values["phone"])
        if phone is None:
            errors["phone"] = "phone_format"
        else:
            values["phone"] = phone

    if not values["country"] and not require_all:
        values["country"] = CANADA  # as company-portal reads a company without a country
    if values["country"] and is_canada(values["country"]):
        values["country"] = CANADA
        match = _POSTAL_CODE.match(values["postal_code"].upper())
        if values["postal_code"] and "postal_code" not in errors:
            if match:
                values["postal_code"] = f"{match.group(1)} {match.group(2)}"
            else:
                errors["postal_code"] = "postal_code_format"
        if values["province"] and "province" not in errors:
            code = province_code(values["province"])
            if code is None:
                errors["province"] = "province_unknown"
            else:
                values["province"] = code

    if errors:
        raise InvalidCompanyData(errors)
    return CompanyData(
        legal_name=values["legal_name"],
        neq=values["neq"] or None,
        address=values["address"],
        city=values["city"],
        province=values["province"],
        postal_code=values["postal_code"],
        country=values["country"],
        phone=values["phone"],
    )
