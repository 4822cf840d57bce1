"""One handler per command, `handler(command, uow, deps)`, in an explicit table. Handlers never
commit: the message bus (or the event consumer, with the inbox record) does.

Offers: each handler loads the offer, resolves the caller (staff, or a member of the offer's group
with their role; a non-member gets `NotAMember`, a 404), lets the domain check and act, writes the
`offers.offer.status_changed` events of its transitions to the outbox, and saves over the version it
read. Credit bank calls (HTTP, catalog-billing) happen before the change is saved: a refusal
changes nothing; a reservation taken by a call whose commit then fails is found again by the next
submission (the bank is idempotent on offer and credit type).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from offers.domain.model import CompanyBranding
from offers.domain.offer import (
    EXPIRING_SOON_DAYS,
    Actor,
    Offer,
    OfferActionRefused,
    OfferNotFound,
    OfferStatus,
    no_credit,
    stale,
)
from offers.service_layer import commands
from offers.service_layer.commands import Caller
from offers.service_layer.ports import (
    BankError,
    BankRefused,
    BankUnavailable,
    CreditBank,
    Dependencies,
    NoCredit,
    UnitOfWork,
)
from plumbing.auth.permissions import NotAMember
from plumbing.richtext import sanitize_html

log = logging.getLogger(__name__)


def record_company_branding(cmd: commands.RecordCompanyBranding, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Keep the newest branding of the group (by company-portal's `version`); True when it changed."""
    newer = CompanyBranding(
        cmd.group_id, cmd.company_id, cmd.group_name, cmd.company_name, cmd.logo_url, cmd.changed_at,
        sanitize_html(cmd.description_html), cmd.website, cmd.version,
    )
    current = uow.brandings.get(cmd.group_id)
    if current is None:
        uow.brandings.add(newer)
        changed = True
    else:
        changed = current.update(newer, snapshot=cmd.snapshot)
    if changed:
        uow.search.reindex_company(cmd.group_id)  # the company name and logo the hits show
    return changed


# Offers: helpers -------------------------------------------------------------------------------
def instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def actor_for(uow: UnitOfWork, caller: Caller, group_id: str) -> Actor:
    """Staff act everywhere; anyone else must be a member of the group (NotAMember: 404)."""
    if caller.is_staff:
        return Actor.staff(caller.account_id)
    role = uow.memberships.role_of(caller.account_id, group_id)
    if role is None:
        raise NotAMember(group_id)
    return Actor(caller.account_id, caller.kind, role)


