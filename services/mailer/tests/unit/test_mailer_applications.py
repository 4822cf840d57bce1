"""offers.application.submitted → the application to the employer (CV attached, Reply-To the
candidate) and a confirmation to the candidate (issue 11). The CV waits in `email_attachments`
until its email is sent or given up, then is deleted; the candidate's text is escaped in HTML."""

from __future__ import annotations

import base64
import email as email_module
import email.policy
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from mailer.adapters.mail import build_message
from mailer.adapters.orm import email_attachments
from mailer.domain.model import Attachment, EmailStatus
from mailer.service_layer.applications import ApplicationSubmitted, queue_application_emails
from mailer.service_layer.commands import SendDueEmails
from mailer.service_layer.ports import OutgoingEmail
from plumbing.events.envelope import Envelope, PoisonMessage

EMPLOYER = "rh@genivert.ca"
CANDIDATE = "camille.bouchard@exemple.ca"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MESSAGE = "Bonjour,\nJe postule <script>alert('x')</script> & <b>vite</b>.\n\nCamille"


def submitted(clock: Any, *, locale: str = "fr", **overrides: Any) -> Envelope:
    offer_id = str(uuid.uuid4())
    data: dict[str, Any] = {
        "application_id": str(uuid.uuid4()),
        "offer_id": offer_id,
        "offer_title": "Ingénieur·e en structures",
        "offer_url": f"https://emplois.example.org/emplois/{offer_id}",
        "company_name": "Génivert inc.",
        "to": EMPLOYER,
        "candidate": {"name": "Camille Bouchard", "email": CANDIDATE, "phone": "514 555-0199"},
        "message": MESSAGE,
        "locale": locale,
        "cv": {"filename": "CV Camille.pdf", "content_type": "application/pdf", "size": len(PDF),
               "content_base64": base64.b64encode(PDF).decode()},
    }
    data.update(overrides)
    return Envelope.new("offers.application.submitted", data, producer="offers", occurred_at=clock.now())


def consume(bundle: Any, envelope: Envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


def stored(bundle: Any) -> dict[str, Any]:
    with bundle.extras["uow_factory"]() as uow:
        found = {e.template: e for e in uow.emails.list()}
        uow.session.expunge_all()
        return found


def attachment_rows(bundle: Any) -> int:
    with bundle.runtime.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(email_attachments)).scalar_one())


def test_both_emails_are_queued_once_with_the_cv_kept_until_sent(bundle, clock):
    event = submitted(clock)
    bundle.runtime.schemas.validate(event)  # a valid event of the contract
    consume(bundle, event)
    consume(bundle, event)  # redelivered: nothing more
    emails = stored(bundle)
    assert set(emails) == {"application_to_employer", "application_confirmation"}
    employer, confirmation = emails["application_to_employer"], emails["application_confirmation"]
    assert employer.recipient == EMPLOYER and employer.reply_to == CANDIDATE
    assert employer.subject == "Candidature : Ingénieur·e en structures – Camille Bouchard · Application · ingemplois"
    text = employer.text_body
    assert "Camille Bouchard postule à votre offre « Ingénieur·e en structures » (Génivert inc.)" in text
    assert f"Courriel : {CANDIDATE}" in text and "Téléphone : 514 555-0199" in text
    assert "CV : CV Camille.pdf (1 Ko), en pièce jointe" in text
    assert "> Bonjour,\n> Je postule <script>alert('x')</script> & <b>vite</b>.\n>\n> Camille" in text
    assert "is applying to your job offer" in text  # French, then English
    assert "répondre à ce courriel lui écrit" in text and "merci de ne pas y répondre" not in text
    assert confirmation.recipient == CANDIDATE and confirmation.reply_to is None
    assert confirmation.subject == "Votre candidature est envoyée : Ingénieur·e en structures · ingemplois"
    assert "chez Génivert inc. est transmise à l’employeur" in confirmation.text_body
    assert "<script>" not in confirmation.text_body and "Je postule" not in confirmation.text_body
    assert "Hello" not in confirmation.text_body  # the candidate's language only
    assert attachment_rows(bundle) == 1


