"""Moderation's own settings, on top of plumbing's Settings (environment variables)."""

from __future__ import annotations

from dataclasses import dataclass

from plumbing.config import Settings, env


@dataclass(frozen=True)
class ModerationSettings:
    #: Where company-portal's staff API lives (`COMPANY_PORTAL_URL`); by default the gateway's
    #: public URL, which routes `/api/company-portal/...` (embedded mode).
    company_portal_url: str
    #: Timeout of each call to company-portal, in seconds (`COMPANY_PORTAL_TIMEOUT`, default 5).
    company_portal_timeout: float
    #: Where offers' staff API lives (`OFFERS_URL`); by default the gateway's public URL.
    offers_url: str = ""
    #: Timeout of each call to offers, in seconds (`OFFERS_TIMEOUT`, default 5).
    offers_timeout: float = 5.0

    @classmethod
    def from_env(cls, settings: Settings) -> ModerationSettings:
        return cls(
            company_portal_url=env("COMPANY_PORTAL_URL", settings.public_url).rstrip("/"),
            company_portal_timeout=float(env("COMPANY_PORTAL_TIMEOUT", "5")),
            offers_url=env("OFFERS_URL", settings.public_url).rstrip("/"),
            offers_timeout=float(env("OFFERS_TIMEOUT", "5")),
        )
