"""The list of services, in start order (identity first: it signs the tokens the others verify)."""

from __future__ import annotations

import importlib.util

ALL_SERVICES = ("identity", "company-portal", "catalog-billing", "offers", "moderation", "mailer", "metrics")


def package_of(service: str) -> str:
    return service.replace("-", "_")


def built_services() -> list[str]:
    """Services whose package has a composition root (the others are announced, not built)."""
    return [s for s in ALL_SERVICES if importlib.util.find_spec(f"{package_of(s)}.bootstrap") is not None]
