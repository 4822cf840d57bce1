"""The HTTP client of company-portal's staff API (docs/portal-flows.md, "Synchronous staff API").

Called only while a staff member waits: a 5 s timeout, the staff member's bearer token and
language forwarded, the caller's `Idempotency-Key` on every state-changing POST/PATCH (the key of
the staff form, so a double submit is one change), and retries only for GET and the company check
(safe to repeat). Failures become two exceptions the pages turn into messages: `PortalUnavailable`
(down, timeout, 5xx) and `PortalRejected` (a 4xx answer, with its detail and field errors).

Answers are read tolerantly (only the fields the pages show, with fallbacks), never by importing
company-portal's package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from moderation.adapters.staff_http import StaffHttp, problem_fields
from moderation.adapters.staff_http import items as _items
from moderation.adapters.staff_http import text as _text
from moderation.service_layer.ports import (
    Company,
    Group,
    Match,
    Member,
    Membership,
    PortalClient,
    PortalError,
    PortalRejected,
    PortalUnavailable,
    StaffCall,
    User,
)

__all__ = ["Company", "Group", "HttpPortalClient", "Match", "Member", "Membership", "PortalClient", "PortalError",
           "PortalRejected", "PortalUnavailable", "StaffCall", "User"]

API_PREFIX = "/api/company-portal/v1/staff"


# Tolerant reading ----------------------------------------------------------------------------
def _name(raw: dict[str, Any]) -> str:
    full = _text(raw, "name", "full_name")
    return full or f"{_text(raw, 'first_name')} {_text(raw, 'last_name')}".strip()


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def read_member(raw: dict[str, Any]) -> Member:
    return Member(account_id=_text(raw, "account_id", "id"), email=_text(raw, "email"), name=_name(raw),
                  role=_text(raw, "role"))


def read_group(raw: dict[str, Any]) -> Group:
    members = tuple(read_member(m) for m in _items(raw.get("members")))
    count = raw.get("member_count", raw.get("user_count", raw.get("users")))
    return Group(id=_text(raw, "id", "group_id"), name=_text(raw, "name", "group_name"),
                 member_count=_int(count) if count is not None and not isinstance(count, list) else len(members),
                 members=members)


def read_company(raw: dict[str, Any]) -> Company:
    groups = tuple(read_group(g) for g in _items(raw.get("groups")))
    count = raw.get("user_count", raw.get("member_count"))
    return Company(
        id=_text(raw, "id", "company_id"),
        legal_name=_text(raw, "legal_name", "name"),
        neq=_text(raw, "neq") or None,
        address=_text(raw, "address"),
        city=_text(raw, "city"),
        province=_text(raw, "province"),
        postal_code=_text(raw, "postal_code"),
        country=_text(raw, "country"),
        phone=_text(raw, "phone"),
        groups=groups,
        user_count=_int(count) if count is not None else sum(g.member_count for g in groups),
    )


def read_match(raw: dict[str, Any]) -> Match:
    reasons = raw.get("reasons")
    company = raw.get("company")
    return Match(reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list) else (),
                 company=read_company(company if isinstance(company, dict) else {}))


def read_user(raw: dict[str, Any]) -> User:
    memberships = tuple(
        Membership(group_id=_text(m, "group_id", "id"), group_name=_text(m, "group_name", "name"),
                   company_id=_text(m, "company_id"), company_name=_text(m, "company_name", "legal_name"),
                   role=_text(m, "role"))
        for m in _items(raw.get("memberships", raw.get("groups")))
    )
    return User(account_id=_text(raw, "account_id", "id"), email=_text(raw, "email"), name=_name(raw),
                memberships=memberships)


def read_problem(response: requests.Response) -> PortalRejected:
    """A 4xx answer (problem+json when company-portal wrote it) as PortalRejected."""
    return PortalRejected(response.status_code, *problem_fields(response))


# The HTTP client -----------------------------------------------------------------------------
class HttpPortalClient:
    """`timeout` bounds each answer (5 s); connecting gets `connect_timeout` (2 s: the service is
    near). A GET is retried after a refused connection or a 502/503/504, never after a read
    timeout, so a hung company-portal costs one timeout and the page still answers within the
    gateway's own upstream timeout (10 s) with its message."""

    def __init__(self, base_url: str, *, timeout: float = 5.0, connect_timeout: float = 2.0, get_retries: int = 2,
                 backoff: float = 0.2, session_factory: Callable[[], requests.Session] = requests.Session) -> None:
        # Reads may be retried: GET, and the company check (a POST that changes nothing).
        self._http = StaffHttp(
            base_url.rstrip("/") + API_PREFIX, unavailable=PortalUnavailable, rejected=PortalRejected,
            retried_methods=("GET", "POST"), timeout=timeout, connect_timeout=connect_timeout,
            get_retries=get_retries, backoff=backoff, session_factory=session_factory,
        )
        self._call = self._http.call
        http = self._http
        self.base_url, self.timeout, self.connect_timeout = http.base_url, http.timeout, http.connect_timeout

    def search_companies(self, call: StaffCall, q: str) -> list[Company]:
        return [read_company(c) for c in _items(self._call("GET", "/companies", call, params={"q": q}),
                                                "companies")]

    def get_company(self, call: StaffCall, company_id: str) -> Company:
        body = self._call("GET", f"/companies/{company_id}", call)
        return read_company(body.get("company", body) if isinstance(body, dict) else {})

    def check_company(self, call: StaffCall, data: dict[str, str]) -> dict[str, Any]:
        body = self._call("POST", "/company-checks", call, body=data)
        return body if isinstance(body, dict) else {}

    def update_company(self, call: StaffCall, company_id: str, data: dict[str, Any], *, key: str) -> Company:
        body = self._call("PATCH", f"/companies/{company_id}", call, body=data, key=key)
        return read_company(body.get("company", body) if isinstance(body, dict) else {})

    def create_group(self, call: StaffCall, company_id: str, name: str, *, key: str) -> Group:
        body = self._call("POST", f"/companies/{company_id}/groups", call, body={"name": name}, key=key)
        return read_group(body.get("group", body) if isinstance(body, dict) else {})

    def search_users(self, call: StaffCall, q: str) -> list[User]:
        return [read_user(u) for u in _items(self._call("GET", "/users", call, params={"q": q}), "users")]

    def request_matches(self, call: StaffCall, request_id: str) -> list[Match]:
        """The known companies a request may be about (same NEQ, similar name, same email domain, target)."""
        return [read_match(m) for m in _items(self._call("GET", f"/requests/{request_id}/matches", call),
                                              "matches")]

    def move_membership(self, call: StaffCall, account_id: str, from_group_id: str, to_group_id: str,
                        role: str, *, key: str) -> None:
        self._call("POST", "/memberships/move", call, key=key, body={
            "account_id": account_id, "from_group_id": from_group_id, "to_group_id": to_group_id, "role": role,
        })
