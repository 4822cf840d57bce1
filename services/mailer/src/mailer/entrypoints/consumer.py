"""The mailer's queue: which events it consumes and the handlers that turn them into emails."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mailer.service_layer import handlers
from mailer.service_layer.messagebus import inject
from mailer.service_layer.unit_of_work import MailerUnitOfWork
from plumbing.events.consumer import EventConsumer
from plumbing.events.schemas import EventSchemas

CONSUMER_NAME = "mailer"

HANDLERS: dict[str, list[Callable[..., None]]] = {
    "identity.account.registered": [handlers.queue_verification_email],
    "identity.account.verification_requested": [handlers.queue_verification_email],
    "identity.password.reset_requested": [handlers.queue_password_reset_email],
    "identity.account.verified": [handlers.queue_welcome_email],
    "portal.request.submitted": [handlers.queue_request_emails],
    "portal.request.approved": [handlers.queue_request_approved_email],
    "portal.request.refused": [handlers.queue_request_refused_email],
    "portal.group.opened": [handlers.queue_group_opened_emails],
}


def build_consumer(uow_factory: Callable[[], MailerUnitOfWork], schemas: EventSchemas,
                   dependencies: Mapping[str, Any]) -> EventConsumer:
    """The consumer with each handler's dependencies (templates, public URL, clock) bound."""
    bound = {event_type: [inject(h, dependencies) for h in hs] for event_type, hs in HANDLERS.items()}
    return EventConsumer(CONSUMER_NAME, uow_factory, bound, schemas)
