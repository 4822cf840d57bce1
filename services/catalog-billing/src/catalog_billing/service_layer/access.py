"""Who may do what in a group: the role matrix (plumbing.auth.permissions) over this service's
membership projection, and OIQ staff everywhere. An API key (offers' HR systems) acts as its
creator in its own group only.

A caller who is not a member gets `NotAMember` (404: the group's resources do not exist for them),
a member whose role lacks the permission `PermissionDenied` (403).
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog_billing.service_layer.ports import UnitOfWork
from plumbing.auth.permissions import NotAMember, Permission, require


@dataclass(frozen=True)
class Actor:
    account_id: str
    is_staff: bool = False
    #: Set when the caller is an HR system's API key: it acts as its creator in this group only.
    group_scope: str | None = None


def authorize(uow: UnitOfWork, actor: Actor, group_id: str, permission: Permission) -> None:
    if actor.is_staff:
        return
    if actor.group_scope is not None and group_id != actor.group_scope:
        raise NotAMember(group_id)
    require(uow.memberships, actor.account_id, group_id, permission)
