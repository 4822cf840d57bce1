"""API keys of a group's HR systems (DESIGN.md, "API keys"): one key per system, named by the
principal·e who creates it, revoked by a principal·e. Plain Python: the format, hashing and checks
are plumbing.auth.api_keys'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

NAME_MAX = 80
#: Keys a group may hold at once (unrevoked): enough for its systems, not a flood.
MAX_ACTIVE_KEYS = 20


class ApiKeyRefused(Exception):
    """A key request broke a rule; `code` is stable, the messages are shown as they are."""

    def __init__(self, status: int, code: str, message_fr: str, message_en: str, field: str | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code, self.message_fr, self.message_en, self.field = (
            status,
            code,
            message_fr,
            message_en,
            field,
        )


def clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise ApiKeyRefused(
            422,
            "name_required",
            "Donnez un nom à la clé (le système qui l'utilisera).",
            "Give the key a name (the system that will use it).",
            "name",
        )
    if len(cleaned) > NAME_MAX:
        raise ApiKeyRefused(
            422,
            "name_too_long",
            f"Le nom compte au plus {NAME_MAX} caractères.",
            f"The name is at most {NAME_MAX} characters long.",
            "name",
        )
    if any(ord(ch) < 32 for ch in cleaned):
        raise ApiKeyRefused(
            422,
            "name_invalid",
            "Le nom contient des caractères non permis.",
            "The name contains characters that are not allowed.",
            "name",
        )
    return cleaned


@dataclass
class ApiKey:
    id: str
    group_id: str
    name: str
    creator_id: str
    creator_email: str
    secret_hash: str
    display_prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    last_used_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, by: str, now: datetime) -> bool:
        """Revoke once; a second revocation changes nothing (False)."""
        if self.revoked_at is not None:
            return False
        self.revoked_at, self.revoked_by = now, by
        return True
