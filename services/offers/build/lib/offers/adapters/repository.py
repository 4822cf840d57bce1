"""Repositories over the mapped domain classes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from offers.domain.model import CompanyBranding


class SqlBrandingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, group_id: str) -> CompanyBranding | None:
        return self.session.get(CompanyBranding, group_id)

    def add(self, branding: CompanyBranding) -> None:
        self.session.add(branding)
