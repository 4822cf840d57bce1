"""Commands the mailer's entrypoints issue (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendDueEmails:
    """Deliver the pending emails that are due, up to a batch."""

    batch_size: int = 20


# Job seekers (members' pages, /membre/) -------------------------------------------------------


@dataclass(frozen=True)
class FollowCompany:
    account_id: str
    company_id: str


@dataclass(frozen=True)
class UnfollowCompany:
    account_id: str
    company_id: str


@dataclass(frozen=True)
class SavePreferences:
    """The subscriptions form: codes as posted (checked against offers' reference data)."""

    account_id: str
    weekly_digest: bool
    targeted_consent: bool
    domains: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    years: str | None = None
