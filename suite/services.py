"""The list of services, in start order (identity first: it signs the tokens the others verify)."""

from __future__ import annotations

import importlib.util
import os

ALL_SERVICES = ("identity", "company-portal", "catalog-billing", "offers", "moderation", "mailer", "metrics")


def package_of(service: str) -> str:
    return service.replace("-", "_")


def built_services() -> list[str]:
    """Services whose package has a composition root (the others are announced, not built).

    INGEMPLOIS_SERVICES (comma-separated) narrows the list, e.g. to run without one service.
    """
    wanted = [s.strip() for s in os.environ.get("INGEMPLOIS_SERVICES", "").split(",") if s.strip()]
    candidates = [s for s in ALL_SERVICES if not wanted or s in wanted]
    return [s for s in candidates if importlib.util.find_spec(f"{package_of(s)}.bootstrap") is not None]
