"""Helpers of moderation's tests: signed tokens, events as company-portal sends them, a fake
company-portal client, and settings for a throw-away SQLite database."""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from moderation.service_layer.ports import (
    Company,
    Group,
    Match,
    Member,
    Membership,
    PortalRejected,
    PortalUnavailable,
    StaffCall,
    User,
)
from plumbing.config import REPO_ROOT, Settings
from plumbing.events.envelope import Envelope
from plumbing.testing import TokenMaker  # noqa: F401 - moderation's tests import it from here

TESTS_DIR = Path(__file__).resolve().parent


# Settings and contracts ----------------------------------------------------------------------
def make_contracts_dir(target: Path) -> Path:
    """The repository's event schemas, plus this folder's stand-ins for missing portal ones."""
    events = target / "events"
    shutil.copytree(REPO_ROOT / "contracts" / "events", events)
    for stand_in in (TESTS_DIR / "contracts" / "events").glob("*.schema.json"):
        if not (events / stand_in.name).exists():
            shutil.copy(stand_in, events / stand_in.name)
    return target


def make_settings(tmp_path: Path, contracts_dir: Path) -> Settings:
    return Settings(
        service="moderation", mode="embedded", database_url=f"sqlite:///{tmp_path / 'moderation.db'}",
        amqp_url="amqp://guest:guest@127.0.0.1:5672/%2F", exchange="ingemplois.events",
        identity_url="http://127.0.0.1:1", public_url="http://127.0.0.1:1", var_dir=tmp_path,
        contracts_dir=contracts_dir, log_level="WARNING", db_pool_size=5,
    )


# Events ------------------------------------------------------------------------------------
def utc_text(instant: datetime) -> str:
    return instant.isoformat().replace("+00:00", "Z")


def company_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "legal_name": "Génivert inc.", "neq": "1171234567", "phone": "514 555-0101", "country": "Canada",
        "address": "1000, rue Sherbrooke Ouest", "city": "Montréal", "province": "QC", "postal_code": "H3A 3G4",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submitted(kind: str = "company_creation", submitted_at: datetime | None = None, *,
              request_id: str | None = None, company: dict[str, Any] | None = None,
              occurred_at: datetime | None = None) -> Envelope:
    """A `portal.request.submitted` envelope with every field the flows document lists."""
    at = submitted_at or datetime.fromisoformat("2026-11-02T14:00:00+00:00")
    data: dict[str, Any] = {
        "request_id": request_id or str(uuid.uuid4()),
        "kind": kind,
        "submitted_at": utc_text(at),
        "company": company or company_data(),
        "requester": {
            "account_id": str(uuid.uuid4()), "email": "marie.tremblay@genivert-test.ca", "first_name": "Marie",
            "last_name": "Tremblay", "phone": "514 555-0102", "extension": "204", "function": "Directrice RH",
            "locale": "fr",
        },
    }
    if kind == "new_group":
        data["company"] = {**data["company"], "id": str(uuid.uuid4())}
    if kind == "join_group":
        data["company"] = {**data["company"], "id": str(uuid.uuid4())}
        data["group"] = {"id": str(uuid.uuid4()), "name": "Groupe 001"}
        data["principal_emails"] = ["luc.gagnon@genivert-test.ca"]
    return Envelope.new("portal.request.submitted", data, producer="company-portal",
                        occurred_at=occurred_at or at)


def portal_outcome(request_id: str, approved: bool, decided_at: datetime, kind: str = "new_group", *,
                   decided_by: dict[str, str] | None = None) -> Envelope:
    """A `portal.request.approved|refused` envelope as company-portal writes it."""
    data: dict[str, Any] = {
        "request_id": request_id, "kind": kind, "requester_account_id": str(uuid.uuid4()),
        "requester_email": "marie.tremblay@genivert-test.ca", "locale": "fr", "company_name": "Génivert inc.",
        "decided_at": utc_text(decided_at),
        "decided_by": decided_by or {"account_id": str(uuid.uuid4()), "email": "luc.gagnon@genivert-test.ca",
                                     "kind": "principal"},
    }
    if approved:
        data.update(group_name="Groupe 001", role="principal")
    else:
        data["reason"] = "Doublon d'une demande précédente."
    event_type = "portal.request.approved" if approved else "portal.request.refused"
    return Envelope.new(event_type, data, producer="company-portal", occurred_at=decided_at)


