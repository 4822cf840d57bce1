"""Domain events: what happened, recorded by the aggregates, turned into integration events
(outbox) by the service layer's event handlers in the same transaction."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

_order = itertools.count()


@dataclass(frozen=True)
class Event:
    """Base class of the domain events; `sequence` keeps the order they happened in across aggregates."""

    sequence: int = field(default_factory=lambda: next(_order), compare=False, kw_only=True)


@dataclass(frozen=True)
class CompanyCreated(Event):
    company_id: str


@dataclass(frozen=True)
class RequestSubmitted(Event):
    request_id: str


@dataclass(frozen=True)
class RequestApproved(Event):
    request_id: str


@dataclass(frozen=True)
class RequestRefused(Event):
    request_id: str


@dataclass(frozen=True)
class GroupOpened(Event):
    """OIQ opened a new group in an existing company, led by `leader_account_id` (a new_group request)."""

    group_id: str
    request_id: str
    leader_account_id: str


@dataclass(frozen=True)
class MembershipGranted(Event):
    account_id: str
    group_id: str
    version: int
    role: str


@dataclass(frozen=True)
class MembershipRoleChanged(Event):
    account_id: str
    group_id: str
    version: int
    role: str


@dataclass(frozen=True)
class MembershipRevoked(Event):
    account_id: str
    group_id: str
    version: int


@dataclass(frozen=True)
class BrandingChanged(Event):
    group_id: str