def test_the_html_part_escapes_everything_the_candidate_typed(bundle, clock):
    consume(bundle, submitted(clock, candidate={"name": "<img src=x onerror=alert(1)>", "email": CANDIDATE,
                                                 "phone": ""}, offer_title="<b>Titre</b>"))
    html = stored(bundle)["application_to_employer"].html_body
    assert "<script>" not in html and "<b>vite</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;vite&lt;/b&gt;." in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;Titre&lt;/b&gt;" in html
    assert "non indiqué" in html and "not given" in html
    confirmation = stored(bundle)["application_confirmation"].html_body
    assert "<img src=x" not in confirmation and "&lt;img src=x onerror=alert(1)&gt;" in confirmation


def test_the_cv_is_attached_when_sent_then_deleted(bundle, clock, mailer):
    consume(bundle, submitted(clock, locale="en"))
    report = bundle.extras["bus"].handle(SendDueEmails())
    assert report.sent == 2
    sent = {m.recipient: m for m in mailer.sent}
    to_employer, to_candidate = sent[EMPLOYER], sent[CANDIDATE]
    assert to_employer.reply_to == CANDIDATE
    assert to_employer.attachments == (Attachment("CV Camille.pdf", "application/pdf", PDF),)
    assert to_candidate.attachments == () and to_candidate.reply_to is None
    assert to_candidate.subject == "Your application is sent: Ingénieur·e en structures · ingemplois"
    assert attachment_rows(bundle) == 0  # not kept longer than needed to send it
    assert stored(bundle)["application_to_employer"].status == EmailStatus.SENT


def test_a_cv_whose_email_is_given_up_is_deleted_too(bundle, clock, mailer):
    consume(bundle, submitted(clock))
    mailer.fail_next(2, permanent=True)
    report = bundle.extras["bus"].handle(SendDueEmails())
    assert report.failed == 2
    assert attachment_rows(bundle) == 0
    assert stored(bundle)["application_to_employer"].status == EmailStatus.FAILED


def test_a_temporary_failure_keeps_the_cv_for_the_next_attempt(bundle, clock, mailer):
    consume(bundle, submitted(clock))
    mailer.fail_next(1)
    bundle.extras["bus"].handle(SendDueEmails())
    assert attachment_rows(bundle) == 1
    clock.advance(seconds=10)
    bundle.extras["bus"].handle(SendDueEmails())
    assert [m.attachments[0].data for m in mailer.sent if m.recipient == EMPLOYER] == [PDF]
    assert attachment_rows(bundle) == 0


def test_the_message_is_multipart_mixed_with_reply_to_and_the_cv():
    outgoing = OutgoingEmail(
        recipient=EMPLOYER, subject="Candidature", text="texte", html="<p>html</p>", message_id="<m1@ingemplois>",
        date=datetime(2026, 11, 2, tzinfo=UTC), reply_to=CANDIDATE,
        attachments=(Attachment("CV Camille é.pdf", "application/pdf", PDF),),
    )
    parsed = email_module.message_from_bytes(bytes(build_message(outgoing, "ingemplois <no-reply@x.ca>")),
                                             policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/mixed" and parsed["Reply-To"] == CANDIDATE
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().strip() == "texte"
    [attached] = list(parsed.iter_attachments())
    assert attached.get_filename() == "CV Camille é.pdf" and attached.get_content_type() == "application/pdf"
    assert attached.get_content() == PDF


@pytest.mark.parametrize(
    "change",
    [
        {"to": "rh@genivert.ca\r\nBcc: everyone@example.com"},
        {"candidate": {"name": "X", "email": "a@b.ca, c@d.ca", "phone": ""}},
        {"cv": {"filename": "a.pdf", "content_type": "application/pdf", "size": 3, "content_base64": "not base64!"}},
        {"cv": {"filename": "a.pdf", "content_type": "application/pdf", "size": 3, "content_base64": ""}},
        {"cv": {"filename": "a.exe", "content_type": "application/x-msdownload", "size": 3,
                "content_base64": "TVo="}},
    ],
)
def test_an_unreadable_application_is_poison(clock, change):
    with pytest.raises(PoisonMessage):
        ApplicationSubmitted.read({**submitted(clock).data, **change})
    with pytest.raises(PoisonMessage):
        queue_application_emails(submitted(clock, **change), None, None)  # type: ignore[arg-type]
