"""Job seekers (member accounts): the companies they follow and what they subscribed to.

Pure rules, no I/O. The codes of domains, regions and years are offers' (its `GET /reference`):
the service layer hands them in as `Choices`, so the rules here never reach another service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

#: The lists of offers' reference data a member picks from, by the form's field name.
REFERENCE_LISTS = {"domains": "engineering_domains", "regions": "regions", "years": "years_on_roll"}
#: A member follows at most this many companies (a form can't grow the table without end).
MAX_FOLLOWS = 200


class MemberError(Exception):
    """A request a member made that the rules refuse (the page says why)."""

    code = "invalid"


class UnknownCompany(MemberError):
    """The company to follow is not one the mailer heard of (portal.branding.*)."""

    code = "unknown_company"


class TooManyFollows(MemberError):
    code = "too_many_follows"


class InvalidPreferences(MemberError):
    """Some fields of the subscriptions form are refused: field name → error code."""

    code = "invalid_preferences"

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{name}: {code}" for name, code in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Company:
    """A company as offers show it: the display name company-portal last told (portal.branding.*)."""

    company_id: str
    name: str
    changed_at: datetime


@dataclass(frozen=True)
class FollowedCompany:
    company_id: str
    name: str
    followed_at: datetime


@dataclass(frozen=True)
class Preferences:
    """What a member subscribed to. Without targeted-mailing consent, no profile is kept: the
    domains, regions and years are dropped when the consent is (nothing to mail them about)."""

    account_id: str
    weekly_digest: bool = False
    targeted_consent: bool = False
    domains: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    years: str | None = None
    updated_at: datetime | None = None

    @classmethod
    def none(cls, account_id: str) -> Preferences:
        """A member who never saved the form: subscribed to nothing."""
        return cls(account_id)


@dataclass(frozen=True)
class Choices:
    """The allowed codes of each list (offers' reference data), by the form's field name."""

    codes: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def allows(self, name: str, code: str) -> bool:
        return code in self.codes.get(name, frozenset())


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def preferences(account_id: str, *, weekly_digest: bool, targeted_consent: bool, domains: Iterable[str],
                regions: Iterable[str], years: str | None, choices: Choices, now: datetime) -> Preferences:
    """The preferences a form asks for, or InvalidPreferences naming each refused field.

    With the consent, each code must be one of offers' (none picked: every domain, every region,
    any years); without it, the choices are not kept."""
    picked = {"domains": _unique(domains), "regions": _unique(regions), "years": _unique([years or ""])}
    if not targeted_consent:
        return Preferences(account_id, weekly_digest, False, updated_at=now)
    errors = {name: "unknown_code" for name, codes in picked.items()
              if any(not choices.allows(name, code) for code in codes)}
    if errors:
        raise InvalidPreferences(errors)
    return Preferences(account_id, weekly_digest, True, picked["domains"], picked["regions"],
                       picked["years"][0] if picked["years"] else None, now)
