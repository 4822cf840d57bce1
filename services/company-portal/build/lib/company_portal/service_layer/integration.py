"""Domain events → integration events in the outbox (contracts/events/portal.*.v1.schema.json).

Each handler runs inside the unit of work's commit, in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from company_portal.domain import events as e
from company_portal.domain.model import AccountRequest, RequestKind
from company_portal.service_layer.ports import Dependencies
from company_portal.service_layer.unit_of_work import UnitOfWork

EventHandler = Callable[[Any, UnitOfWork, Dependencies], None]


def instant(value: datetime) -> str:
    """An instant as the contracts write it: UTC, ISO 8601, `Z`."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _optional(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


def publish_company_created(event: e.CompanyCreated, uow: UnitOfWork, deps: Dependencies) -> None:
    company = uow.companies.get(event.company_id)
    assert company is not None
    uow.emit("portal.company.created", {
        "company_id": company.id, "legal_name": company.legal_name, "city": company.city,
        **_optional(neq=company.neq),
    })


def publish_request_submitted(event: e.RequestSubmitted, uow: UnitOfWork, deps: Dependencies) -> None:
    request = uow.requests.get(event.request_id)
    assert request is not None
    data: dict[str, Any] = {
        "request_id": request.id,
        "kind": request.kind,
        "submitted_at": instant(request.submitted_at),
        "company": {
            "legal_name": request.legal_name, "phone": request.phone, "country": request.country,
            "address": request.address, "city": request.city, "province": request.province,
            "postal_code": request.postal_code, **_optional(id=request.company_id, neq=request.neq),
        },
        "requester": {
            "account_id": request.requester_account_id, "email": request.requester_email,
            "first_name": request.requester_first_name, "last_name": request.requester_last_name,
            "phone": request.requester_phone, "function": request.requester_function, "locale": request.locale,
            **_optional(extension=request.requester_extension),
        },
    }
    company = uow.companies.get(request.company_id) if request.company_id else None
    if company is not None:  # emails name the known company, not what was typed in the wizard
        data["company_name"] = company.legal_name
    if request.kind == RequestKind.JOIN_GROUP and request.group_id:
        data["group"] = {"id": request.group_id, "name": request.group_name or ""}
        data["principal_emails"] = _principal_emails(uow, request.group_id)
    uow.emit("portal.request.submitted", data)


def _principal_emails(uow: UnitOfWork, group_id: str) -> list[str]:
    found = []
    for membership in uow.memberships.of_group(group_id):
        if membership.active and membership.role == "principal":
            account = uow.accounts.get(membership.account_id)
            if account is not None and account.email:
                found.append(account.email)
    return sorted(found)


def _decision(request: AccountRequest) -> dict[str, Any]:
    assert request.decided_at is not None
    return {
        "request_id": request.id,
        "kind": request.kind,
        "requester_account_id": request.requester_account_id,
        "requester_email": request.requester_email,
        "locale": request.locale,
        "company_name": request.legal_name,
        "decided_at": instant(request.decided_at),
        "decided_by": {"account_id": request.decided_by_account_id or "", "email": request.decided_by_email or "",
                       "kind": request.decided_by_kind or "staff"},
    }


def publish_request_approved(event: e.RequestApproved, uow: UnitOfWork, deps: Dependencies) -> None:
    request = uow.requests.get(event.request_id)
    assert request is not None
    company = uow.companies.get(request.company_id or "")
    data = _decision(request)
    data.update(company_name=company.legal_name if company else request.legal_name,
                group_name=request.group_name or "", role=request.granted_role or "principal",
                **_optional(company_id=request.company_id, group_id=request.group_id, reason=request.decision_reason,
                            requested_company_name=request.legal_name))
    uow.emit("portal.request.approved", data)


def publish_request_refused(event: e.RequestRefused, uow: UnitOfWork, deps: Dependencies) -> None:
    request = uow.requests.get(event.request_id)
    assert request is not None
    data = _decision(request)
    company = uow.companies.get(request.company_id) if request.company_id else None
    if company is not None:  # a request about a known company speaks of it by its name
        data.update(company_name=company.legal_name, requested_company_name=request.legal_name)
    data.update(reason=request.decision_reason or "",
                **_optional(company_id=request.company_id, group_id=request.group_id, group_name=request.group_name))
    uow.emit("portal.request.refused", data)


