"""Commands: what the entrypoints ask offers to do (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from offers.domain.offer import OfferConfig, OfferContent


@dataclass(frozen=True)
class RecordCompanyBranding:
    """company-portal changed what a group's offers show about the company (portal.branding.changed),
    or replayed it (`snapshot`: portal.branding.snapshot). `description_html` as received: the page
    sanitizes it again when it shows it."""

    group_id: str
    company_id: str
    group_name: str
    company_name: str
    logo_url: str | None
    changed_at: datetime
    description_html: str = ""
    website: str = ""
    version: int | None = None
    snapshot: bool = False


# Offers (issue 9) ------------------------------------------------------------------------------
# Every command names its caller; handlers resolve the caller's role in the offer's group from the
# membership projection (staff act everywhere). `expected_version`, when given, must be the
# version the caller read (else `OfferActionRefused("stale")`). Handlers return the `Offer`.


@dataclass(frozen=True)
class Caller:
    """Who asks: an account (employer or staff) or an API key acting as its creator.

    `token` is the bearer the caller came with (an identity JWT or an `ingk_…` key): the credit
    bank is called with it (docs/decisions.md §30)."""

    account_id: str
    kind: str = "employer"  # employer | staff | api_key
    token: str = ""

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


@dataclass(frozen=True)
class CreateDraft:
    group_id: str
    profile: str  # ing | cpi
    caller: Caller
    content: OfferContent | None = None
    config: OfferConfig | None = None


@dataclass(frozen=True)
class SaveDraft:
    """« Enregistrer » (draft, to_revise): content and configuration replaced whole."""

    offer_id: str
    caller: Caller
    content: OfferContent
    config: OfferConfig
    expected_version: int | None = None


@dataclass(frozen=True)
class SubmitOffer:
    """« Continuer »: reserves the credits (profile, + vedette if featured), then in_validation."""

    offer_id: str
    caller: Caller
    expected_version: int | None = None


@dataclass(frozen=True)
class ModifyOffer:
    """« Modifier » an offer en cours: the new content goes to validation, the offer stays online."""

    offer_id: str
    caller: Caller
    content: OfferContent
    expected_version: int | None = None


@dataclass(frozen=True)
class CancelOffer:
    offer_id: str
    caller: Caller
    expected_version: int | None = None


@dataclass(frozen=True)
class ApproveOffer:
    """Staff: approve, or approve with `changes` (the content as the staff edited it)."""

    offer_id: str
    caller: Caller
    changes: OfferContent | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ReturnOffer:
    """Staff: back to the employer with a comment (required)."""

    offer_id: str
    caller: Caller
    comment: str
    expected_version: int | None = None


@dataclass(frozen=True)
class WithdrawOffer:
    """Staff: a non-compliant offer leaves the site, no refund; reason required."""

    offer_id: str
    caller: Caller
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class EndPublication:
    offer_id: str
    caller: Caller
    expected_version: int | None = None


@dataclass(frozen=True)
class ExtendOffer:
    """+7 days (an `extension` credit; once per offer)."""

    offer_id: str
    caller: Caller
    expected_version: int | None = None


@dataclass(frozen=True)
class FeatureOffer:
    """En vedette for 7 days (a `vedette` credit; once per offer)."""

    offer_id: str
    caller: Caller
    expected_version: int | None = None


@dataclass(frozen=True)
class DuplicateOffer:
    offer_id: str
    caller: Caller


@dataclass(frozen=True)
class ArchiveOffer:
    offer_id: str
    caller: Caller
    expected_version: int | None = None


@dataclass(frozen=True)
class MoveApplicationDeadline:
    """Staff: a new application deadline (a Québec date, today or later)."""

    offer_id: str
    caller: Caller
    date: date
    expected_version: int | None = None


# The scheduler's ticks (no caller: the system). Each returns how many offers it changed.
@dataclass(frozen=True)
class PublishDue:
    """Scheduled offers whose publication start has come → published."""


@dataclass(frozen=True)
class ExpireDue:
    """Offers whose publication period ended → expired."""


@dataclass(frozen=True)
class NotifyDue:
    """`offers.offer.expiring_soon` (10 days before the end) and `offers.offer.featuring_ended`,
    each once per offer and date."""


# Applying by email (issue 11) -----------------------------------------------------------------
@dataclass(frozen=True)
class SubmitApplication:
    """A candidate's application through the job site's form (anonymous). The offer's address is
    read from the offer, never from the form; `offer_url` is the public page's address."""

    offer_id: str
    name: str
    email: str
    phone: str
    message: str
    consent: bool
    cv_filename: str
    cv_data: bytes = field(repr=False)
    locale: str = "fr"
    offer_url: str = ""
