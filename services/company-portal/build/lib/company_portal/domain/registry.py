"""An enterprise as the Registraire des entreprises du Québec lists it (one row of its export)."""

from __future__ import annotations

from dataclasses import dataclass

from company_portal.domain.validation import CANADA


@dataclass(frozen=True)
class RegistryEntry:
    line: int
    neq: str
    legal_name: str
    active: bool
    address: str = ""
    city: str = ""
    province: str = ""
    postal_code: str = ""
    country: str = CANADA
