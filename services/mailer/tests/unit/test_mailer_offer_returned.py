"""offers.offer.status_changed to `to_revise` → the offer's creator gets the staff's comment (issue 9).

The event names the creator by account id (`created_by`); the mailer learns addresses and
languages from identity's events. One email per event (a redelivery sends nothing more); other
transitions send nothing; an account the mailer never heard of is skipped, never a poison message.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from mailer.domain.model import KnownAccount, dedup_key
from mailer.service_layer.commands import SendDueEmails
from plumbing.events.envelope import Envelope, PoisonMessage

PUBLIC = "https://emplois.example.org"
COMMENT = "Ajoutez les qualifications requises.\n\nRetirez l'adresse courriel de la description."


def consume(bundle, envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


def stored(bundle):
    with bundle.extras["uow_factory"]() as uow:
        emails = uow.emails.list()
        uow.session.expunge_all()
        return emails


def known(bundle, account_id):
    with bundle.extras["uow_factory"]() as uow:
        return uow.accounts.get(account_id)


def status_changed(clock, created_by: str, **overrides) -> Envelope:
    data = {
        "offer_id": str(uuid.uuid4()),
        "group_id": str(uuid.uuid4()),
        "profile": "ing",
        "title_fr": "Ingénieur·e de projets – structures",
        "created_by": created_by,
        "from_status": "in_validation",
        "to_status": "to_revise",
        "action": "return_for_revision",
        "actor_id": str(uuid.uuid4()),
        "actor_kind": "staff",
        "reason": COMMENT,
        "submitted_at": "2026-11-30T14:00:00Z",
        "online": False,
        "publication_ends_at": None,
    }
    return Envelope.new(
        "offers.offer.status_changed", {**data, **overrides}, producer="offers", occurred_at=clock.now()
    )


@pytest.fixture
def creator(bundle, events):
    """An employer identity told the mailer about (registered, then verified)."""
    registered = events.registered(locale="fr")
    consume(bundle, registered)
    consume(bundle, events.verified(account_id=registered.data["account_id"], email=registered.data["email"]))
    return registered.data


def test_the_creator_gets_the_comment_the_title_and_the_link_in_french(bundle, clock, mailer, creator):
    event = status_changed(clock, creator["account_id"])
    bundle.runtime.schemas.validate(event)  # the producer's strict check: the test event is a valid one
    consume(bundle, event)
    [email] = [e for e in stored(bundle) if e.template == "offer_returned"]
    assert email.recipient == creator["email"]
    assert email.dedup_key == dedup_key(event.id, "offer_returned")
    assert email.subject == "Votre offre d’emploi « Ingénieur·e de projets – structures » est à réviser · ingemplois"
    link = f"{PUBLIC}/employeur/offres/{event.data['offer_id']}/details"
    text = email.text_body
    assert "vous la retourne pour révision" in text
    assert "> Ajoutez les qualifications requises.\n>\n> Retirez l'adresse courriel de la description." in text
    assert [w for w in text.split() if w.startswith("https://")] == [link]
    assert "Your job offer" not in text and "Hello" not in text  # one language
    assert f'href="{link}"' in email.html_body and 'lang="fr"' in email.html_body
    assert "Ajoutez les qualifications requises.<br><br>Retirez l&#39;adresse courriel" in email.html_body
    consume(bundle, event)  # redelivered: nothing more
    assert len([e for e in stored(bundle) if e.template == "offer_returned"]) == 1
    bundle.extras["bus"].handle(SendDueEmails())
    assert [m.subject for m in mailer.sent if m.recipient == creator["email"]].count(email.subject) == 1


def test_an_english_speaking_creator_gets_it_in_english(bundle, clock, events):
    registered = events.registered(locale="en")
    consume(bundle, registered)
    consume(bundle, status_changed(clock, registered.data["account_id"], reason="Add the qualifications."))
    [email] = [e for e in stored(bundle) if e.template == "offer_returned"]
    assert email.subject == "Your job offer “Ingénieur·e de projets – structures” needs revision · ingemplois"
    assert "> Add the qualifications." in email.text_body and "What to revise:" in email.text_body
    assert "Bonjour" not in email.text_body and 'lang="en"' in email.html_body


@pytest.mark.parametrize(
    ("from_status", "to_status", "action"),
    [
        ("draft", "in_validation", "submit"),
        ("in_validation", "published", "approve"),
        ("in_validation", "draft", "cancel"),
        ("published", "expired", "withdraw"),
        ("to_revise", "in_validation", "submit"),
    ],
)
def test_other_transitions_send_nothing(bundle, clock, creator, from_status, to_status, action):
    event = status_changed(
        clock, creator["account_id"], from_status=from_status, to_status=to_status, action=action, reason=None
    )
    bundle.runtime.schemas.validate(event)
    consume(bundle, event)
    assert [e for e in stored(bundle) if e.template == "offer_returned"] == []


def test_an_unknown_creator_is_skipped_and_the_event_acknowledged(bundle, clock):
    event = status_changed(clock, str(uuid.uuid4()))
    consume(bundle, event)
    assert stored(bundle) == []
    with bundle.runtime.engine.connect() as conn:  # handled (in the inbox), not retried forever
        assert conn.execute(select(func.count()).select_from(bundle.runtime.inbox)).scalar_one() == 1


def test_without_a_title_or_a_comment_the_email_words_around_them(bundle, clock, creator):
    consume(bundle, status_changed(clock, creator["account_id"], title_fr="", reason="  "))
    [email] = [e for e in stored(bundle) if e.template == "offer_returned"]
    assert email.subject == "Votre offre d’emploi est à réviser · ingemplois"
    assert "Ce qui est à réviser" not in email.text_body
    assert "a examiné votre offre d’emploi et vous la retourne pour révision" in email.text_body


def test_the_title_and_comment_are_escaped_in_html(bundle, clock, creator):
    consume(
        bundle,
        status_changed(clock, creator["account_id"], title_fr="<b>Titre</b>", reason="<script>alert(1)</script>"),
    )
    [email] = [e for e in stored(bundle) if e.template == "offer_returned"]
    assert "<b>Titre</b>" not in email.html_body and "&lt;b&gt;Titre&lt;/b&gt;" in email.html_body
    assert "<script>" not in email.html_body and "<script>alert(1)</script>" in email.text_body


def test_identity_events_keep_the_latest_address_and_language(bundle, events):
    registered = events.registered(locale="fr")
    consume(bundle, registered)
    account_id = registered.data["account_id"]
    assert known(bundle, account_id) == KnownAccount(account_id, registered.data["email"], "fr")
    consume(bundle, events.verification_requested(account_id=account_id, email="nouvelle@genie.example", locale="en"))
    assert known(bundle, account_id) == KnownAccount(account_id, "nouvelle@genie.example", "en")
    assert known(bundle, str(uuid.uuid4())) is None


@pytest.mark.parametrize("missing", ["offer_id", "created_by", "to_status"])
def test_an_unreadable_event_is_poison(clock, missing):
    from mailer.service_layer import handlers

    event = status_changed(clock, str(uuid.uuid4()))
    event.data[missing] = ""
    with pytest.raises(PoisonMessage):
        handlers.queue_offer_returned_email(event, None, None)  # type: ignore[arg-type]


def membership(clock, event_type: str, account_id: str, **fields) -> Envelope:
    data = {
        "account_id": account_id,
        "group_id": str(uuid.uuid4()),
        "company_id": str(uuid.uuid4()),
        "role": "affichage",
        "version": 1,
        **fields,
    }
    if event_type == "portal.membership.snapshot":
        data["snapshot_id"] = str(uuid.uuid4())
    return Envelope.new(event_type, data, producer="company-portal", occurred_at=clock.now())


def test_a_member_company_portal_told_about_gets_the_email_too(bundle, clock):
    """Accounts created before the mailer kept them (or seeded directly) are learned from memberships."""
    account_id = str(uuid.uuid4())
    granted = membership(clock, "portal.membership.granted", account_id, email="luc@genivert.example", locale="en")
    bundle.runtime.schemas.validate(granted)
    consume(bundle, granted)
    assert known(bundle, account_id) == KnownAccount(account_id, "luc@genivert.example", "en")
    # A later event without a locale keeps the one known; one without an address changes nothing.
    consume(bundle, membership(clock, "portal.membership.role_changed", account_id, email="luc@genivert.example"))
    consume(bundle, membership(clock, "portal.membership.snapshot", account_id))
    assert known(bundle, account_id) == KnownAccount(account_id, "luc@genivert.example", "en")
    snapshot = membership(clock, "portal.membership.snapshot", account_id, email="luc.g@genivert.example", role=None)
    bundle.runtime.schemas.validate(snapshot)
    consume(bundle, snapshot)
    consume(bundle, status_changed(clock, account_id))
    [email] = stored(bundle)
    assert email.recipient == "luc.g@genivert.example" and email.subject.startswith("Your job offer")
