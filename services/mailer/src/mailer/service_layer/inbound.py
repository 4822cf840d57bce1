"""Tolerant readers of the events the mailer consumes: only the fields it uses.

The EventConsumer has already validated each event against its JSON Schema in contracts/; these
readers take what the mailer needs and ignore the rest (never the producer's package).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from plumbing.events.envelope import PoisonMessage


def _instant(value: Any) -> datetime | None:
    """An ISO 8601 instant, or None when absent or unreadable (the email then omits it)."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _required(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise PoisonMessage(f"missing {name}")
    return value


@dataclass(frozen=True)
class AccountRegistered:
    """identity.account.registered: send the verification link."""

    email: str
    first_name: str | None
    token: str
    expires_at: datetime | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> AccountRegistered:
        first_name = data.get("first_name")
        if not isinstance(first_name, str) or not first_name.strip():
            first_name = None
        return cls(
            email=_required(data, "email"),
            first_name=first_name.strip() if first_name else None,
            token=_required(data, "verification_token"),
            expires_at=_instant(data.get("verification_expires_at")),
        )


@dataclass(frozen=True)
class PasswordResetRequested:
    """identity.password.reset_requested: send the reset link."""

    email: str
    token: str
    expires_at: datetime | None

    @classmethod
    def read(cls, data: dict[str, Any]) -> PasswordResetRequested:
        return cls(
            email=_required(data, "email"),
            token=_required(data, "reset_token"),
            expires_at=_instant(data.get("reset_expires_at")),
        )


@dataclass(frozen=True)
class AccountVerified:
    """identity.account.verified: send a short welcome."""

    email: str
    kind: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> AccountVerified:
        return cls(email=_required(data, "email"), kind=str(data.get("kind") or "member"))
