"""The HTTP client of offers' staff API (services/offers/DESIGN.md, "HTTP"; contracts/offers.yaml, tag `staff`).

Built as the company-portal client is (adapters/portal_client.py): called only while a staff member
waits, a 5 s timeout, the staff member's bearer token and language forwarded, the form's
`Idempotency-Key` on every decision (POST/PUT, never retried), GETs retried after a refused
connection or a 502/503/504. Failures become `OffersUnavailable` (down, timeout, 5xx) and
`OffersRejected` (a 4xx answer with its detail, code and field errors).

Answers are read tolerantly (only the fields the pages show), never by importing offers' package.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import requests

from moderation.adapters.staff_http import StaffHttp, problem_fields
from moderation.adapters.staff_http import items as _items
from moderation.adapters.staff_http import text as _text
from moderation.service_layer.ports import (
    OfferHint,
    OfferHistoryEntry,
    OffersRejected,
    OffersUnavailable,
    ReferenceItem,
    StaffCall,
    StaffOffer,
)

API_PREFIX = "/api/offers/v1"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _version(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


def read_hint(raw: dict[str, Any]) -> OfferHint:
    message = raw.get("message")
    if isinstance(message, dict):
        fr, en = _text(message, "fr"), _text(message, "en")
    else:
        fr = en = str(message or "")
    return OfferHint(
        code=_text(raw, "code"),
        message_fr=fr,
        message_en=en,
        field=_text(raw, "field") or None,
        severity=_text(raw, "severity") or "warning",
    )


def read_history(raw: dict[str, Any]) -> OfferHistoryEntry:
    return OfferHistoryEntry(
        at=_text(raw, "at"),
        actor_id=_text(raw, "actor_id"),
        actor_kind=_text(raw, "actor_kind"),
        action=_text(raw, "action"),
        from_status=_text(raw, "from_status") or None,
        to_status=_text(raw, "to_status"),
        reason=_text(raw, "reason") or None,
    )


def read_staff_offer(body: Any) -> StaffOffer:
    body = _dict(body)
    offer = _dict(body.get("offer")) or body
    group = _dict(body.get("group"))
    live = body.get("live_content", offer.get("live_content"))
    return StaffOffer(
        id=_text(offer, "id", "offer_id"),
        group_id=_text(group, "id") or _text(offer, "group_id"),
        group_name=_text(group, "name"),
        company_name=_text(group, "company_name"),
        profile=_text(offer, "profile"),
        status=_text(offer, "status"),
        version=_version(offer.get("version")),
        content=_dict(offer.get("content")),
        live_content=live if isinstance(live, dict) else None,
        config=_dict(offer.get("config")),
        hints=tuple(read_hint(h) for h in _items(offer.get("hints", body.get("hints")))),
        history=tuple(read_history(h) for h in _items(body.get("history", offer.get("history")))),
        online=bool(offer.get("online")),
        published_at=_text(offer, "published_at") or None,
        publication_ends_at=_text(offer, "publication_ends_at") or None,
    )


def read_problem(response: requests.Response) -> OffersRejected:
    """A 4xx answer (problem+json: `detail`, `code`, `field`, `errors` [{field, code, detail}])."""
    return OffersRejected(response.status_code, *problem_fields(response))


class HttpOffersClient:
    """`timeout` bounds each answer (5 s), connecting gets `connect_timeout` (2 s)."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        connect_timeout: float = 2.0,
        get_retries: int = 2,
        backoff: float = 0.2,
        session_factory: Callable[[], requests.Session] = requests.Session,
    ) -> None:
        self._http = StaffHttp(
            base_url.rstrip("/") + API_PREFIX,
            unavailable=OffersUnavailable,
            rejected=OffersRejected,
            timeout=timeout,
            connect_timeout=connect_timeout,
            get_retries=get_retries,
            backoff=backoff,
            session_factory=session_factory,
        )
        self._call = self._http.call
        http = self._http
        self.base_url, self.timeout, self.connect_timeout = http.base_url, http.timeout, http.connect_timeout

    @staticmethod
    def _versioned(body: dict[str, Any], version: int | None) -> dict[str, Any]:
        return {**body, "version": version} if version else body

    def get_offer(self, call: StaffCall, offer_id: str) -> StaffOffer:
        return read_staff_offer(self._call("GET", f"/staff/offers/{offer_id}", call))

    def reference(self, call: StaffCall) -> dict[str, list[ReferenceItem]]:
        """The code lists; municipalities nested in their region (or listed flat) are also gathered
        under `municipalities`, so that a workplace's places can be named."""
        lists = _dict(_dict(self._call("GET", "/reference", call)).get("lists"))
        out = {
            str(name): [ReferenceItem(_text(i, "code"), _text(i, "fr"), _text(i, "en")) for i in _items(items)]
            for name, items in lists.items()
        }
        nested = [m for region in _items(lists.get("regions")) for m in _items(region.get("municipalities"))]
        if nested:
            out.setdefault("municipalities", []).extend(
                ReferenceItem(_text(m, "code"), _text(m, "fr"), _text(m, "en")) for m in nested
            )
        return out

    def approve(
        self, call: StaffCall, offer_id: str, *, version: int | None, changes: dict[str, Any] | None, key: str
    ) -> None:
        body = self._versioned({"changes": changes} if changes else {}, version)
        self._call("POST", f"/staff/offers/{offer_id}/approval", call, body=body, key=key)

    def return_for_revision(
        self, call: StaffCall, offer_id: str, comment: str, *, version: int | None, key: str
    ) -> None:
        self._call(
            "POST",
            f"/staff/offers/{offer_id}/return",
            call,
            body=self._versioned({"comment": comment}, version),
            key=key,
        )

    def withdraw(self, call: StaffCall, offer_id: str, reason: str, *, version: int | None, key: str) -> None:
        self._call(
            "POST",
            f"/staff/offers/{offer_id}/withdrawal",
            call,
            body=self._versioned({"reason": reason}, version),
            key=key,
        )

    def move_application_deadline(
        self, call: StaffCall, offer_id: str, deadline: date, *, version: int | None, key: str
    ) -> None:
        self._call(
            "PUT",
            f"/staff/offers/{offer_id}/application-deadline",
            call,
            body=self._versioned({"date": deadline.isoformat()}, version),
            key=key,
        )
