"""Companies, groups, memberships, accounts and account requests: plain Python, no framework.

The aggregates record domain events in `events`; the unit of work drains them on commit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from company_portal.domain import errors
from company_portal.domain import validation as v
from company_portal.domain.events import (
    BrandingChanged,
    CompanyCreated,
    Event,
    GroupOpened,
    MembershipGranted,
    MembershipRevoked,
    MembershipRoleChanged,
    RequestApproved,
    RequestRefused,
    RequestSubmitted,
)
from company_portal.domain.names import search_key
from plumbing.auth.permissions import Role

FIRST_GROUP_NAME = "Groupe 001"


class RequestKind(StrEnum):
    JOIN_GROUP = "join_group"
    NEW_GROUP = "new_group"
    COMPANY_CREATION = "company_creation"


class RequestStatus(StrEnum):
    PENDING = "en_attente"
    APPROVED = "approuvee"
    REFUSED = "refusee"


class CompanySource(StrEnum):
    REGISTRY = "registry"
    STAFF = "staff"
    REQUEST = "request"


class DeciderKind(StrEnum):
    PRINCIPAL = "principal"
    STAFF = "staff"


def parse_role(value: object, name: str = "role") -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise errors.InvalidInput([errors.field_error(
            name, "invalid_role", "Choisissez un rôle : principal·e, affichage ou finances.",
            "Choose a role: principal, affichage (postings) or finances.")]) from None


# Value objects ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompanyInfo:
    """What a requester (or OIQ staff) validates about a company; all fields required but NEQ."""

    legal_name: str
    phone: str
    country: str
    address: str
    city: str
    province: str
    postal_code: str
    neq: str | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, object], *, with_neq: bool = False, require_all: bool = True) -> CompanyInfo:
        """Validate every field; `require_all=False` (staff corrections) only requires the name."""
        problems: list[errors.FieldError] = []

        def field(name: str) -> str:
            value = v.text(raw, name)
            return v.required(value, name, problems) if require_all or name == "legal_name" else value

        country = v.clean_country(field("country")) or v.CANADA
        values = {name: v.limited(field(name), name, problems) for name in ("legal_name", "address", "city")}
        phone = field("phone")
        if phone:
            phone = v.clean_phone(phone, problems)
        province = field("province")
        if province:
            province = v.clean_province(province, country, problems)
        postal = field("postal_code")
        if postal:
            postal = v.clean_postal_code(postal, country, problems)
        neq = v.text(raw, "neq") if with_neq else ""
        if neq:
            neq = v.clean_neq(neq, problems)
        v.limited(country, "country", problems)
        if problems:
            raise errors.InvalidInput(problems)
        return cls(phone=phone, country=country, province=province, postal_code=postal, neq=neq or None, **values)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AboutYou:
    """The requester's own details (the wizard's « À propos de vous », and « Mon profil »)."""

    first_name: str
    last_name: str
    phone: str
    extension: str
    function: str

    @classmethod
    def parse(cls, raw: Mapping[str, object]) -> AboutYou:
        problems: list[errors.FieldError] = []
        names = {n: v.limited(v.required(v.text(raw, n), n, problems), n, problems)
                 for n in ("first_name", "last_name", "function")}
        phone, extension_in_phone = v.required(v.text(raw, "phone"), "phone", problems), ""
        if phone:
            phone, extension_in_phone = v.parse_phone(phone, problems)
        extension = v.clean_extension(v.text(raw, "extension").replace(" ", "") or extension_in_phone, problems)
        if problems:
            raise errors.InvalidInput(problems)
        return cls(phone=phone, extension=extension, **names)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Branding:
    """« Mon entreprise » of one group: what every offer of the group shows."""

    group_name: str
    group_description: str
    company_name: str
    address: str
    website: str
    phone: str
    description_html: str

    @classmethod
    def parse(cls, raw: Mapping[str, object], description_html: str) -> Branding:
        """Validate; `description_html` is the already-sanitized company description."""
        problems: list[errors.FieldError] = []
        group_name = v.limited(v.required(v.text(raw, "group_name"), "group_name", problems), "group_name", problems)
        description = str(raw.get("group_description") or "").strip()
        v.limited(description, "group_description", problems)
        company_name = v.limited(v.required(v.text(raw, "company_name"), "company_name", problems),
                                 "company_name", problems, v.LIMITS["legal_name"])
        address = v.limited(v.required(v.text(raw, "address"), "address", problems), "address", problems)
        website = v.clean_website(v.text(raw, "website"), problems)
        phone = v.text(raw, "phone")
        if phone:
            phone = v.clean_phone(phone, problems)
        v.limited(description_html, "description_html", problems)
        if problems:
            raise errors.InvalidInput(problems)
        return cls(group_name, description, company_name, address, website, phone, description_html)


@dataclass(frozen=True)
class Decider:
    """Who decided a request: a group's principal or an OIQ staff member."""

    account_id: str
    email: str
    kind: DeciderKind


