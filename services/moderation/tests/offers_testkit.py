"""Helpers of moderation's offer tests: `offers.offer.status_changed` envelopes as offers writes
them, and a fake of offers' staff API (services/offers/DESIGN.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from moderation.service_layer.ports import (
    OfferHint,
    OfferHistoryEntry,
    OffersRejected,
    OffersUnavailable,
    ReferenceItem,
    StaffCall,
    StaffOffer,
)
from plumbing.events.envelope import Envelope

GROUP_ID = "5d1b2c3e-0000-4000-8000-000000000001"


def utc_text(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def status_changed(
    offer_id: str,
    to_status: str,
    occurred_at: datetime,
    *,
    from_status: str = "draft",
    submitted_at: datetime | None = None,
    title: str = "Ingénieur·e de projets",
    profile: str = "ing",
    online: bool = False,
    action: str = "submit",
) -> Envelope:
    """An `offers.offer.status_changed` envelope with every field of its schema."""
    data: dict[str, Any] = {
        "offer_id": offer_id,
        "group_id": GROUP_ID,
        "profile": profile,
        "title_fr": title,
        "created_by": str(uuid.uuid4()),
        "from_status": from_status,
        "to_status": to_status,
        "action": action,
        "actor_id": str(uuid.uuid4()),
        "actor_kind": "employer",
        "reason": None,
        "submitted_at": utc_text(submitted_at) if submitted_at else None,
        "online": online,
        "publication_ends_at": None,
    }
    return Envelope.new("offers.offer.status_changed", data, producer="offers", occurred_at=occurred_at)


def content(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title_fr": "Ingénieur·e de projets",
        "title_en": "Project engineer",
        "description_fr": "<p>Raison d'être du poste.</p><ul><li>Concevoir des ouvrages</li></ul>"
        "<p>Qualifications : membre de l'Ordre.</p>",
        "description_en": "",
        "function_type": "conception",
        "engineering_domains": ["civil"],
        "employment_type": "permanent",
        "position_status": "temps-plein",
        "work_formula": "hybride",
        "application_deadline": "2026-12-15",
        "salary": "",
        "reference_number": "",
        "years_on_roll": "",
        "workplace": {"kind": "places", "street": "", "city": "", "postal_code": "", "places": ["montreal"]},
        "interests": [],
    }
    data.update(overrides)
    return data


REFERENCE = {
    "function_types": [
        ReferenceItem("conception", "Conception", "Design"),
        ReferenceItem("gestion", "Gestion de projets", "Project management"),
    ],
    "engineering_domains": [
        ReferenceItem("civil", "Génie civil", "Civil engineering"),
        ReferenceItem("mecanique", "Génie mécanique", "Mechanical engineering"),
    ],
    "employment_types": [ReferenceItem("permanent", "Permanent", "Permanent")],
    "position_statuses": [ReferenceItem("temps-plein", "Temps plein", "Full time")],
    "work_formulas": [
        ReferenceItem("hybride", "Hybride", "Hybrid"),
        ReferenceItem("presentiel", "En présentiel", "On site"),
    ],
    "years_on_roll": [ReferenceItem("0-5", "0 à 5 ans", "0 to 5 years")],
    "interests": [ReferenceItem("climat", "Climat", "Climate")],
    "regions": [ReferenceItem("montreal", "Montréal", "Montreal")],
}


def staff_offer(
    offer_id: str, status: str = "in_validation", *, live: dict[str, Any] | None = None, **content_overrides: Any
) -> StaffOffer:
    return StaffOffer(
        id=offer_id,
        group_id=GROUP_ID,
        group_name="Groupe 001",
        company_name="Génivert inc.",
        profile="ing",
        status=status,
        version=3,
        content=content(**content_overrides),
        live_content=live,
        hints=(
            OfferHint(
                "contact_in_description",
                "Un courriel figure dans la description.",
                "An email address is in the description.",
                "description_fr",
            ),
        ),
        history=(
            OfferHistoryEntry("2026-11-02T14:00:00Z", "a-1", "employer", "submit", "draft", "in_validation", None),
        ),
    )


@dataclass
class FakeOffers:
    """In-memory staff API of offers: `down` fails every call as a dead server would; `reject_next`
    answers the next decision with a refusal; `calls` records (name, token, locale, args, key)."""

    offers: dict[str, StaffOffer] = field(default_factory=dict)
    down: bool = False
    reference_down: bool = False
    fail_decisions: bool = False  # decisions time out, reads still answer
    reject_next: OffersRejected | None = None
    calls: list[tuple[str, str, str, tuple[Any, ...], str | None]] = field(default_factory=list)

    def _enter(self, name: str, call: StaffCall, *args: Any, key: str | None = None) -> None:
        self.calls.append((name, call.token, call.locale, args, key))
        if self.down or (key is not None and self.fail_decisions):
            raise OffersUnavailable(f"{name}: connection refused")
        if key is not None and self.reject_next is not None:
            rejection, self.reject_next = self.reject_next, None
            raise rejection

    def decisions(self) -> list[tuple[str, tuple[Any, ...], str | None]]:
        return [(name, args, key) for name, _token, _locale, args, key in self.calls if key is not None]

    def _offer(self, offer_id: str) -> StaffOffer:
        if offer_id not in self.offers:
            raise OffersRejected(404, "Offre introuvable.", "not_found")
        return self.offers[offer_id]

    def get_offer(self, call: StaffCall, offer_id: str) -> StaffOffer:
        self._enter("get_offer", call, offer_id)
        return self._offer(offer_id)

    def reference(self, call: StaffCall) -> dict[str, list[ReferenceItem]]:
        self._enter("reference", call)
        if self.reference_down:
            raise OffersUnavailable("reference: timeout")
        return REFERENCE

    def _move(self, offer_id: str, status: str, **content_changes: Any) -> None:
        offer = self._offer(offer_id)
        self.offers[offer_id] = replace(
            offer, status=status, version=offer.version + 1, content={**offer.content, **content_changes}
        )

    def approve(
        self, call: StaffCall, offer_id: str, *, version: int | None, changes: dict[str, Any] | None, key: str
    ) -> None:
        self._enter("approve", call, offer_id, version, changes, key=key)
        self._move(offer_id, "published", **(changes or {}))

    def return_for_revision(
        self, call: StaffCall, offer_id: str, comment: str, *, version: int | None, key: str
    ) -> None:
        self._enter("return_for_revision", call, offer_id, version, comment, key=key)
        self._move(offer_id, "to_revise")

    def withdraw(self, call: StaffCall, offer_id: str, reason: str, *, version: int | None, key: str) -> None:
        self._enter("withdraw", call, offer_id, version, reason, key=key)
        self._move(offer_id, "expired")

    def move_application_deadline(
        self, call: StaffCall, offer_id: str, deadline: date, *, version: int | None, key: str
    ) -> None:
        self._enter("move_application_deadline", call, offer_id, version, deadline, key=key)
        self._move(offer_id, self._offer(offer_id).status, application_deadline=deadline.isoformat())
