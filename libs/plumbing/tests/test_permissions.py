"""The role → permission table is exactly PRODUCT.md §2.11."""

import pytest

from plumbing.auth.permissions import MATRIX, NotAMember, Permission, PermissionDenied, Role, allows, require

# The matrix as the guide states it: permission → roles that hold it (P, A, F).
EXPECTED = {
    "approve_join_requests": "P",
    "assign_roles": "P",
    "edit_company_profile": "PA",
    "edit_own_profile": "PAF",
    "view_performance": "PA",
    "cancel_offer_to_revise": "P",
    "cancel_offer_in_validation": "P",
    "end_publication": "PA",
    "buy_products": "PAF",
    "create_publish_offers": "PA",
    "receive_invoice_copies": "P",
    "view_transactions": "PAF",
}
LETTER = {Role.PRINCIPAL: "P", Role.AFFICHAGE: "A", Role.FINANCES: "F"}


def test_every_permission_of_the_guide_is_in_the_table():
    assert {p.value for p in Permission} == set(EXPECTED)
    assert set(MATRIX) == set(Permission)


@pytest.mark.parametrize("permission", list(Permission))
@pytest.mark.parametrize("role", list(Role))
def test_each_role_and_permission(role, permission):
    assert allows(role, permission) is (LETTER[role] in EXPECTED[permission.value])


def test_unknown_or_missing_role_allows_nothing():
    assert not any(allows(None, p) for p in Permission)
    assert not any(allows("admin", p) for p in Permission)


class _Memberships:
    def __init__(self, roles):
        self.roles = roles

    def role_of(self, account_id, group_id):
        return self.roles.get((account_id, group_id))


def test_require_hides_other_groups_and_refuses_missing_permission():
    memberships = _Memberships({("u1", "g1"): "finances"})
    assert require(memberships, "u1", "g1", Permission.BUY_PRODUCTS) is Role.FINANCES
    with pytest.raises(PermissionDenied):
        require(memberships, "u1", "g1", Permission.CREATE_PUBLISH_OFFERS)
    with pytest.raises(NotAMember):
        require(memberships, "u1", "g2", Permission.BUY_PRODUCTS)
