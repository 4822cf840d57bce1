"""API keys of the groups' HR systems (DESIGN.md, "API keys"): issue, revoke, list, and resolve a
presented key into its caller.

Only a principal·e of the group, signed in as a person, creates or revokes keys (a key never
manages keys). The secret is returned once, by `issue_api_key`; offers keeps its SHA-256 and
tells catalog-billing (`offers.api_key.issued` / `offers.api_key.revoked`), which accepts the same
keys on its credit reservations. A key acts as its creator in its group only, with the creator's
current role: `resolve_api_key` checks the key; the permission checks read the membership
projection as for a person, so a creator who lost the role, or left the group, stops the key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from offers.domain.api_keys import MAX_ACTIVE_KEYS, ApiKey, ApiKeyRefused, clean_name
from plumbing.auth import api_keys as keys
from plumbing.auth.permissions import NotAMember, Role

ISSUED_EVENT = "offers.api_key.issued"
REVOKED_EVENT = "offers.api_key.revoked"


@dataclass(frozen=True)
class IssueApiKey:
    group_id: str
    name: str
    account_id: str
    email: str
    #: True when the request itself came with a key: refused.
    via_api_key: bool = False


@dataclass(frozen=True)
class RevokeApiKey:
    group_id: str
    key_id: str
    account_id: str
    via_api_key: bool = False


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    #: The whole key, `ingk_…`: shown once, never stored.
    token: str


def _require_principal(uow: Any, account_id: str, group_id: str, via_api_key: bool) -> None:
    role = uow.memberships.role_of(account_id, group_id)
    if role is None:
        raise NotAMember(group_id)
    if via_api_key:
        raise ApiKeyRefused(
            403,
            "api_key_not_allowed",
            "Une clé d'API ne peut pas gérer les clés : connectez-vous.",
            "An API key cannot manage keys: sign in.",
        )
    if role != Role.PRINCIPAL:
        raise ApiKeyRefused(
            403,
            "role",
            "Seul·e un·e responsable principal·e gère les clés d'API du groupe.",
            "Only a principal manages the group's API keys.",
        )


def event_issued(key: ApiKey) -> dict[str, Any]:
    return {
        "key_id": key.id,
        "group_id": key.group_id,
        "creator_id": key.creator_id,
        "secret_hash": key.secret_hash,
        "issued_at": key.created_at.isoformat(),
    }


def issue_api_key(cmd: IssueApiKey, uow: Any, deps: Any) -> IssuedKey:
    _require_principal(uow, cmd.account_id, cmd.group_id, cmd.via_api_key)
    name = clean_name(cmd.name)
    if sum(1 for k in uow.api_keys.of_group(cmd.group_id) if k.active) >= MAX_ACTIVE_KEYS:
        raise ApiKeyRefused(
            409,
            "too_many_keys",
            f"Le groupe a déjà {MAX_ACTIVE_KEYS} clés actives : révoquez-en une d'abord.",
            f"The group already has {MAX_ACTIVE_KEYS} active keys: revoke one first.",
        )
    new = keys.generate()
    key = ApiKey(
        id=new.key_id,
        group_id=cmd.group_id,
        name=name,
        creator_id=cmd.account_id,
        creator_email=cmd.email[:320],
        secret_hash=new.secret_hash,
        display_prefix=new.display_prefix,
        created_at=deps.clock.now(),
    )
    uow.api_keys.add(key)
    uow.emit(ISSUED_EVENT, event_issued(key))
    return IssuedKey(key, new.token)


def revoke_api_key(cmd: RevokeApiKey, uow: Any, deps: Any) -> ApiKey:
    _require_principal(uow, cmd.account_id, cmd.group_id, cmd.via_api_key)
    key = uow.api_keys.get(cmd.key_id)
    if key is None or key.group_id != cmd.group_id:
        raise ApiKeyRefused(404, "not_found", "Cette clé est introuvable.", "This key cannot be found.")
    if key.revoke(cmd.account_id, deps.clock.now()):
        uow.api_keys.save(key)
        uow.emit(
            REVOKED_EVENT,
            {
                "key_id": key.id,
                "group_id": key.group_id,
                "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            },
        )
    return key


def group_api_keys(uow: Any, account_id: str, group_id: str, via_api_key: bool = False) -> list[ApiKey]:
    """The group's keys, active first, newest first (principal·e only)."""
    _require_principal(uow, account_id, group_id, via_api_key)
    return uow.api_keys.of_group(group_id)


def stored_key(uow: Any) -> Callable[[str], keys.StoredKey | None]:
    def find(key_id: str) -> keys.StoredKey | None:
        key = uow.api_keys.get(key_id)
        if key is None:
            return None
        return keys.StoredKey(key.id, key.group_id, key.creator_id, key.secret_hash, key.revoked_at)

    return find


def resolve_api_key(uow: Any, token: str, now: Any) -> keys.ApiKeyCaller | None:
    """The caller of a presented key, recording its use; None for a bad, unknown or revoked key.
    The caller's unit of work commits (the last use is kept even when the request is refused later)."""
    caller = keys.resolve(token, stored_key(uow))
    if caller is not None:
        uow.api_keys.touch(caller.key_id, now)
    return caller


KEY_COMMAND_HANDLERS: dict[type, Callable[[Any, Any, Any], Any]] = {
    IssueApiKey: issue_api_key,
    RevokeApiKey: revoke_api_key,
}
