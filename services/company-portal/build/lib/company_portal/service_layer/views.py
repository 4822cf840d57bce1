"""Read-only views for pages and API, each scoped and checked like the commands.

A group's resources answer only to its members (NotAMember → 404), and a view that needs a
permission checks it through plumbing.auth.permissions (PermissionDenied → 403).
"""

from __future__ import annotations

from typing import Any

from company_portal.domain import errors
from company_portal.domain.model import CompanyInfo
from company_portal.domain.names import search_key
from company_portal.service_layer.handlers import authorize
from company_portal.service_layer.unit_of_work import UnitOfWork
from plumbing.auth.permissions import MATRIX, Permission, Role

SEARCH_LIMIT = 20


def search_companies(uow: UnitOfWork, query: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    return uow.queries.search_companies(query, limit)


def company_with_groups(uow: UnitOfWork, company_id: str) -> dict[str, Any]:
    company = uow.queries.company(company_id)
    if company is None:
        raise errors.company_not_found()
    company["groups"] = uow.queries.groups_of_company(company_id)
    company["has_users"] = any(group["user_count"] for group in company["groups"])
    return company


def my_groups(uow: UnitOfWork, account_id: str) -> list[dict[str, Any]]:
    return uow.queries.groups_of_account(account_id)


def permissions(uow: UnitOfWork, account_id: str, group_id: str) -> dict[str, Any]:
    """The caller's role in the group and what it allows (every member may ask)."""
    role = authorize(uow, account_id, group_id, Permission.EDIT_OWN_PROFILE)
    allowed = [str(p) for p, roles in MATRIX.items() if Role(role) in roles]
    return {"group_id": group_id, "role": str(role), "permissions": allowed}


def group(uow: UnitOfWork, account_id: str, group_id: str) -> dict[str, Any]:
    authorize(uow, account_id, group_id, Permission.EDIT_OWN_PROFILE)
    found = uow.queries.group(group_id)
    if found is None:
        raise errors.group_not_found()
    return found


def members(uow: UnitOfWork, account_id: str, group_id: str) -> list[dict[str, Any]]:
    authorize(uow, account_id, group_id, Permission.EDIT_OWN_PROFILE)
    return uow.queries.members(group_id)


def join_requests(uow: UnitOfWork, account_id: str, group_id: str) -> list[dict[str, Any]]:
    authorize(uow, account_id, group_id, Permission.APPROVE_JOIN_REQUESTS)
    return uow.queries.join_requests(group_id)


def my_requests(uow: UnitOfWork, account_id: str) -> list[dict[str, Any]]:
    return uow.queries.requests_of(account_id)


def _account(found: Any) -> dict[str, Any] | None:
    if found is None:
        return None
    return {name: getattr(found, name) for name in (
        "id", "email", "first_name", "last_name", "phone", "extension", "function", "locale")}


def profile(uow: UnitOfWork, account_id: str) -> dict[str, Any]:
    """Mon profil: the person, and every user of their companies with role and group."""
    account = _account(uow.accounts.get(account_id))
    groups = uow.queries.groups_of_account(account_id)
    companies: dict[str, dict[str, Any]] = {}
    for membership in groups:
        if membership["company_id"] not in companies:
            companies[membership["company_id"]] = {
                "id": membership["company_id"], "name": membership["company_name"],
                "users": uow.queries.company_users(membership["company_id"]),
            }
    return {"account": account, "groups": groups, "companies": list(companies.values())}


def logo(uow: UnitOfWork, group_id: str) -> dict[str, Any] | None:
    """A group's logo (public: it is shown on the group's offers)."""
    return uow.queries.logo(group_id)


def draft(uow: UnitOfWork, account_id: str) -> dict[str, Any]:
    found = uow.drafts.get(account_id)
    return dict(found.data) if found else {}


def account(uow: UnitOfWork, account_id: str) -> dict[str, Any] | None:
    return _account(uow.accounts.get(account_id))


def staff_users(uow: UnitOfWork, query: str) -> list[dict[str, Any]]:
    return uow.queries.users(query)


def staff_companies(uow: UnitOfWork, query: str) -> list[dict[str, Any]]:
    hits = uow.queries.search_companies(query, SEARCH_LIMIT)
    for hit in hits:
        hit["groups"] = uow.queries.groups_of_company(hit["id"])
    return hits


def staff_company(uow: UnitOfWork, company_id: str) -> dict[str, Any]:
    company = company_with_groups(uow, company_id)
    for group_row in company["groups"]:
        group_row["members"] = uow.queries.members(group_row["id"])
    return company


MATCH_LIMIT = 10
MATCH_ORDER = ("target", "neq", "name", "similar_name", "email_domain")


def staff_request_matches(uow: UnitOfWork, request_id: str) -> list[dict[str, Any]]:
    """Known companies a request may be about, each with why it matches and its groups and members.

    Staff see them on the decision page: the company asked for (a new group), the company with the
    same NEQ, the same or a similar name, and the companies whose members share the requester's
    email domain (webmail is refused at sign-up, so a domain says something).
    """
    request = uow.requests.get(request_id)
    if request is None:
        raise errors.request_not_found()
    reasons: dict[str, set[str]] = {}

    def add(company_id: str | None, reason: str) -> None:
        if company_id:
            reasons.setdefault(company_id, set()).add(reason)

    add(request.company_id, "target")
    if request.neq:
        known = uow.companies.get_by_neq(request.neq)
        add(known.id if known else None, "neq")
    key = search_key(request.legal_name)
    for row in uow.queries.search_companies(request.legal_name, MATCH_LIMIT):
        add(row["id"], "name" if search_key(row["legal_name"]) == key else "similar_name")
    domain = request.requester_email.rpartition("@")[2]
    for company_id in uow.queries.companies_by_email_domain(domain, MATCH_LIMIT):
        add(company_id, "email_domain")
    found = []
    for company_id, why in reasons.items():
        found.append({"reasons": [r for r in MATCH_ORDER if r in why], "company": staff_company(uow, company_id)})
    found.sort(key=lambda m: ([MATCH_ORDER.index(r) for r in m["reasons"]], m["company"]["legal_name"]))
    return found


def checked_company(uow: UnitOfWork, raw: dict[str, Any]) -> dict[str, Any]:
    """The company data staff approve for a creation, as company-portal cleans it; errors.InvalidInput
    otherwise, including a NEQ already registered (a creation never leads to a known company)."""
    info = CompanyInfo.parse(raw, with_neq=True)
    known = uow.companies.get_by_neq(info.neq) if info.neq else None
    if known is not None:
        raise errors.neq_registered(known.legal_name)
    return info.as_dict()