def publish_group_opened(event: e.GroupOpened, uow: UnitOfWork, deps: Dependencies) -> None:
    """Tell the company's principals (of its other groups) who now leads the new group."""
    group = uow.groups.get(event.group_id)
    leader = uow.accounts.get(event.leader_account_id)
    request = uow.requests.get(event.request_id)
    assert group is not None and leader is not None and request is not None
    company = uow.companies.get(group.company_id)
    emails = {email for other in uow.groups.of_company(group.company_id) if other.id != group.id
              for email in _principal_emails(uow, other.id)}
    emails.discard(leader.email)
    uow.emit("portal.group.opened", {
        "request_id": request.id,
        "company_id": group.company_id,
        "company_name": company.legal_name if company else "",
        "group_id": group.id,
        "group_name": group.name,
        "opened_at": instant(request.decided_at or group.created_at),
        "leader": {"account_id": leader.id, "email": leader.email,
                   **_optional(first_name=leader.first_name, last_name=leader.last_name,
                               function=leader.function)},
        "decided_by": {"account_id": request.decided_by_account_id or "", "email": request.decided_by_email or ""},
        "principal_emails": sorted(emails),
    })


def _membership_payload(uow: UnitOfWork, account_id: str, group_id: str, version: int) -> dict[str, Any]:
    group = uow.groups.get(group_id)
    assert group is not None
    company = uow.companies.get(group.company_id)
    return {"account_id": account_id, "group_id": group_id, "company_id": group.company_id, "version": version,
            "group_name": group.name, "company_name": company.legal_name if company else ""}


def _with_role_and_contact(uow: UnitOfWork, event: e.MembershipGranted | e.MembershipRoleChanged) -> dict[str, Any]:
    data = _membership_payload(uow, event.account_id, event.group_id, event.version)
    data["role"] = event.role
    account = uow.accounts.get(event.account_id)
    if account is not None:
        data.update(_optional(email=account.email, locale=account.locale))
    return data


def publish_membership_granted(event: e.MembershipGranted, uow: UnitOfWork, deps: Dependencies) -> None:
    uow.emit("portal.membership.granted", _with_role_and_contact(uow, event))


def publish_membership_role_changed(event: e.MembershipRoleChanged, uow: UnitOfWork, deps: Dependencies) -> None:
    uow.emit("portal.membership.role_changed", _with_role_and_contact(uow, event))


def publish_membership_revoked(event: e.MembershipRevoked, uow: UnitOfWork, deps: Dependencies) -> None:
    data = _membership_payload(uow, event.account_id, event.group_id, event.version)
    uow.emit("portal.membership.revoked", {k: data[k] for k in ("account_id", "group_id", "company_id", "version")})


def branding_data(group: dict[str, Any], deps: Dependencies) -> dict[str, Any]:
    """The branding payload (portal.branding.changed and .snapshot) from a group's columns and its
    company's legal name (`company_legal_name`)."""
    return {
        "group_id": group["id"],
        "company_id": group["company_id"],
        "group_name": group["name"],
        "company_name": group["display_company_name"] or group["company_legal_name"] or "",
        "address": group["address"],
        "description_html": group["description_html"],
        "version": group["branding_version"],
        **_optional(logo_url=deps.logo_url(group["id"], group["logo_hash"], group["logo_format"]),
                    website=group["website"], phone=group["phone"], group_description=group["description"]),
    }


def publish_branding_changed(event: e.BrandingChanged, uow: UnitOfWork, deps: Dependencies) -> None:
    group = uow.groups.get(event.group_id)
    assert group is not None
    company = uow.companies.get(group.company_id)
    columns = {name: getattr(group, name) for name in (
        "id", "company_id", "name", "display_company_name", "address", "description_html", "branding_version",
        "logo_hash", "logo_format", "website", "phone", "description")}
    uow.emit("portal.branding.changed",
             branding_data({**columns, "company_legal_name": company.legal_name if company else ""}, deps))


def membership_data(row: dict[str, Any]) -> dict[str, Any]:
    """The portal.membership.snapshot payload (without snapshot_id) from SqlQueries.membership_states."""
    return {
        "account_id": row["account_id"], "group_id": row["group_id"], "company_id": row["company_id"],
        "role": row["role"], "version": row["version"],
        **_optional(email=row["email"], locale=row["locale"], group_name=row["group_name"],
                    company_name=row["company_name"]),
    }


EVENT_HANDLERS: dict[type[e.Event], list[EventHandler]] = {
    e.CompanyCreated: [publish_company_created],
    e.RequestSubmitted: [publish_request_submitted],
    e.RequestApproved: [publish_request_approved],
    e.RequestRefused: [publish_request_refused],
    e.GroupOpened: [publish_group_opened],
    e.MembershipGranted: [publish_membership_granted],
    e.MembershipRoleChanged: [publish_membership_role_changed],
    e.MembershipRevoked: [publish_membership_revoked],
    e.BrandingChanged: [publish_branding_changed],
}
