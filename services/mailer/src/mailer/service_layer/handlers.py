"""Handlers: events in → emails queued (here); SendDueEmails → emails delivered (sender.py).

Every handler is `handler(message, uow, deps)` (plumbing.messagebus). Event handlers run in the
EventConsumer's unit of work, which commits their effect with the inbox record: they never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from mailer.domain.model import Email, KnownAccount, Rendered, dedup_key
from mailer.service_layer import commands, sender
from mailer.service_layer.inbound import (
    AccountIdentified,
    AccountRegistered,
    AccountVerified,
    GroupOpened,
    InvoiceIssued,
    MemberContact,
    OfferStatusChanged,
    PasswordResetRequested,
    RequestApproved,
    RequestRefused,
    RequestSubmitted,
)
from mailer.service_layer.ports import Dependencies, UnitOfWork
from plumbing.clock import Clock
from plumbing.events.envelope import Envelope

log = logging.getLogger(__name__)


def _queue(uow: UnitOfWork, envelope: Envelope, template: str, recipient: str,
           render: Callable[[], Rendered], clock: Clock, *, per_recipient: bool = False,
           reply_to: str | None = None) -> Email | None:
    """Queue one email unless this event already did (per address when it mails several people);
    the email queued now, None when it already was."""
    key = dedup_key(envelope.id, template, recipient if per_recipient else None)
    if uow.emails.get_by_dedup_key(key) is not None:
        log.info("email %s for event %s already queued", template, envelope.id)
        return None
    email = Email.queue(event_id=envelope.id, template=template, recipient=recipient, rendered=render(),
                        now=clock.now(), per_recipient=per_recipient, reply_to=reply_to)
    uow.emails.add(email)
    log.info("queued %s email %s for event %s", template, email.id, envelope.id)
    return email


def _link(public_url: str, path: str, token: str) -> str:
    return f"{public_url}{path}?token={quote(token, safe='')}"


def queue_verification_email(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """A sign-up or a new link asked for: the same email (one per event; the newest link is the one that works)."""
    event = AccountRegistered.read(envelope.data)
    context = {
        "first_name": event.first_name,
        "link": _link(deps.public_url, "/compte/verifier", event.token),
        "expires_at": event.expires_at,
    }
    _queue(uow, envelope, "verification", event.email, lambda: deps.templates.render("verification", context),
           deps.clock)


def queue_password_reset_email(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    event = PasswordResetRequested.read(envelope.data)
    context = {"link": _link(deps.public_url, "/compte/reinitialiser", event.token), "expires_at": event.expires_at}
    _queue(uow, envelope, "password_reset", event.email,
           lambda: deps.templates.render("password_reset", context), deps.clock)


WELCOME_PATHS = {"employer": "/entreprises/", "staff": "/moderation/", "member": "/membre/"}


def queue_welcome_email(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    event = AccountVerified.read(envelope.data)
    context = {"kind": event.kind, "link": deps.public_url + WELCOME_PATHS.get(event.kind, "/")}
    _queue(uow, envelope, "welcome", event.email, lambda: deps.templates.render("welcome", context), deps.clock)


# Company portal: account requests --------------------------------------------------------

MY_REQUESTS_PATH = "/entreprises/mes-demandes"
GROUP_REQUESTS_PATH = "/entreprises/demandes"
MY_COMPANY_PATH = "/entreprises/mon-entreprise"


def _decider(kind: str, decided_by: str | None = None) -> str:
    """Who decides: `principal` (the group's Responsable principal·e) or `staff` (l'Ordre)."""
    return decided_by or ("principal" if kind == "join_group" else "staff")


ROLE_LABELS = {  # (French, English)
    "principal": ("Responsable principal·e", "Primary administrator"),
    "affichage": ("Responsable de l’affichage", "Job posting manager"),
    "finances": ("Responsable des finances", "Finance manager"),
}


def queue_request_emails(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """The requester's "en attente d'approbation"; for `join_group`, a notice to each principal."""
    event = RequestSubmitted.read(envelope.data)
    request = {"kind": event.kind, "company_name": event.company_name, "group_name": event.group_name}
    pending = {**request, "first_name": event.requester_first_name, "decider": _decider(event.kind),
               "link": deps.public_url + MY_REQUESTS_PATH}
    _queue(uow, envelope, "request_pending", event.requester_email,
           lambda: deps.templates.render("request_pending", pending), deps.clock)
    if event.kind != "join_group":
        return
    if not event.principal_emails:
        log.warning("join request in event %s: the group has no principal to notify", envelope.id)
        return
    notice = {**request, "requester_name": event.requester_name, "requester_email": event.requester_email,
              "link": deps.public_url + GROUP_REQUESTS_PATH}
    rendered = deps.templates.render("join_request_notice", notice)  # the same email for every principal
    for principal in event.principal_emails:
        _queue(uow, envelope, "join_request_notice", principal, lambda: rendered, deps.clock, per_recipient=True)