def _load(uow: UnitOfWork, offer_id: str, caller: Caller, expected_version: int | None = None) -> tuple[Offer, Actor]:
    offer = uow.offers.get(offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    actor = actor_for(uow, caller, offer.group_id)
    if expected_version is not None and expected_version != offer.version:
        raise stale()
    return offer, actor


def status_changed_payload(offer: Offer, event: Any, now: datetime) -> dict[str, Any]:
    return {
        "offer_id": offer.id,
        "group_id": offer.group_id,
        "profile": offer.profile,
        "title_fr": (offer.content.title_fr or "")[:150],
        "from_status": event.from_status,
        "to_status": event.to_status,
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_kind": event.actor_kind,
        "reason": event.reason,
        "submitted_at": instant(offer.submitted_at),
        "submitted_by": offer.submitted_by,
        "online": offer.is_online(now),
        "publication_ends_at": instant(offer.publication_ends_at),
        "created_by": offer.created_by,
    }


def _store(uow: UnitOfWork, offer: Offer, now: datetime, *, new: bool = False) -> Offer:
    """Emit the status changes recorded since the offer was read, then write it."""
    for event in offer.new_events():
        if event.is_transition:
            uow.emit("offers.offer.status_changed", status_changed_payload(offer, event, now))
    if new:
        uow.offers.add(offer)
    else:
        uow.offers.save(offer)
    return offer


def _bank(deps: Dependencies) -> CreditBank:
    if deps.bank is None:
        raise OfferActionRefused(
            "unavailable", "La banque de crédits n'est pas disponible.", "The credit bank is not available."
        )
    return deps.bank


def _bank_failure(exc: BankError) -> OfferActionRefused:
    if isinstance(exc, NoCredit):
        return no_credit(exc.credit_type)
    if isinstance(exc, BankUnavailable):
        return OfferActionRefused(
            "unavailable",
            "La banque de crédits ne répond pas ; réessayez dans un moment. Rien n'a été changé.",
            "The credit bank is not answering; try again in a moment. Nothing was changed.",
        )
    detail = exc.detail if isinstance(exc, BankRefused) else str(exc)
    return OfferActionRefused(
        "no_credit",
        f"La banque de crédits a refusé l'opération ({detail or 'refus'}). Rien n'a été changé.",
        f"The credit bank refused the operation ({detail or 'refused'}). Nothing was changed.",
    )


def _reserve_all(bank: CreditBank, offer: Offer, types: list[str], token: str) -> None:
    """Reserve each type; when one fails, give back those this call took, then refuse."""
    taken: list[str] = []
    try:
        for credit_type in types:
            if bank.reserve(offer.id, credit_type, offer.group_id, token=token):
                taken.append(credit_type)
    except BankError as exc:
        for credit_type in taken:
            try:
                bank.release(offer.id, credit_type, token=token)
            except BankError:
                log.warning("could not give back the %s credit of offer %s", credit_type, offer.id)
        raise _bank_failure(exc) from None


# Offers: employer actions ----------------------------------------------------------------------
def create_draft(cmd: commands.CreateDraft, uow: UnitOfWork, deps: Dependencies) -> Offer:
    actor = actor_for(uow, cmd.caller, cmd.group_id)
    now = deps.clock.now()
    offer = Offer.create(cmd.group_id, cmd.profile, actor, now, content=cmd.content, config=cmd.config)
    return _store(uow, offer, now, new=True)


def save_draft(cmd: commands.SaveDraft, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.save(actor, now, cmd.content, cmd.config)
    return _store(uow, offer, now)


def submit_offer(cmd: commands.SubmitOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.check_submittable(actor, now, deps.holidays)
    needed = offer.credits_needed()
    if needed:
        bank = _bank(deps)
        _reserve_all(bank, offer, needed, cmd.caller.token)
        # A draft featured before and not any more: its vedette credit goes back to the bank.
        if "vedette" in offer.credit_types_reserved and "vedette" not in needed:
            try:
                bank.release(offer.id, "vedette", token=cmd.caller.token)
            except BankError as exc:
                raise _bank_failure(exc) from None
            offer.credit_types_reserved = tuple(t for t in offer.credit_types_reserved if t != "vedette")
    offer.submit(actor, now, deps.holidays, tuple(needed))
    return _store(uow, offer, now)


def modify_offer(cmd: commands.ModifyOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.modify(actor, now, cmd.content)
    return _store(uow, offer, now)


def cancel_offer(cmd: commands.CancelOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.cancel(actor, now)
    return _store(uow, offer, now)


def end_publication(cmd: commands.EndPublication, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.end_publication(actor, now)
    return _store(uow, offer, now)


def _spend(deps: Dependencies, offer: Offer, credit_type: str, token: str) -> None:
    bank = _bank(deps)
    _reserve_all(bank, offer, [credit_type], token)
    try:
        bank.consume(offer.id, credit_type, token=token)
    except BankError as exc:
        raise _bank_failure(exc) from None


def extend_offer(cmd: commands.ExtendOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.check_extend(actor)
    _spend(deps, offer, "extension", cmd.caller.token)
    offer.extend(actor, now)
    return _store(uow, offer, now)


def feature_offer(cmd: commands.FeatureOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.check_feature(actor)
    _spend(deps, offer, "vedette", cmd.caller.token)
    offer.feature(actor, now)
    return _store(uow, offer, now)


def duplicate_offer(cmd: commands.DuplicateOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller)
    now = deps.clock.now()
    return _store(uow, offer.duplicate(actor, now), now, new=True)


def archive_offer(cmd: commands.ArchiveOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.archive(actor, now)
    return _store(uow, offer, now)


# Offers: staff actions -------------------------------------------------------------------------
def approve_offer(cmd: commands.ApproveOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.check_approve(actor, cmd.changes, now)
    if not offer.ever_published and offer.credit_types_reserved:
        bank = _bank(deps)
        for credit_type in offer.credit_types_reserved:
            try:
                bank.consume(offer.id, credit_type, token=cmd.caller.token)
            except BankError as exc:
                raise _bank_failure(exc) from None
    offer.approve(actor, now, cmd.changes)
    return _store(uow, offer, now)


def return_offer(cmd: commands.ReturnOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.return_for_revision(actor, now, cmd.comment)
    return _store(uow, offer, now)


def withdraw_offer(cmd: commands.WithdrawOffer, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.withdraw(actor, now, cmd.reason)
    return _store(uow, offer, now)


def move_application_deadline(cmd: commands.MoveApplicationDeadline, uow: UnitOfWork, deps: Dependencies) -> Offer:
    offer, actor = _load(uow, cmd.offer_id, cmd.caller, cmd.expected_version)
    now = deps.clock.now()
    offer.move_application_deadline(actor, now, cmd.date)
    return _store(uow, offer, now)


# Offers: the scheduler's ticks ---------------------------------------------------------------------
# Each selects what is due on or before now and not yet done, so a late tick catches up and a
# second run finds nothing: the status itself records publication and expiry, `offer_notices`
# the notices.
def publish_due(cmd: commands.PublishDue, uow: UnitOfWork, deps: Dependencies) -> int:
    now = deps.clock.now()
    done = 0
    for offer_id in uow.offers.due_to_publish(now):
        offer = uow.offers.get(offer_id)
        if offer is not None and offer.publish_due(now):
            _store(uow, offer, now)
            done += 1
    return done


def expire_due(cmd: commands.ExpireDue, uow: UnitOfWork, deps: Dependencies) -> int:
    now = deps.clock.now()
    done = 0
    for offer_id in uow.offers.due_to_expire(now):
        offer = uow.offers.get(offer_id)
        if offer is not None and offer.expire_due(now):
            _store(uow, offer, now)
            done += 1
    return done


def notify_due(cmd: commands.NotifyDue, uow: UnitOfWork, deps: Dependencies) -> int:
    """`expiring_soon` for offers ending within 10 days, `featuring_ended` for featured periods
    that ended: once per offer and date (a featured period cut short by an ending offer counts)."""
    now = deps.clock.now()
    sent = 0
    for offer in uow.offers.expiring_between(now, now + timedelta(days=EXPIRING_SOON_DAYS)):
        assert offer.publication_ends_at is not None
        key = instant(offer.publication_ends_at) or ""
        if offer.status == OfferStatus.PUBLISHED and uow.offers.claim_notice(offer.id, "expiring_soon", key, now):
            uow.emit(
                "offers.offer.expiring_soon",
                {
                    "offer_id": offer.id,
                    "group_id": offer.group_id,
                    "profile": offer.profile,
                    "title_fr": offer.content.title_fr[:150],
                    "created_by": offer.created_by,
                    "publication_ends_at": key,
                },
            )
            sent += 1
    for offer in uow.offers.featuring_ended(now):
        assert offer.featured_until is not None
        ended = min(offer.featured_until, offer.ended_at or offer.featured_until)
        key = instant(offer.featured_until) or ""
        # A scheduled offer withdrawn or ended before its publication was never featured: the
        # notice is recorded (so it is not selected again) but nothing is said.
        was_featured = offer.published_at is not None and ended > offer.published_at
        if uow.offers.claim_notice(offer.id, "featuring_ended", key, now) and was_featured:
            uow.emit(
                "offers.offer.featuring_ended",
                {
                    "offer_id": offer.id,
                    "group_id": offer.group_id,
                    "profile": offer.profile,
                    "title_fr": offer.content.title_fr[:150],
                    "created_by": offer.created_by,
                    "featured_until": instant(ended),
                },
            )
            sent += 1
    return sent


#: Command type → its one handler.
COMMAND_HANDLERS: dict[type, Callable[[Any, UnitOfWork, Dependencies], Any]] = {
    commands.RecordCompanyBranding: record_company_branding,
    commands.CreateDraft: create_draft,
    commands.SaveDraft: save_draft,
    commands.SubmitOffer: submit_offer,
    commands.ModifyOffer: modify_offer,
    commands.CancelOffer: cancel_offer,
    commands.ApproveOffer: approve_offer,
    commands.ReturnOffer: return_offer,
    commands.WithdrawOffer: withdraw_offer,
    commands.EndPublication: end_publication,
    commands.ExtendOffer: extend_offer,
    commands.FeatureOffer: feature_offer,
    commands.DuplicateOffer: duplicate_offer,
    commands.ArchiveOffer: archive_offer,
    commands.MoveApplicationDeadline: move_application_deadline,
    commands.PublishDue: publish_due,
    commands.ExpireDue: expire_due,
    commands.NotifyDue: notify_due,
}
