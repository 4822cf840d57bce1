"""Events in → email rows: content, links, escaping, exactly one email per event."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from mailer.domain.model import EmailStatus, message_id_for
from mailer.service_layer.commands import SendDueEmails
from plumbing.events.envelope import PoisonMessage


def consume(bundle, envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


def stored(bundle):
    with bundle.extras["uow_factory"]() as uow:
        emails = uow.emails.list()
        uow.session.expunge_all()  # keep them readable after the unit of work ends
        return emails


def inbox_count(bundle) -> int:
    from sqlalchemy import func, select

    inbox = bundle.runtime.inbox
    with bundle.runtime.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(inbox)).scalar_one()


def token_in(link: str, path: str) -> str:
    parts = urlsplit(link)
    assert parts.path == path
    return parse_qs(parts.query)["token"][0]


def links_in(text: str) -> list[str]:
    return [word for word in text.split() if word.startswith("https://")]


def test_the_consumer_listens_to_identity_and_the_portal_requests(bundle):
    assert set(bundle.consumers[0].binding_keys) == {
        "identity.account.registered",
        "identity.account.verification_requested",
        "identity.password.reset_requested",
        "identity.account.verified",
        "portal.request.submitted",
        "portal.request.approved",
        "portal.request.refused",
        "portal.group.opened",
        "billing.invoice.issued",
        "offers.offer.status_changed",
        "offers.application.submitted",
        "portal.membership.granted",
        "portal.membership.role_changed",
        "portal.membership.snapshot",
        # job seekers: company names
        "portal.branding.changed",
        "portal.branding.snapshot",
    }
    assert bundle.consumers[0].name == "mailer"


def test_registration_queues_a_bilingual_verification_email(bundle, events):
    event = events.registered()
    consume(bundle, event)

    [email] = stored(bundle)
    assert email.recipient == event.data["email"]
    assert email.template == "verification"
    assert email.subject == "Confirmez votre adresse courriel / Confirm your email address · ingemplois"
    assert email.status == EmailStatus.PENDING and email.attempts == 0
    assert email.dedup_key == f"{event.id}:verification"
    assert email.message_id == message_id_for(email.dedup_key)
    for body in (email.text_body, email.html_body):
        assert "Version anglaise ci-dessous" in body and "English follows" in body
        assert body.index("Bonjour Marie") < body.index("Hello Marie")
        assert "Confirmez votre adresse courriel" in body or "confirmez votre adresse courriel" in body
        assert "3 novembre 2026" in body and "November 3, 2026" in body
    [link, *_] = links_in(email.text_body)
    assert link.startswith("https://emplois.example.org/compte/verifier?token=")
    assert token_in(link, "/compte/verifier") == event.data["verification_token"]
    assert "token=vT0k%2Ben%2Fwith%3Dchars%26more_0123456789" in link
    assert 'href="https://emplois.example.org/compte/verifier?token=vT0k%2Ben%2Fwith%3Dchars%26more_0123456789"' in (
        email.html_body)


def test_a_new_link_asked_for_gets_the_same_verification_email(bundle, events):
    event = events.verification_requested()
    bundle.runtime.schemas.validate(event)  # the real contract
    consume(bundle, event)
    registered = events.registered(**{k: event.data[k] for k in (
        "email", "first_name", "verification_token", "verification_expires_at")})
    consume(bundle, registered)

    new_link, at_sign_up = sorted(stored(bundle), key=lambda e: e.dedup_key != f"{event.id}:verification")
    assert new_link.dedup_key == f"{event.id}:verification" and new_link.template == "verification"
    assert new_link.recipient == event.data["email"]
    assert (new_link.subject, new_link.text_body, new_link.html_body) == (
        at_sign_up.subject, at_sign_up.text_body, at_sign_up.html_body)
    assert new_link.subject == "Confirmez votre adresse courriel / Confirm your email address · ingemplois"
    assert "Bonjour Marie" in new_link.text_body and "4 novembre 2026" in new_link.text_body
    [link, *_] = links_in(new_link.text_body)
    assert token_in(link, "/compte/verifier") == event.data["verification_token"]


def test_a_new_link_event_twice_gives_one_email_and_one_send(bundle, events, mailer):
    event = events.verification_requested()
    consume(bundle, event)
    consume(bundle, event)

    assert len(stored(bundle)) == 1 and inbox_count(bundle) == 1
    bundle.extras["bus"].handle(SendDueEmails())
    bundle.extras["bus"].handle(SendDueEmails())
    assert [sent.recipient for sent in mailer.sent] == [event.data["email"]]


def test_a_new_link_event_against_its_contract_is_poison(bundle, events):
    with pytest.raises(PoisonMessage):
        consume(bundle, events.verification_requested(verification_token="short"))
    without_name = events.verification_requested()
    del without_name.data["first_name"]  # optional
    consume(bundle, without_name)
    [email] = stored(bundle)
    assert "Bonjour," in email.text_body and "Hello," in email.text_body


def test_an_unknown_field_is_ignored_and_never_used_for_the_link(bundle, events):
    """Tolerant reading (decisions.md, "Event evolution"): a field from a newer producer is ignored, so a URL in
    the event can never become the link; the link is built from the token."""
    consume(bundle, events.verification_requested(verification_url="https://evil.example.org/x"))
    [email] = stored(bundle)
    assert "evil.example.org" not in email.text_body + email.html_body
    assert "/compte/verifier" in email.text_body


def test_password_reset_queues_a_reset_link(bundle, events):
    event = events.reset_requested()
    consume(bundle, event)

    [email] = stored(bundle)
    assert email.recipient == event.data["email"]
    assert email.subject == "Réinitialisez votre mot de passe / Reset your password · ingemplois"
    assert "Version anglaise ci-dessous" in email.html_body and "English follows" in email.html_body
    assert "Réinitialisez votre mot de passe" in email.html_body and "Reset your password" in email.html_body
    [link, *_] = links_in(email.text_body)
    assert token_in(link, "/compte/reinitialiser") == "rS3t-token_abcdefghijklmnop?#"
    assert "?token=rS3t-token_abcdefghijklmnop%3F%23" in link


@pytest.mark.parametrize(("kind", "path", "fr", "en"), [
    ("employer", "/entreprises/", "Portail des entreprises", "link your account to your company"),
    ("member", "/membre/", "offres d’emploi de la semaine", "follow companies"),
    ("staff", "/moderation/", "espace de modération", "moderation space"),
])
def test_verified_account_gets_a_welcome_for_its_kind(bundle, events, kind, path, fr, en):
    event = events.verified(kind=kind)
    consume(bundle, event)

    [email] = stored(bundle)
    assert email.recipient == event.data["email"]
    assert email.subject == "Bienvenue / Welcome · ingemplois"
    assert email.template == "welcome"
    for body in (email.text_body, email.html_body):
        assert fr in body and en in body
        assert "Bienvenue" in body or "Bonjour" in body
    assert f"https://emplois.example.org{path}" in links_in(email.text_body)


def test_html_part_escapes_what_came_from_the_event(bundle, events):
    consume(bundle, events.registered(first_name='<script>alert("x")</script> & Cie'))

    [email] = stored(bundle)
    assert "<script>" not in email.html_body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie" in email.html_body
    assert '<script>alert("x")</script> & Cie' in email.text_body  # plain text is never interpreted


def test_registration_without_first_name_greets_plainly(bundle, events):
    event = events.registered()
    del event.data["first_name"]
    consume(bundle, event)

    [email] = stored(bundle)
    assert "Bonjour," in email.text_body and "Hello," in email.text_body


def test_the_same_event_delivered_twice_gives_one_email_and_one_send(bundle, events, mailer):
    event = events.registered()
    consume(bundle, event)
    consume(bundle, event)

    assert len(stored(bundle)) == 1
    assert inbox_count(bundle) == 1
    bundle.extras["bus"].handle(SendDueEmails())
    bundle.extras["bus"].handle(SendDueEmails())
    assert [sent.recipient for sent in mailer.sent] == [event.data["email"]]


def test_data_against_the_schema_is_poison_and_leaves_nothing(bundle, events):
    broken = events.registered(verification_token="short")  # minLength 20 in the contract
    with pytest.raises(PoisonMessage):
        consume(bundle, broken)
    missing = events.verified()
    del missing.data["email"]
    with pytest.raises(PoisonMessage):
        consume(bundle, missing)

    assert stored(bundle) == []
    assert inbox_count(bundle) == 0


def test_a_handler_failure_leaves_no_inbox_record_so_redelivery_works(bundle, events, monkeypatch):
    from mailer.adapters.templates import EmailTemplates

    event = events.registered()
    original = EmailTemplates.render

    def broken(self, name, context):
        raise RuntimeError("template store unavailable")

    monkeypatch.setattr(EmailTemplates, "render", broken)
    with pytest.raises(RuntimeError):
        consume(bundle, event)
    assert inbox_count(bundle) == 0 and stored(bundle) == []

    monkeypatch.setattr(EmailTemplates, "render", original)
    consume(bundle, event)
    assert len(stored(bundle)) == 1


def test_events_the_mailer_does_not_handle_are_ignored(bundle, clock):
    from plumbing.events.envelope import Envelope

    other = Envelope.new("offers.offer.submitted", {"offer_id": "x"}, producer="offers", occurred_at=clock.now())
    consume(bundle, other)
    assert stored(bundle) == [] and inbox_count(bundle) == 0
