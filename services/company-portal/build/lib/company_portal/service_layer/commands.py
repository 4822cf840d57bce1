"""Commands: what a caller asks company-portal to do. Imperative names, plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Command:
    """Base class of the commands."""


# The wizard (docs/portal-flows.md, journey 2) ------------------------------------------------
@dataclass(frozen=True)
class ChooseCompany(Command):
    """Tab 1: the requester picked a company found by keyword or NEQ."""

    account_id: str
    company_id: str


@dataclass(frozen=True)
class StartCompanyCreation(Command):
    """Tab 1: the company is missing or wrong: ask OIQ to create it."""

    account_id: str


@dataclass(frozen=True)
class SaveCompanyInfo(Command):
    """Tab 2: the validated company information."""

    account_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class SaveAboutYou(Command):
    """Tab 3: the requester's details and the group choice (a group id or "new")."""

    account_id: str
    email: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class SubmitRequest(Command):
    """Tab 4: send the request; the draft is consumed."""

    account_id: str
    email: str
    locale: str = "fr"


@dataclass(frozen=True)
class DiscardDraft(Command):
    account_id: str


# Decisions ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApproveJoinRequest(Command):
    actor_id: str
    actor_email: str
    group_id: str
    request_id: str
    role: str


@dataclass(frozen=True)
class RefuseJoinRequest(Command):
    actor_id: str
    actor_email: str
    group_id: str
    request_id: str
    reason: str


@dataclass(frozen=True)
class ApplyStaffApproval(Command):
    """moderation.request.approved: OIQ approved a new group or a company creation."""

    request_id: str
    decided_by_id: str
    decided_by_email: str
    decided_at: datetime | None = None
    reason: str | None = None
    company: dict[str, Any] | None = None


@dataclass(frozen=True)
class ApplyStaffRefusal(Command):
    request_id: str
    decided_by_id: str
    decided_by_email: str
    reason: str
    decided_at: datetime | None = None


# Groups and roles --------------------------------------------------------------------------
@dataclass(frozen=True)
class ChangeRole(Command):
    actor_id: str
    group_id: str
    account_id: str
    role: str


@dataclass(frozen=True)
class RemoveMember(Command):
    actor_id: str
    group_id: str
    account_id: str


@dataclass(frozen=True)
class UpdateBranding(Command):
    actor_id: str
    group_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class UploadLogo(Command):
    actor_id: str
    group_id: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class UpdateProfile(Command):
    account_id: str
    email: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class RecordAccount(Command):
    """identity.account.registered: remember the person's email and names."""

    account_id: str
    email: str
    first_name: str = ""
    last_name: str = ""
    locale: str = "fr"


# OIQ staff ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CorrectCompany(Command):
    staff_id: str
    company_id: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class CreateGroup(Command):
    staff_id: str
    company_id: str
    name: str


@dataclass(frozen=True)
class MoveMember(Command):
    staff_id: str
    account_id: str
    from_group_id: str
    to_group_id: str
    role: str


#: What company-portal can replay as snapshot events (docs/decisions.md, "A new service learns the past").
SNAPSHOT_PROJECTIONS = ("memberships", "branding")


@dataclass(frozen=True)
class PublishSnapshot(Command):
    """Replay the current state as portal.membership.snapshot / portal.branding.snapshot events."""

    projections: tuple[str, ...] = SNAPSHOT_PROJECTIONS
    requested_by: str = "operator"