# Aggregates ---------------------------------------------------------------------------------
class Aggregate:
    events: list[Event]

    def _record(self, event: Event) -> None:
        if not hasattr(self, "events"):
            self.events = []
        self.events.append(event)


class Company(Aggregate):
    def __init__(self, id: str, legal_name: str, *, source: str, created_at: datetime, neq: str | None = None,
                 address: str = "", city: str = "", province: str = "", postal_code: str = "",
                 country: str = v.CANADA, phone: str = "") -> None:
        self.id = id
        self.neq = neq
        self.legal_name = legal_name
        self.name_key = search_key(legal_name)
        self.address = address
        self.city = city
        self.province = province
        self.postal_code = postal_code
        self.country = country
        self.phone = phone
        self.source = str(source)
        self.created_at = created_at
        self.updated_at = created_at
        self.events = []

    @classmethod
    def create(cls, id: str, info: CompanyInfo, source: CompanySource, now: datetime) -> Company:
        company = cls(id, info.legal_name, source=source, created_at=now, neq=info.neq, address=info.address,
                      city=info.city, province=info.province, postal_code=info.postal_code,
                      country=info.country, phone=info.phone)
        company._record(CompanyCreated(id))
        return company

    def correct(self, info: CompanyInfo, now: datetime) -> None:
        """Staff fix the company's data; later registry imports keep it.

        `info` is the whole corrected record (the service layer merges what staff changed into the
        current data), so an empty NEQ here means staff cleared a wrong one.
        """
        self.source = str(CompanySource.STAFF)
        self.legal_name = info.legal_name
        self.name_key = search_key(info.legal_name)
        self.neq = info.neq
        self.address, self.city, self.province = info.address, info.city, info.province
        self.postal_code, self.country, self.phone = info.postal_code, info.country, info.phone
        self.updated_at = now

    @property
    def full_address(self) -> str:
        parts = [self.address, self.city, " ".join(p for p in (self.province, self.postal_code) if p)]
        return ", ".join(p for p in parts if p)