def queue_request_approved_email(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    event = RequestApproved.read(envelope.data)
    role_fr, role_en = ROLE_LABELS.get(event.role or "", (None, None))
    # A creation is told with the name the requester typed; the company may be registered under another.
    requested = (event.requested_company_name or event.company_name) if event.kind == "company_creation" \
        else event.company_name
    context = {
        "kind": event.kind, "company_name": event.company_name, "group_name": event.group_name,
        "requested_name": requested, "renamed": bool(requested and event.company_name
                                                     and requested != event.company_name),
        "decider": _decider(event.kind, event.decided_by), "role_fr": role_fr, "role_en": role_en,
        "link": deps.public_url + MY_COMPANY_PATH,
    }
    _queue(uow, envelope, "request_approved", event.requester_email,
           lambda: deps.templates.render("request_approved", context), deps.clock)


def queue_request_refused_email(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    event = RequestRefused.read(envelope.data)
    context = {  # group_name is optional in the contract: "un groupe de l’entreprise …"
        "kind": event.kind, "company_name": event.company_name, "group_name": None,
        "decider": _decider(event.kind, event.decided_by), "reason": event.reason, "contact_email": deps.contact_email,
        "link": deps.public_url + MY_REQUESTS_PATH,
    }
    _queue(uow, envelope, "request_refused", event.requester_email,
           lambda: deps.templates.render("request_refused", context), deps.clock)


def queue_group_opened_emails(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """OIQ opened a new group in a company: each principal of its other groups learns who leads it."""
    event = GroupOpened.read(envelope.data)
    if not event.principal_emails:
        log.info("group opened in event %s: the company has no other principal to tell", envelope.id)
        return
    context = {"company_name": event.company_name, "group_name": event.group_name,
               "leader_name": event.leader_name, "leader_email": event.leader_email,
               "leader_function": event.leader_function, "contact_email": deps.contact_email,
               "link": deps.public_url + MY_COMPANY_PATH}
    rendered = deps.templates.render("group_opened_notice", context)  # the same email for every principal
    for principal in event.principal_emails:
        _queue(uow, envelope, "group_opened_notice", principal, lambda: rendered, deps.clock, per_recipient=True)


# catalog-billing: invoice copies (issue 8) --------------------------------------------------


def queue_invoice_copy_emails(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """An invoice was issued: each address of copy_to (principals who opted in) gets a copy, in the
    event's language, with the totals and a link to the invoice's page (no attachment: the page
    asks the reader to sign in, so the invoice stays behind the group's permissions)."""
    event = InvoiceIssued.read(envelope.data)
    copies = [a for a in event.copy_to if not event.buyer_email or a.lower() != event.buyer_email.lower()]
    if not copies:
        log.info("invoice %s in event %s: nobody asked for a copy", event.number, envelope.id)
        return
    context = {"locale": event.locale, "number": event.number, "company_name": event.company_name,
               "group_name": event.group_name, "issued_at": event.issued_at, "status": event.status,
               "due_on": event.due_on, "subtotal": event.subtotal, "discount": event.discount, "gst": event.gst,
               "qst": event.qst, "total": event.total, "buyer_email": event.buyer_email, "link": event.url}
    rendered = deps.templates.render("invoice_copy", context)  # the same email for every address
    for address in copies:
        _queue(uow, envelope, "invoice_copy", address, lambda: rendered, deps.clock, per_recipient=True)


# Accounts by id (for events that name an account, not an address) -----------------------


def remember_account(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """identity told who an account is: keep its address and language for later emails."""
    event = AccountIdentified.read(envelope.data)
    uow.accounts.remember(KnownAccount(event.account_id, event.email, event.locale), deps.clock.now())


def remember_member(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """company-portal told a member's address (optional in its events): keep it the same way, so
    accounts the mailer never saw registering (created before it kept them, or seeded) are known."""
    event = MemberContact.read(envelope.data)
    if event.email is None:
        return
    known = uow.accounts.get(event.account_id)
    locale = event.locale or (known.locale if known is not None else None)
    uow.accounts.remember(KnownAccount(event.account_id, event.email, locale), deps.clock.now())


# offers: an offer returned for revision (issue 9) ------------------------------------------


def offer_details_path(offer_id: str) -> str:
    return f"/employeur/offres/{quote(offer_id, safe='')}/details"


def queue_offer_returned_email(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    """The staff returned an offer for revision: its creator gets the comment, the title and a
    link to the offer's details, in the account's language. Other transitions send nothing (yet).

    The event names the creator by account id; the address comes from the accounts identity told
    the mailer about. An account the mailer never heard of (created before it kept them) is logged
    and skipped: the employer still sees the offer "À réviser" with the comment on the site."""
    event = OfferStatusChanged.read(envelope.data)
    if event.to_status != "to_revise":
        return
    account = uow.accounts.get(event.created_by)
    if account is None:
        log.warning("offer %s returned for revision (event %s): creator %s has no known address",
                    event.offer_id, envelope.id, event.created_by)
        return
    context = {"locale": account.locale or "fr", "title": event.title_fr, "reason": event.reason,
               "contact_email": deps.contact_email, "link": deps.public_url + offer_details_path(event.offer_id)}
    _queue(uow, envelope, "offer_returned", account.email,
           lambda: deps.templates.render("offer_returned", context), deps.clock)


# Commands → handlers (events → handlers: entrypoints/consumer.py) -----------------------

COMMAND_HANDLERS: dict[type, Callable[[Any, UnitOfWork, Dependencies], Any]] = {
    commands.SendDueEmails: sender.send_due_emails,
}
