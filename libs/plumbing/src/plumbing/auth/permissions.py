"""The role → permission table of PRODUCT.md §2.11, once, and the checks every service uses.

A caller who is not a member of the group gets NotFound (the group's resources do not exist for
them); a member whose role lacks the permission gets Forbidden.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    PRINCIPAL = "principal"
    AFFICHAGE = "affichage"
    FINANCES = "finances"


class Permission(StrEnum):
    APPROVE_JOIN_REQUESTS = "approve_join_requests"
    ASSIGN_ROLES = "assign_roles"
    EDIT_COMPANY_PROFILE = "edit_company_profile"
    EDIT_OWN_PROFILE = "edit_own_profile"
    VIEW_PERFORMANCE = "view_performance"
    CANCEL_OFFER_TO_REVISE = "cancel_offer_to_revise"
    CANCEL_OFFER_IN_VALIDATION = "cancel_offer_in_validation"
    END_PUBLICATION = "end_publication"
    BUY_PRODUCTS = "buy_products"
    CREATE_PUBLISH_OFFERS = "create_publish_offers"
    RECEIVE_INVOICE_COPIES = "receive_invoice_copies"
    VIEW_TRANSACTIONS = "view_transactions"


P, A, F = Role.PRINCIPAL, Role.AFFICHAGE, Role.FINANCES

MATRIX: dict[Permission, frozenset[Role]] = {
    Permission.APPROVE_JOIN_REQUESTS: frozenset({P}),
    Permission.ASSIGN_ROLES: frozenset({P}),
    Permission.EDIT_COMPANY_PROFILE: frozenset({P, A}),
    Permission.EDIT_OWN_PROFILE: frozenset({P, A, F}),
    Permission.VIEW_PERFORMANCE: frozenset({P, A}),
    Permission.CANCEL_OFFER_TO_REVISE: frozenset({P}),
    Permission.CANCEL_OFFER_IN_VALIDATION: frozenset({P}),
    Permission.END_PUBLICATION: frozenset({P, A}),
    Permission.BUY_PRODUCTS: frozenset({P, A, F}),
    Permission.CREATE_PUBLISH_OFFERS: frozenset({P, A}),
    Permission.RECEIVE_INVOICE_COPIES: frozenset({P}),
    Permission.VIEW_TRANSACTIONS: frozenset({P, A, F}),
}


def allows(role: Role | str | None, permission: Permission) -> bool:
    if role is None:
        return False
    try:
        return Role(role) in MATRIX[permission]
    except ValueError:
        return False


class NotAMember(Exception):
    """The caller has no role in that group: answer 404, never reveal the group exists."""


class PermissionDenied(Exception):
    """The caller's role in the group does not carry the permission: answer 403."""

    def __init__(self, permission: Permission, role: Role | str) -> None:
        super().__init__(f"role {role} lacks {permission}")
        self.permission = permission
        self.role = role


class MembershipLookup(Protocol):
    def role_of(self, account_id: str, group_id: str) -> str | None:
        """The caller's role in the group, from this service's projection of membership events."""


def require(memberships: MembershipLookup, account_id: str, group_id: str, permission: Permission) -> Role:
    """Return the caller's role if it carries the permission; raise NotAMember or PermissionDenied."""
    role = memberships.role_of(account_id, group_id)
    if role is None:
        raise NotAMember(group_id)
    if not allows(role, permission):
        raise PermissionDenied(permission, role)
    return Role(role)
