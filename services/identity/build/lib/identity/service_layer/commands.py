"""Commands (what a caller asks identity to do) and queries. Imperative names, plain data."""

from __future__ import annotations

from dataclasses import dataclass, field


class Command:
    """Base class of identity's commands and queries."""


@dataclass(frozen=True)
class RegisterAccount(Command):
    """Sign-up: an employer (professional address required) or a member (job seeker)."""

    email: str
    password: str = field(repr=False)
    kind: str
    first_name: str
    last_name: str
    locale: str = "fr"


@dataclass(frozen=True)
class CreateVerifiedAccount(Command):
    """An account made by an operator (staff command, demo seed): verified at once, no email sent."""

    email: str
    password: str = field(repr=False)
    kind: str = "staff"
    first_name: str = ""
    last_name: str = ""
    locale: str = "fr"


@dataclass(frozen=True)
class VerifyEmail(Command):
    token: str = field(repr=False)


@dataclass(frozen=True)
class RequestVerificationEmail(Command):
    """A new confirmation link for an unverified account (the first email got lost or expired)."""

    email: str
    locale: str = "fr"


@dataclass(frozen=True)
class Login(Command):
    email: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class RefreshAccess(Command):
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class Logout(Command):
    account_id: str
    session_id: str | None


@dataclass(frozen=True)
class ChangePassword(Command):
    account_id: str
    session_id: str | None
    current_password: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True)
class DeactivateAccount(Command):
    """OIQ staff (or an operator, actor_id None) close an account: every session ends at once."""

    account_id: str
    actor_id: str | None = None


@dataclass(frozen=True)
class RequestPasswordReset(Command):
    email: str
    locale: str = "fr"


@dataclass(frozen=True)
class ResetPassword(Command):
    token: str = field(repr=False)
    new_password: str = field(repr=False)


@dataclass(frozen=True)
class RotateSigningKey(Command):
    """Operators: a new signing key (routine: it signs after a delay; compromised: at once, and the
    older keys are no longer published)."""

    compromised: bool = False


@dataclass(frozen=True)
class ListSigningKeys(Command):
    """Query (operators): every signing key and what it does now."""


@dataclass(frozen=True)
class GetAccount(Command):
    """Query: the account behind a live session."""

    account_id: str
    session_id: str | None


@dataclass(frozen=True)
class FindAccount(Command):
    """Query: the account of an address, if any (operators and the demo seed; never on the web)."""

    email: str
