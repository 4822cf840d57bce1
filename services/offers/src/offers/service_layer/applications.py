"""Applying by email: `SubmitApplication` → `offers.application.submitted` through the outbox
(docs/jobsite-design.md, "Applying by email"). The mailer sends the application to the offer's
address with the CV attached and confirms to the candidate; offers keeps nothing of it but the
outbox row, whose CV the relay blanks once published (bootstrap's `SCRUB_TYPES`)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from offers.domain.application import Application, ApplicationsClosed, check_takes_applications
from offers.domain.offer import Offer, OfferNotFound
from offers.service_layer import commands
from offers.service_layer.ports import Dependencies, UnitOfWork

APPLICATION_SUBMITTED = "offers.application.submitted"
#: What offers' relay blanks in its outbox once the event is published: the CV.
SCRUB_TYPES = {APPLICATION_SUBMITTED: ("data.cv.content_base64",)}


def application_offer(uow: UnitOfWork, offer_id: str, *, now: datetime, closed_ok: bool = False) -> Offer:
    """The offer the form applies to (a view): `OfferNotFound` when it has no form, else
    `ApplicationsClosed` after its deadline unless `closed_ok` (the confirmation page)."""
    offer = uow.offers.get(offer_id)
    if offer is None:
        raise OfferNotFound(offer_id)
    try:
        check_takes_applications(offer, now)
    except ApplicationsClosed:
        if not closed_ok:
            raise
    return offer


def submit_application(cmd: commands.SubmitApplication, uow: UnitOfWork, deps: Dependencies) -> str:
    """Check the offer takes applications now and the application's fields, then emit the event;
    returns the application's id. `OfferNotFound` (no form for this offer), `ApplicationsClosed`
    (its deadline passed), `OfferActionRefused("invalid")` with a message per field."""
    now = deps.clock.now()
    offer = uow.offers.get(cmd.offer_id)
    if offer is None:
        raise OfferNotFound(cmd.offer_id)
    check_takes_applications(offer, now)
    application = Application.check(
        name=cmd.name,
        email=cmd.email,
        phone=cmd.phone,
        message=cmd.message,
        consent=cmd.consent,
        cv_filename=cmd.cv_filename,
        cv_data=cmd.cv_data,
    )
    assert offer.live_content is not None  # check_takes_applications: online
    branding = uow.brandings.get(offer.group_id)
    application_id = str(uuid.uuid4())
    uow.emit(
        APPLICATION_SUBMITTED,
        {
            "application_id": application_id,
            "offer_id": offer.id,
            "offer_title": (
                offer.live_content.title_en if cmd.locale == "en" and offer.live_content.title_en
                else offer.live_content.title_fr
            )[:150] or offer.id,
            "offer_url": cmd.offer_url,
            "company_name": (branding.company_name if branding is not None else "")[:200],
            "to": offer.config.apply_to,
            "candidate": {"name": application.name, "email": application.email, "phone": application.phone},
            "message": application.message,
            "locale": "en" if cmd.locale == "en" else "fr",
            "cv": {
                "filename": application.cv.filename,
                "content_type": application.cv.content_type,
                "size": application.cv.size,
                "content_base64": base64.b64encode(application.cv.data).decode("ascii"),
            },
        },
    )
    return application_id


APPLICATION_COMMAND_HANDLERS: dict[type, Callable[[Any, UnitOfWork, Dependencies], Any]] = {
    commands.SubmitApplication: submit_application,
}