# A fake company-portal -------------------------------------------------------------------------
@dataclass
class FakePortal:
    """In-memory company-portal staff API; `down` makes every call fail as a dead server would, and
    `reject_next` answers the next call with a refusal (field errors as company-portal words them).
    It checks no company rule: company-portal owns them (its own tests, and the contract tests)."""

    companies: dict[str, Company] = field(default_factory=dict)
    users: list[User] = field(default_factory=list)
    down: bool = False
    calls: list[tuple[str, str, tuple[Any, ...]]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    locales: list[str] = field(default_factory=list)
    reject_next: PortalRejected | None = None
    matches: dict[str, list[Match]] = field(default_factory=dict)

    def _enter(self, name: str, call: StaffCall, *args: Any, key: str | None = None) -> None:
        self.calls.append((name, call.token, args))
        self.locales.append(call.locale)
        if key is not None:
            self.keys.append(key)
        if self.down:
            raise PortalUnavailable(f"{name}: connection refused")
        if self.reject_next is not None:
            rejection, self.reject_next = self.reject_next, None
            raise rejection

    def _company(self, company_id: str) -> Company:
        if company_id not in self.companies:
            raise PortalRejected(404, "Introuvable", "not_found")
        return self.companies[company_id]

    def search_companies(self, call: StaffCall, q: str) -> list[Company]:
        self._enter("search_companies", call, q)
        needle = q.lower()
        return [c for c in self.companies.values() if needle in c.legal_name.lower() or needle == (c.neq or "")]

    def get_company(self, call: StaffCall, company_id: str) -> Company:
        self._enter("get_company", call, company_id)
        return self._company(company_id)

    def check_company(self, call: StaffCall, data: dict[str, str]) -> dict[str, Any]:
        self._enter("check_company", call, data)
        return {**data, "neq": data.get("neq") or None}

    def update_company(self, call: StaffCall, company_id: str, data: dict[str, Any], *, key: str) -> Company:
        self._enter("update_company", call, company_id, data, key=key)
        company = replace(self._company(company_id), **{k: v or None if k == "neq" else v for k, v in data.items()})
        self.companies[company_id] = company
        return company

    def create_group(self, call: StaffCall, company_id: str, name: str, *, key: str) -> Group:
        self._enter("create_group", call, company_id, name, key=key)
        company = self._company(company_id)
        group = Group(id=str(uuid.uuid4()), name=name, member_count=0)
        self.companies[company_id] = replace(company, groups=(*company.groups, group))
        return group

    def search_users(self, call: StaffCall, q: str) -> list[User]:
        self._enter("search_users", call, q)
        needle = q.lower()
        return [u for u in self.users if needle in u.email.lower() or needle in u.name.lower()
                or any(needle in m.company_name.lower() for m in u.memberships)]

    def move_membership(self, call: StaffCall, account_id: str, from_group_id: str, to_group_id: str,
                        role: str, *, key: str) -> None:
        self._enter("move_membership", call, account_id, from_group_id, to_group_id, role, key=key)

    def request_matches(self, call: StaffCall, request_id: str) -> list[Match]:
        self._enter("request_matches", call, request_id)
        return list(self.matches.get(request_id, ()))


def demo_company() -> Company:
    marie = Member(account_id=str(uuid.uuid4()), email="marie.tremblay@genivert-test.ca", name="Marie Tremblay",
                   role="principal")
    luc = Member(account_id=str(uuid.uuid4()), email="luc.gagnon@genivert-test.ca", name="Luc Gagnon",
                 role="affichage")
    return Company(
        id=str(uuid.uuid4()), legal_name="Génivert inc.", neq="1171234567", address="1000, rue Sherbrooke Ouest",
        city="Montréal", province="QC", postal_code="H3A 3G4", country="Canada", phone="514 555-0101",
        groups=(Group(id=str(uuid.uuid4()), name="Groupe 001", member_count=2, members=(marie, luc)),
                Group(id=str(uuid.uuid4()), name="Bureau de Québec", member_count=0)),
        user_count=2,
    )


def demo_user(company: Company) -> User:
    group = company.groups[0]
    member = group.members[0]
    return User(account_id=member.account_id, email=member.email, name=member.name,
                memberships=(Membership(group.id, group.name, company.id, company.legal_name, member.role),))
