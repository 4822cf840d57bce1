"""Issue 11, done means 1 (applying by email) and 5, through the gateway of the distributed suite:
an employer's offer that takes applications by email is approved; a visitor applies with a PDF CV;
the employer's address receives the application at the SMTP sink with the PDF attached and
Reply-To the candidate, the candidate gets a confirmation, and offers' outbox keeps no CV. Hostile
uploads are refused with their messages: an .exe renamed .pdf and a 6 MB CV by offers (the
gateway lets the body through), a 50 MB body by the gateway with its 413 page."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from offers_support import (
    LABELS,
    OffersClock,
    decide,
    details_values,
    employer_group,
    fill_and_post,
    page_form,
    save_details,
    send,
    start_offer,
    wait_status,
)
from portal_support import Registry, follow, html_text, plain_text, text_of
from sqlalchemy import create_engine, text

from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, unique_email, wait_for_email

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MESSAGE = "Bonjour,\nJe suis ingénieure civile <script>alert('x')</script> et ce poste m'intéresse."
HTML = {"Accept": "text/html"}


@pytest.fixture()
def offer_by_email(
    suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry, offers_clock: OffersClock
) -> tuple[str, str]:
    """(offer id, address): an offer « En cours » whose applications go by email to a new address."""
    inbox = unique_email("recrutement")
    principal, _ = employer_group(suite, mail_dir, staff_browser, registry.take(), "Mélanie", "Gagnon",
                                  credits={"ing": 1})
    b = principal.browser
    offer_id, details = start_offer(b, "ing")
    title = "Ingénieur·e civil·e – ouvrages d'art"
    values = details_values(details, title, offers_clock.today() + timedelta(days=60))
    configuration = save_details(b, offer_id, details, values)
    saved = fill_and_post(
        b, configuration, f"/employeur/offres/{offer_id}/configuration",
        {"posting": "immediate", "apply_method": "email", "apply_to": inbox}, submit=("next", "preview"),
    )
    follow(b, saved, f"/employeur/offres/{offer_id}/apercu")
    follow(b, send(b, offer_id), "/employeur/offres")
    decide(staff_browser, offer_id, "approuver")
    wait_status(b, offer_id, LABELS["published"], timeout=20)
    return offer_id, inbox


def apply(browser: Browser, offer_id: str, candidate: str, cv: tuple[str, bytes, str]) -> httpx.Response:
    """The form as a person fills it (its CSRF field kept), the CV chosen, consent ticked."""
    page = browser.get(f"/emplois/{offer_id}/candidature", headers=HTML)
    assert page.status_code == 200, text_of(page.text)[:800]
    form = page_form(page.text, f"/emplois/{offer_id}/candidature")
    values = {**form["values"], "name": "Camille Bouchard", "email": candidate, "phone": "514 555-0199",
              "message": MESSAGE, "consent": "oui"}
    return browser.post(form["action"], data=values, files={"cv": cv}, headers=HTML)


def outbox_events(suite: DistributedSuite, offer_id: str, *, published: bool = False) -> list[dict[str, Any]]:
    """The offer's application events in offers' outbox (the published ones only if asked)."""
    engine = create_engine(suite.infra.database_urls["offers"])
    try:
        with engine.connect() as db:
            bodies = db.execute(
                text("SELECT body FROM outbox WHERE event_type = 'offers.application.submitted' AND body LIKE :offer"
                     + (" AND published_at IS NOT NULL" if published else "")),
                {"offer": f"%{offer_id}%"},
            ).scalars().all()
    finally:
        engine.dispose()
    return [json.loads(body) for body in bodies]


def attachments(message: EmailMessage) -> list[EmailMessage]:
    return list(message.iter_attachments())  # type: ignore[arg-type]


def test_an_application_by_email_reaches_the_employer_with_its_cv(
    suite: DistributedSuite, mail_dir: Path, offer_by_email: tuple[str, str], browser: Browser
) -> None:
    offer_id, inbox = offer_by_email
    candidate = f"camille.{uuid.uuid4().hex[:8]}@exemple-e2e.ca"

    sent = apply(browser, offer_id, candidate, ("CV Camille.pdf", PDF, "application/pdf"))
    assert sent.status_code == 303, text_of(sent.text)[:1500]
    confirmation_page = follow(browser, sent, f"/emplois/{offer_id}/candidature/envoyee")
    assert "Votre candidature est envoyée" in text_of(confirmation_page.text)

    # The employer's address: the application, Reply-To the candidate, the PDF attached.
    to_employer = wait_for_email(mail_dir, inbox, timeout=45)
    assert str(to_employer["Reply-To"]) == candidate
    [cv] = attachments(to_employer)
    assert cv.get_filename() == "CV Camille.pdf" and cv.get_content_type() == "application/pdf"
    assert cv.get_content() == PDF
    body = plain_text(to_employer)
    assert "Camille Bouchard" in body and candidate in body and "514 555-0199" in body
    assert "> Je suis ingénieure civile <script>alert('x')</script> et ce poste m'intéresse." in body
    assert "<script>" not in html_text(to_employer) and "&lt;script&gt;" in html_text(to_employer)

    # The candidate's confirmation, without the CV.
    confirmation = wait_for_email(mail_dir, candidate, timeout=45)
    assert "Votre candidature est envoyée" in str(confirmation["Subject"])
    assert attachments(confirmation) == []

    # offers keeps nothing of the CV once its event is out (the relay blanks it).
    def stored_cv() -> list[str]:
        return [body["data"]["cv"]["content_base64"] for body in outbox_events(suite, offer_id, published=True)]

    wait_until(lambda: stored_cv() == [""], timeout=20, interval=0.3, message="the CV stays in offers' outbox")


def test_hostile_applications_are_refused_with_clear_messages(
    suite: DistributedSuite, offer_by_email: tuple[str, str], browser: Browser
) -> None:
    offer_id, _ = offer_by_email
    candidate = f"camille.{uuid.uuid4().hex[:8]}@exemple-e2e.ca"

    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 512 + b"This program cannot be run in DOS mode."
    refused = apply(browser, offer_id, candidate, ("cv.pdf", exe, "application/pdf"))
    assert refused.status_code == 422
    assert "n'est pas celui d'un PDF" in text_of(refused.text)

    # 6 MB: under the gateway's 12 MiB body limit, so offers reads it and answers beside the field.
    six_mb = PDF + b"0" * (6 * 1024 * 1024)
    refused = apply(browser, offer_id, candidate, ("cv.pdf", six_mb, "application/pdf"))
    assert refused.status_code == 422, text_of(refused.text)[:800]
    assert "dépasse 5 Mo" in text_of(refused.text)

    # 50 MB: the gateway refuses it from its Content-Length with its 413 page.
    page = browser.get(f"/emplois/{offer_id}/candidature", headers=HTML)
    form = page_form(page.text, f"/emplois/{offer_id}/candidature")
    huge = browser.post(
        form["action"], data={**form["values"], "consent": "oui"},
        files={"cv": ("cv.pdf", PDF + b"0" * (50 * 1024 * 1024), "application/pdf")}, headers=HTML,
    )
    assert huge.status_code == 413
    assert "Envoi trop volumineux" in text_of(huge.text) and "text/html" in huge.headers["content-type"]

    # Nothing was sent: no application event for this offer in offers' outbox.
    assert outbox_events(suite, offer_id) == []
