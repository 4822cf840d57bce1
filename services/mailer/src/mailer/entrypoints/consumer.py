"""The mailer's queue: which events it consumes and the handlers that turn them into emails."""

from __future__ import annotations

from mailer.service_layer import applications, handlers, members
from plumbing.messagebus import Handler

CONSUMER_NAME = "mailer"

#: Inbound event type → handlers `(envelope, uow, deps)`; bootstrap gives it to the EventConsumer.
HANDLERS: dict[str, list[Handler]] = {
    "identity.account.registered": [handlers.remember_account, handlers.queue_verification_email],
    "identity.account.verification_requested": [handlers.remember_account, handlers.queue_verification_email],
    "identity.password.reset_requested": [handlers.queue_password_reset_email],
    "identity.account.verified": [handlers.remember_account, handlers.queue_welcome_email],
    "portal.request.submitted": [handlers.queue_request_emails],
    "portal.request.approved": [handlers.queue_request_approved_email],
    "portal.request.refused": [handlers.queue_request_refused_email],
    "portal.group.opened": [handlers.queue_group_opened_emails],
    "portal.membership.granted": [handlers.remember_member],
    "portal.membership.role_changed": [handlers.remember_member],
    "portal.membership.snapshot": [handlers.remember_member],
    "billing.invoice.issued": [handlers.queue_invoice_copy_emails],
    "offers.offer.status_changed": [handlers.queue_offer_returned_email],
    "offers.application.submitted": [applications.queue_application_emails],
}

#: Job seekers: the display names of the companies members follow (service_layer/members.py).
#: A membership event names a company that never changed its branding (a placeholder the branding replaces).
HANDLERS.update({
    "portal.branding.changed": [members.remember_company],
    "portal.branding.snapshot": [members.remember_company],
    **{event_type: [*HANDLERS[event_type], members.name_unknown_company]
       for event_type in ("portal.membership.granted", "portal.membership.role_changed", "portal.membership.snapshot")},
})
