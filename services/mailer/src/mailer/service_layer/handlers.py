"""Handlers: events in → emails queued (here); SendDueEmails → emails delivered (sender.py).

Event handlers receive (envelope, uow) from the EventConsumer, which commits their effect with
the inbox record: they never commit. Their other dependencies are bound by bootstrap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

from mailer.domain.model import Email, Rendered, dedup_key
from mailer.service_layer import commands, sender
from mailer.service_layer.inbound import AccountRegistered, AccountVerified, PasswordResetRequested
from mailer.service_layer.unit_of_work import MailerUnitOfWork
from plumbing.clock import Clock
from plumbing.events.envelope import Envelope

log = logging.getLogger(__name__)


class Templates(Protocol):
    def render(self, name: str, context: dict[str, Any]) -> Rendered: ...


def _queue(uow: MailerUnitOfWork, envelope: Envelope, template: str, recipient: str,
           render: Callable[[], Rendered], clock: Clock) -> None:
    if uow.emails.get_by_dedup_key(dedup_key(envelope.id, template)) is not None:
        log.info("email %s for event %s already queued", template, envelope.id)
        return
    email = Email.queue(event_id=envelope.id, template=template, recipient=recipient, rendered=render(),
                        now=clock.now())
    uow.emails.add(email)
    log.info("queued %s email %s for event %s", template, email.id, envelope.id)


def _link(public_url: str, path: str, token: str) -> str:
    return f"{public_url}{path}?token={quote(token, safe='')}"


def queue_verification_email(envelope: Envelope, uow: MailerUnitOfWork, *, templates: Templates,
                             public_url: str, clock: Clock) -> None:
    event = AccountRegistered.read(envelope.data)
    context = {
        "first_name": event.first_name,
        "link": _link(public_url, "/compte/verifier", event.token),
        "expires_at": event.expires_at,
    }
    _queue(uow, envelope, "verification", event.email, lambda: templates.render("verification", context), clock)


def queue_password_reset_email(envelope: Envelope, uow: MailerUnitOfWork, *, templates: Templates,
                               public_url: str, clock: Clock) -> None:
    event = PasswordResetRequested.read(envelope.data)
    context = {"link": _link(public_url, "/compte/reinitialiser", event.token), "expires_at": event.expires_at}
    _queue(uow, envelope, "password_reset", event.email, lambda: templates.render("password_reset", context), clock)


WELCOME_PATHS = {"employer": "/entreprises/", "staff": "/moderation/"}


def queue_welcome_email(envelope: Envelope, uow: MailerUnitOfWork, *, templates: Templates,
                        public_url: str, clock: Clock) -> None:
    event = AccountVerified.read(envelope.data)
    context = {"kind": event.kind, "link": public_url + WELCOME_PATHS.get(event.kind, "/")}
    _queue(uow, envelope, "welcome", event.email, lambda: templates.render("welcome", context), clock)


# Commands → handlers (events → handlers: entrypoints/consumer.py) -----------------------

COMMAND_HANDLERS: dict[type, Callable[..., Any]] = {
    commands.SendDueEmails: sender.send_due_emails,
}
