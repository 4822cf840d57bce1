"""Applications by email (issue 11): `offers.application.submitted` → two emails.

- `application_to_employer`: to the offer's address (`to`), Reply-To the candidate, the CV attached
  (kept in `email_attachments` until the email is sent or given up, then deleted); the
  candidate's details and message as text (the HTML part escapes everything); French, then English.
- `application_confirmation`: to the candidate, in the event's locale, without their message
  (the mailer never relays a stranger's text to an address it was only given).

One email of each per event (`_queue`'s dedup key); a redelivered event adds nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from mailer.domain.model import Attachment
from mailer.service_layer.handlers import _queue
from mailer.service_layer.ports import Dependencies, UnitOfWork
from plumbing.events.envelope import Envelope, PoisonMessage
from plumbing.richtext import one_line

_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")
CV_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _text(data: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = data.get(name)
    if not isinstance(value, str) or (required and not value.strip()):
        if required:
            raise PoisonMessage(f"missing {name}")
        return ""
    return value


def _address(data: dict[str, Any], name: str) -> str:
    value = _text(data, name).strip()
    if not _ADDRESS.match(value):
        raise PoisonMessage(f"{name} is not one email address")
    return value


def size_text(size: int, locale: str) -> str:
    """`245 Ko` / `245 KB`, `1,2 Mo` / `1.2 MB`."""
    unit_k, unit_m = ("KB", "MB") if locale == "en" else ("Ko", "Mo")
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} {unit_k}"
    text = f"{size / (1024 * 1024):.1f}"
    return f"{text if locale == 'en' else text.replace('.', ',')} {unit_m}"


@dataclass(frozen=True)
class ApplicationSubmitted:
    """offers.application.submitted, read tolerantly (only what the emails use)."""

    offer_title: str
    offer_url: str
    company_name: str
    to: str
    name: str
    email: str
    phone: str
    message: str
    locale: str
    cv: Attachment

    @classmethod
    def read(cls, data: dict[str, Any]) -> ApplicationSubmitted:
        candidate = data.get("candidate")
        cv = data.get("cv")
        if not isinstance(candidate, dict) or not isinstance(cv, dict):
            raise PoisonMessage("missing candidate or cv")
        content_type = _text(cv, "content_type")
        if content_type not in CV_TYPES:
            raise PoisonMessage(f"a CV of type {content_type!r}")
        try:
            content = base64.b64decode(_text(cv, "content_base64"), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PoisonMessage(f"the CV is not base64: {exc}") from exc
        return cls(
            offer_title=one_line(_text(data, "offer_title")),
            offer_url=_text(data, "offer_url", required=False),
            company_name=one_line(_text(data, "company_name", required=False)),
            to=_address(data, "to"),
            name=one_line(_text(candidate, "name")),
            email=_address(candidate, "email"),
            phone=one_line(_text(candidate, "phone", required=False)),
            message=_text(data, "message").replace("\r\n", "\n"),
            locale="en" if data.get("locale") == "en" else "fr",
            cv=Attachment(one_line(_text(cv, "filename")) or "cv", content_type, content),
        )


def queue_application_emails(envelope: Envelope, uow: UnitOfWork, deps: Dependencies) -> None:
    event = ApplicationSubmitted.read(envelope.data)
    context = {
        "offer_title": event.offer_title, "offer_url": event.offer_url, "company_name": event.company_name,
        "name": event.name, "email": event.email, "phone": event.phone, "message": event.message,
        "cv_filename": event.cv.filename,
    }
    employer = {**context, "cv_size_fr": size_text(len(event.cv.data), "fr"),
                "cv_size_en": size_text(len(event.cv.data), "en")}
    queued = _queue(uow, envelope, "application_to_employer", event.to,
                    lambda: deps.templates.render("application_to_employer", employer), deps.clock,
                    reply_to=event.email)
    if queued is not None:
        uow.attachments.add(queued.id, [event.cv])
    confirmation = {**context, "locale": event.locale}
    _queue(uow, envelope, "application_confirmation", event.email,
           lambda: deps.templates.render("application_confirmation", confirmation), deps.clock)
