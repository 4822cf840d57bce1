"""The mailer's own settings, read from the environment at bootstrap (never at import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailer.adapters.mail import DEFAULT_FROM
from plumbing.config import Settings, env, env_bool, env_int

TRANSPORTS = ("smtp", "file")
DEFAULT_CONTACT_EMAIL = "ingemplois@oiq.qc.ca"


def contact_email() -> str:
    """`OIQ_CONTACT_EMAIL`: the address the emails give to reach l'Ordre (the portal shows the same)."""
    return env("OIQ_CONTACT_EMAIL", DEFAULT_CONTACT_EMAIL)


@dataclass(frozen=True)
class MailSettings:
    transport: str
    smtp_host: str
    smtp_port: int
    smtp_starttls: bool
    smtp_username: str | None
    smtp_password: str | None
    mail_from: str
    mail_dir: Path

    @classmethod
    def from_env(cls, settings: Settings) -> MailSettings:
        """`MAILER_TRANSPORT` defaults to `file` in the embedded mode and `smtp` otherwise."""
        transport = env("MAILER_TRANSPORT", "file" if settings.embedded else "smtp").lower()
        if transport not in TRANSPORTS:
            raise ValueError(f"MAILER_TRANSPORT must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
        return cls(
            transport=transport,
            smtp_host=env("SMTP_HOST", "127.0.0.1"),
            smtp_port=env_int("SMTP_PORT", 1025),
            smtp_starttls=env_bool("SMTP_STARTTLS", False),
            smtp_username=env("SMTP_USERNAME") or None,
            smtp_password=env("SMTP_PASSWORD") or None,
            mail_from=env("MAIL_FROM", DEFAULT_FROM),
            mail_dir=Path(env("MAIL_DIR", str(settings.var_dir / "mail"))),
        )


@dataclass(frozen=True)
class OffersSettings:
    """Where the job seekers' pages read offers' code lists (`GET /api/offers/v1/reference`)."""

    #: `OFFERS_URL`; by default the public URL (through the gateway, which routes /api/offers).
    url: str
    #: `OFFERS_TIMEOUT`: seconds a page waits for the lists when it must fetch them (default 5).
    timeout: float

    @classmethod
    def from_env(cls, settings: Settings) -> OffersSettings:
        return cls(url=env("OFFERS_URL", settings.public_url).rstrip("/"), timeout=float(env("OFFERS_TIMEOUT", "5")))
