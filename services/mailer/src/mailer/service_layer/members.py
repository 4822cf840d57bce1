"""Job seekers (member accounts): follow companies, subscribe to the digest and targeted mailings.

The members' pages (entrypoints/web.py) send the commands below through the bus and read the views.
Company names come from company-portal's branding events (`remember_company`): a member can only
follow a company the mailer heard of. The codes of the subscriptions are offers' reference data,
read through `deps.reference` (an HTTP client with a cache; offers' package is never imported).

Followed-company alerts and the weekly digest are not sent yet: the tables are shaped for them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from mailer.domain import members
from mailer.domain.members import REFERENCE_LISTS, Choices, Company, FollowedCompany, Preferences
from mailer.service_layer import commands
from mailer.service_layer.ports import Dependencies, OffersReference, ReferenceItem, ReferenceUnavailable, UnitOfWork
from plumbing.events.envelope import Envelope, PoisonMessage

log = logging.getLogger(__name__)


# Reference data (offers' codes) ------------------------------------------------------------------


def _reference(deps: Dependencies) -> OffersReference:
    if deps.reference is None:
        raise ReferenceUnavailable("no reference client configured")
    return deps.reference


def reference_lists(deps: Dependencies) -> dict[str, tuple[ReferenceItem, ...]]:
    """The lists the subscriptions form offers, by the form's field name (domains, regions, years)."""
    lists = _reference(deps).lists()
    return {name: lists.get(kind, ()) for name, kind in REFERENCE_LISTS.items()}


def choices(deps: Dependencies) -> Choices:
    return Choices({name: frozenset(item.code for item in items) for name, items in reference_lists(deps).items()})


# Commands ----------------------------------------------------------------------------------------


def follow_company(command: commands.FollowCompany, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Follow a company the mailer knows; True when it is new (following twice changes nothing)."""
    if uow.companies.get(command.company_id) is None:
        raise members.UnknownCompany(command.company_id)
    if uow.follows.count(command.account_id) >= members.MAX_FOLLOWS:
        raise members.TooManyFollows(command.account_id)
    return uow.follows.add(command.account_id, command.company_id, deps.clock.now())


def unfollow_company(command: commands.UnfollowCompany, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Stop following; True when the company was followed (an unknown one changes nothing)."""
    return uow.follows.remove(command.account_id, command.company_id)


def save_preferences(command: commands.SavePreferences, uow: UnitOfWork, deps: Dependencies) -> Preferences:
    """Keep the subscriptions; InvalidPreferences (nothing written) when a code is not offers'."""
    saved = members.preferences(
        command.account_id, weekly_digest=command.weekly_digest, targeted_consent=command.targeted_consent,
        domains=command.domains, regions=command.regions, years=command.years,
        choices=choices(deps) if command.targeted_consent else Choices(), now=deps.clock.now())
    uow.preferences.save(saved)
    return saved


MEMBER_COMMAND_HANDLERS: dict[type, Callable[[Any, UnitOfWork, Dependencies], Any]] = {
    commands.FollowCompany: follow_company,
    commands.UnfollowCompany: unfollow_company,
    commands.SavePreferences: save_preferences,
}


# Views (bus.query) -------------------------------------------------------------------------------


def followed_companies(uow: UnitOfWork, account_id: str) -> list[FollowedCompany]:
    return uow.follows.list(account_id)


def preferences_of(uow: UnitOfWork, account_id: str) -> Preferences:
    return uow.preferences.get(account_id) or Preferences.none(account_id)


def company(uow: UnitOfWork, company_id: str) -> Company | None:
    return uow.companies.get(company_id)


# Events in: company names (portal.branding.changed / portal.branding.snapshot) ---------------------


@dataclass(frozen=True)
class BrandingChanged:
    """portal.branding.changed / snapshot, read tolerantly: the company and its display name."""

    company_id: str
    company_name: str

    @classmethod
    def read(cls, data: dict[str, Any]) -> BrandingChanged:
        company_id, name = data.get("company_id"), data.get("company_name")
        if not isinstance(company_id, str) or not company_id:
            raise PoisonMessage("missing company_id")
        return cls(company_id, name.strip() if isinstance(name, str) else "")


#: The date a name learned from a membership event is kept with: older than any branding change,
#: so the company's display name (portal.branding.*) always replaces it.
PLACEHOLDER_DATE = datetime(1970, 1, 1, tzinfo=UTC)


def _occurred_at(envelope: Envelope) -> datetime:
    moment = datetime.fromisoformat(envelope.occurred_at)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def remember_company(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """Keep the company's display name, ordered by the events' `occurred_at`: a late, older change
    (or a snapshot taken before it) never overwrites a newer name. A blank name is not kept (the
    company's previous name, if any, stays)."""
    event = BrandingChanged.read(envelope.data)
    if not event.company_name:
        log.info("branding event %s: company %s has no name, skipped", envelope.id, event.company_id)
        return
    if not uow.companies.remember(Company(event.company_id, event.company_name, _occurred_at(envelope))):
        log.info("branding event %s: company %s has a later name already", envelope.id, event.company_id)


def name_unknown_company(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """portal.membership.granted / role_changed / snapshot carry the company's legal name (optional):
    a company whose groups never changed their branding is still named, so its offers' followers
    can follow it. Kept as a placeholder (PLACEHOLDER_DATE): a branding event's name wins."""
    event = BrandingChanged.read(envelope.data)
    if event.company_name:
        uow.companies.remember(Company(event.company_id, event.company_name, PLACEHOLDER_DATE))
