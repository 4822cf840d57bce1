"""company-portal's own settings (beyond plumbing.config.Settings), read at bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plumbing.config import Settings, env, env_int

SERVICE = "company-portal"


@dataclass(frozen=True)
class PortalConfig:
    #: Companies of the generated registry sample loaded at first start (0: none).
    registry_sample: int = 0
    registry_seed: int = 42
    #: A real Registraire export (`Entreprise.csv`) to load at first start instead of the sample.
    registry_csv: Path | None = None
    #: Its `Nom.csv` (legal names), when the export is the official two-file one.
    registry_names_csv: Path | None = None

    @classmethod
    def from_env(cls, settings: Settings) -> PortalConfig:
        """`COMPANY_PORTAL_REGISTRY_SAMPLE` (default 20000 embedded, 0 otherwise),
        `COMPANY_PORTAL_REGISTRY_SEED` (42), `COMPANY_PORTAL_REGISTRY_CSV`,
        `COMPANY_PORTAL_REGISTRY_NAMES_CSV`."""
        csv_path = env("COMPANY_PORTAL_REGISTRY_CSV")
        names_path = env("COMPANY_PORTAL_REGISTRY_NAMES_CSV")
        return cls(
            registry_sample=env_int("COMPANY_PORTAL_REGISTRY_SAMPLE", 20000 if settings.embedded else 0),
            registry_seed=env_int("COMPANY_PORTAL_REGISTRY_SEED", 42),
            registry_csv=Path(csv_path) if csv_path else None,
            registry_names_csv=Path(names_path) if names_path else None,
        )
