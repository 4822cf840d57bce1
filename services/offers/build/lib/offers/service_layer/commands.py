"""Commands: what the entrypoints ask offers to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RecordCompanyBranding:
    """company-portal changed what a group's offers show about the company (portal.branding.changed)."""

    group_id: str
    company_id: str
    group_name: str
    company_name: str
    logo_url: str | None
    changed_at: datetime
