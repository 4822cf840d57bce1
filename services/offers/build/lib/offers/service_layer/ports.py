"""What offers' handlers need from outside, as protocols; bootstrap plugs the adapters in
(`adapters.unit_of_work.SqlOffersUnitOfWork`), unit tests a fake (tests/test_offers_branding.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from offers.domain.model import CompanyBranding
from plumbing.clock import Clock
from plumbing.ports import UnitOfWork as BaseUnitOfWork


class BrandingRepository(Protocol):
    def get(self, group_id: str) -> CompanyBranding | None: ...

    def add(self, branding: CompanyBranding) -> None: ...


class UnitOfWork(BaseUnitOfWork, Protocol):
    brandings: BrandingRepository


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    clock: Clock
