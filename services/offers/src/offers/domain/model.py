"""What offers knows about the company behind a group's offers: names, logo, « À propos » and
website (company-portal owns them and says when they change, `portal.branding.changed`, or replays
them, `portal.branding.snapshot`). Plain Python, no framework."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class CompanyBranding:
    """A group's names, logo, description (sanitized HTML) and website as its offers show them.

    `version` is company-portal's branding counter (absent from events written before it existed);
    `changed_at` its clock, the order of events without a version."""

    group_id: str
    company_id: str
    group_name: str
    company_name: str
    logo_url: str | None
    changed_at: datetime
    description_html: str = ""
    website: str = ""
    version: int | None = None

    def is_newer_than(self, current: CompanyBranding, *, snapshot: bool = False) -> bool:
        """Whether this state replaces `current`: a higher version (a snapshot: at least the same,
        it is the same state); a versioned event beats an unversioned one (written before versions
        existed); between unversioned ones, the later `changed_at`."""
        if self.version is not None and current.version is not None:
            return self.version > current.version or (snapshot and self.version == current.version)
        if self.version is not None or current.version is not None:
            return self.version is not None
        return self.changed_at > current.changed_at

    def update(self, newer: CompanyBranding, *, snapshot: bool = False) -> bool:
        """Take a later change; an older one (events may arrive out of order) changes nothing."""
        if not newer.is_newer_than(self, snapshot=snapshot):
            return False
        self.company_id, self.group_name, self.company_name = newer.company_id, newer.group_name, newer.company_name
        self.logo_url, self.changed_at = newer.logo_url, newer.changed_at
        self.description_html, self.website, self.version = newer.description_html, newer.website, newer.version
        return True
