"""What offers knows about the company behind a group's offers: names and logo (company-portal owns
them and says when they change, `portal.branding.changed`). Plain Python, no framework."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class CompanyBranding:
    """A group's names and logo as its offers show them, as of `changed_at` (company-portal's clock)."""

    group_id: str
    company_id: str
    group_name: str
    company_name: str
    logo_url: str | None
    changed_at: datetime

    def update(self, newer: CompanyBranding) -> bool:
        """Take a later change; an older one (events may arrive out of order) changes nothing."""
        if newer.changed_at <= self.changed_at:
            return False
        self.company_id, self.group_name, self.company_name = newer.company_id, newer.group_name, newer.company_name
        self.logo_url, self.changed_at = newer.logo_url, newer.changed_at
        return True