class Group(Aggregate):
    def __init__(self, id: str, company_id: str, name: str, created_at: datetime, *, description: str = "",
                 display_company_name: str = "", address: str = "", website: str = "", phone: str = "",
                 description_html: str = "") -> None:
        self.id = id
        self.company_id = company_id
        self.name = name
        self.description = description
        self.display_company_name = display_company_name
        self.address = address
        self.website = website
        self.phone = phone
        self.description_html = description_html
        self.logo_hash: str | None = None
        self.logo_format: str | None = None
        #: Grows at each branding change; carried by portal.branding.changed and .snapshot so a
        #: consumer keeps the newest state whatever order they arrive in.
        self.branding_version = 1
        self.created_at = created_at
        self.updated_at = created_at
        self.events = []

    @classmethod
    def create(cls, id: str, company: Company, name: str, now: datetime) -> Group:
        name = " ".join(name.split())
        if not name or len(name) > v.LIMITS["group_name"]:
            raise errors.InvalidInput([errors.field_error(
                "name", "invalid_group_name", "Le nom du groupe est obligatoire (100 caractères au plus).",
                "The group name is required (100 characters at most).")])
        return cls(id, company.id, name, now, display_company_name=company.legal_name,
                   address=company.full_address, phone=company.phone)

    def opened_for(self, request_id: str, leader_account_id: str) -> None:
        """The group was opened on a staff-approved "Nouveau groupe" request: its company's principals are told."""
        self._record(GroupOpened(self.id, request_id, leader_account_id))

    def rebrand(self, branding: Branding, now: datetime) -> None:
        self.name = branding.group_name
        self.description = branding.group_description
        self.display_company_name = branding.company_name
        self.address = branding.address
        self.website = branding.website
        self.phone = branding.phone
        self.description_html = branding.description_html
        self._branding_changed(now)

    def set_logo(self, content_hash: str, image_format: str, now: datetime) -> None:
        self.logo_hash = content_hash
        self.logo_format = image_format
        self._branding_changed(now)

    def _branding_changed(self, now: datetime) -> None:
        self.branding_version = (self.branding_version or 0) + 1
        self.updated_at = now
        self._record(BrandingChanged(self.id))


def next_group_name(existing: Iterable[str]) -> str:
    """« Groupe 001 » for a company's first group, then the next free number."""
    taken = set()
    for name in existing:
        match = re.fullmatch(r"Groupe (\d{3,})", name)
        if match:
            taken.add(int(match.group(1)))
    number = 1
    while number in taken:
        number += 1
    return f"Groupe {number:03d}"


