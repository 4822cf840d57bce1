"""Load the Registraire des entreprises export into the company registry, idempotent by NEQ.

New NEQs are inserted in bulk; a known NEQ whose data came from the registry is refreshed;
companies created or corrected by OIQ staff or by a request keep their data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from company_portal.domain.model import CompanySource
from company_portal.domain.names import search_key
from company_portal.domain.registry import RegistryEntry
from company_portal.service_layer.unit_of_work import UnitOfWork

CHUNK = 2000


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    skipped_inactive: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.inserted} ajoutées / inserted, {self.updated} mises à jour / updated, "
                f"{self.unchanged} inchangées / unchanged, {self.kept} gardées (OIQ) / kept (staff data), "
                f"{self.skipped_inactive} non immatriculées ignorées / struck off skipped, "
                f"{len(self.invalid)} invalides / invalid")


def _values(entry: RegistryEntry) -> dict[str, str]:
    return {"neq": entry.neq, "legal_name": entry.legal_name, "name_key": search_key(entry.legal_name),
            "address": entry.address, "city": entry.city, "province": entry.province,
            "postal_code": entry.postal_code, "country": entry.country}


def import_registry(uow: UnitOfWork, entries: Iterable[RegistryEntry], now: datetime, new_id: Callable[[], str], *,
                    include_inactive: bool = False, invalid: list[tuple[int, str]] | None = None) -> ImportReport:
    """Insert or refresh companies; the caller commits."""
    report = ImportReport(invalid=list(invalid or []))
    known = uow.queries.existing_neqs()
    current = uow.queries.registry_values()
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    for entry in entries:
        if not entry.active and not include_inactive:
            report.skipped_inactive += 1
            continue
        values = _values(entry)
        if entry.neq not in known:
            inserts.append({**values, "id": new_id(), "phone": "", "source": str(CompanySource.REGISTRY),
                            "created_at": now, "updated_at": now})
            known[entry.neq] = ("", str(CompanySource.REGISTRY))
        elif known[entry.neq][1] != CompanySource.REGISTRY:
            report.kept += 1
        elif current.get(entry.neq) == values:
            report.unchanged += 1
        else:
            updates.append({**values, "updated_at": now})
    for start in range(0, len(inserts), CHUNK):
        uow.companies.bulk_insert(inserts[start:start + CHUNK])
    for start in range(0, len(updates), CHUNK):
        uow.companies.bulk_update(updates[start:start + CHUNK])
    report.inserted, report.updated = len(inserts), len(updates)
    return report
