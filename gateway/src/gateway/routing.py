"""Which service answers which path: one table, prefix match on whole path segments."""

from __future__ import annotations

import functools

from gateway.config import SERVICE_NAMES

#: (path prefix, service). The longest matching prefix wins; order does not matter.
ROUTES: tuple[tuple[str, str], ...] = (
    *((f"/api/{name}", name) for name in SERVICE_NAMES),
    ("/compte", "identity"),
    ("/entreprises", "company-portal"),
    ("/employeur/forfaits", "catalog-billing"),
    ("/employeur/panier", "catalog-billing"),
    ("/employeur/caisse", "catalog-billing"),
    ("/employeur/transactions", "catalog-billing"),
    ("/employeur/performance", "metrics"),
    ("/employeur/communications", "mailer"),
    ("/employeur", "offers"),
    ("/moderation", "moderation"),
    # OIQ staff's billing pages (eligibility, credit transfers) are catalog-billing's own.
    ("/moderation/facturation", "catalog-billing"),
    ("/emplois", "offers"),
    # The job seeker's space (followed companies, subscriptions): the mailer keeps them.
    ("/membre", "mailer"),
)

#: Service for `/` and every path no prefix claims (the public job site).
DEFAULT_SERVICE = "offers"

_BY_LENGTH = sorted(ROUTES, key=lambda row: len(row[0]), reverse=True)


def matches_prefix(path: str, prefix: str) -> bool:
    """True when `path` is `prefix` or lies under it (`/compte` matches `/compte/x`, not `/comptes`)."""
    return path == prefix or path.startswith(prefix + "/")


@functools.lru_cache(maxsize=4096)
def resolve(path: str) -> str:
    """Return the service name that serves `path` (remembered for the 4096 latest paths)."""
    for prefix, service in _BY_LENGTH:
        if matches_prefix(path, prefix):
            return service
    return DEFAULT_SERVICE


def is_api_path(path: str) -> bool:
    """API paths get problem+json errors instead of HTML pages."""
    return matches_prefix(path, "/api")