class Membership(Aggregate):
    """An account's role in a group; `role` is None once revoked. `version` grows at each change."""

    def __init__(self, account_id: str, group_id: str, role: str | None, version: int, created_at: datetime) -> None:
        self.account_id = account_id
        self.group_id = group_id
        self.role = role
        self.version = version
        self.created_at = created_at
        self.updated_at = created_at
        self.events = []

    @classmethod
    def grant_new(cls, account_id: str, group_id: str, role: Role, now: datetime) -> Membership:
        membership = cls(account_id, group_id, str(role), 1, now)
        membership._record(MembershipGranted(account_id, group_id, 1, str(role)))
        return membership

    @property
    def active(self) -> bool:
        return self.role is not None

    def grant(self, role: Role, now: datetime) -> None:
        """Join again after a removal, or change the role of an active member."""
        if self.active:
            self.change_role(role, now)
            return
        self.role = str(role)
        self._bump(now)
        self._record(MembershipGranted(self.account_id, self.group_id, self.version, str(role)))

    def change_role(self, role: Role, now: datetime) -> None:
        if self.role == str(role):
            return
        self.role = str(role)
        self._bump(now)
        self._record(MembershipRoleChanged(self.account_id, self.group_id, self.version, str(role)))

    def revoke(self, now: datetime) -> None:
        if not self.active:
            return
        self.role = None
        self._bump(now)
        self._record(MembershipRevoked(self.account_id, self.group_id, self.version))

    def _bump(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now


def check_principal_kept(members: Iterable[Membership], account_id: str, new_role: Role | None) -> None:
    """Refuse a change that would leave the group without a principal (LastPrincipal)."""
    principals = [m for m in members if m.active and m.role == Role.PRINCIPAL]
    target = next((m for m in principals if m.account_id == account_id), None)
    if target is not None and new_role != Role.PRINCIPAL and len(principals) <= 1:
        raise errors.last_principal()


class Account:
    """A person as the portal knows them: identity's names and email, plus the wizard's details."""

    def __init__(self, id: str, email: str, created_at: datetime, *, first_name: str = "", last_name: str = "",
                 phone: str = "", extension: str = "", function: str = "", locale: str = "fr") -> None:
        self.id = id
        self.email = email
        self.first_name = first_name
        self.last_name = last_name
        self.phone = phone
        self.extension = extension
        self.function = function
        self.locale = locale
        self.created_at = created_at
        self.updated_at = created_at

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email

    def learn_identity(self, email: str, first_name: str, last_name: str, locale: str, now: datetime) -> None:
        """identity's sign-up data: the email always; the names only where none are known yet."""
        self.email = email or self.email
        self.first_name = self.first_name or first_name
        self.last_name = self.last_name or last_name
        self.locale = locale or self.locale
        self.updated_at = now

    def update_profile(self, about: AboutYou, now: datetime) -> None:
        self.first_name, self.last_name = about.first_name, about.last_name
        self.phone, self.extension, self.function = about.phone, about.extension, about.function
        self.updated_at = now


class AccountRequest(Aggregate):
    """A request to join a group, to open a new group, or to have a company created."""

    def __init__(self, id: str, kind: str, requester: Account, company: CompanyInfo, submitted_at: datetime, *,
                 company_id: str | None = None, group_id: str | None = None, group_name: str | None = None) -> None:
        self.id = id
        self.kind = str(kind)
        self.status = str(RequestStatus.PENDING)
        self.requester_account_id = requester.id
        self.requester_email = requester.email
        self.requester_first_name = requester.first_name
        self.requester_last_name = requester.last_name
        self.requester_phone = requester.phone
        self.requester_extension = requester.extension
        self.requester_function = requester.function
        self.locale = requester.locale
        self.company_id = company_id
        self.neq = company.neq
        self.legal_name = company.legal_name
        self.phone = company.phone
        self.country = company.country
        self.address = company.address
        self.city = company.city
        self.province = company.province
        self.postal_code = company.postal_code
        self.group_id = group_id
        self.group_name = group_name
        self.submitted_at = submitted_at
        self.decided_at: datetime | None = None
        self.decided_by_account_id: str | None = None
        self.decided_by_email: str | None = None
        self.decided_by_kind: str | None = None
        self.decision_reason: str | None = None
        self.granted_role: str | None = None
        self.events = []

    @classmethod
    def submit(cls, id: str, kind: RequestKind, requester: Account, company: CompanyInfo, now: datetime,
               **where: str | None) -> AccountRequest:
        request = cls(id, kind, requester, company, now, **where)
        request._record(RequestSubmitted(id))
        return request

    @property
    def pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def company_info(self) -> CompanyInfo:
        return CompanyInfo(self.legal_name, self.phone, self.country, self.address, self.city, self.province,
                           self.postal_code, self.neq)

    def approve(self, decider: Decider, role: Role, now: datetime, *, company_id: str, group_id: str,
                group_name: str, reason: str | None = None) -> None:
        self._decide(decider, now, reason)
        self.status = str(RequestStatus.APPROVED)
        self.granted_role = str(role)
        self.company_id, self.group_id, self.group_name = company_id, group_id, group_name
        self._record(RequestApproved(self.id))

    def refuse(self, decider: Decider, reason: str, now: datetime) -> None:
        reason = reason.strip()
        if not reason:
            raise errors.InvalidInput([errors.field_error(
                "reason", "reason_required", "Indiquez la raison du refus.", "Give the reason for the refusal.")])
        if len(reason) > v.LIMITS["reason"]:
            raise errors.InvalidInput([errors.field_error(
                "reason", "too_long", "La raison ne peut pas dépasser 1000 caractères.",
                "The reason cannot be longer than 1000 characters.")])
        self._decide(decider, now, reason)
        self.status = str(RequestStatus.REFUSED)
        self._record(RequestRefused(self.id))

    def _decide(self, decider: Decider, now: datetime, reason: str | None) -> None:
        if not self.pending:
            raise errors.already_decided()
        self.decided_at = now
        self.decided_by_account_id = decider.account_id
        self.decided_by_email = decider.email
        self.decided_by_kind = str(decider.kind)
        self.decision_reason = reason or None


@dataclass
class RequestDraft:
    """The wizard's answers kept between tabs (one draft per account)."""

    account_id: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
