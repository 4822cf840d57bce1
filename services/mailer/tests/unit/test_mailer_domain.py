"""Email rules: stable identity, back-off, giving up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailer.domain.model import MAX_ATTEMPTS, Email, EmailStatus, Rendered, dedup_key, message_id_for, retry_delay

NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def new_email(template: str = "welcome") -> Email:
    rendered = Rendered(subject="Bienvenue / Welcome · ingemplois", text="texte", html="<p>html</p>")
    return Email.queue(event_id="2f0c8a1e-0000-4000-8000-000000000001", template=template,
                       recipient="a@example.com", rendered=rendered, now=NOW)


def test_the_message_id_is_derived_from_the_dedup_key():
    email = new_email()
    assert email.dedup_key == "2f0c8a1e-0000-4000-8000-000000000001:welcome"
    assert email.message_id == message_id_for(email.dedup_key) == new_email().message_id
    assert email.message_id.startswith("<") and email.message_id.endswith("@ingemplois>")
    assert new_email("verification").message_id != email.message_id
    assert dedup_key("e", "t") == "e:t"


def test_an_event_mailing_several_people_has_one_key_per_address():
    rendered = Rendered(subject="s", text="t", html="h")
    event_id = "2f0c8a1e-0000-4000-8000-000000000001"
    emails = [Email.queue(event_id=event_id, template="join_request_notice", recipient=address, rendered=rendered,
                          now=NOW, per_recipient=True)
              for address in ("a@example.com", "b@example.com")]
    assert emails[0].dedup_key.startswith(f"{event_id}:join_request_notice:")
    assert emails[0].dedup_key != emails[1].dedup_key and emails[0].message_id != emails[1].message_id
    assert dedup_key("e", "t", " A@Example.com") == dedup_key("e", "t", "a@example.com")  # one address, one key
    assert len(dedup_key(event_id, "join_request_notice", "x" * 254)) <= 200  # the column's size


def test_a_new_email_is_pending_and_due_now():
    email = new_email()
    assert (email.status, email.attempts, email.next_attempt_at, email.sent_at) == (EmailStatus.PENDING, 0, NOW, None)


def test_back_off_grows_then_stays_at_its_longest():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10)]
    assert retry_delay(7) == retry_delay(20) == timedelta(hours=2)


def test_failures_reschedule_until_the_last_attempt():
    email = new_email()
    for attempt in range(1, MAX_ATTEMPTS):
        email.record_failure("451 later", NOW)
        assert email.status == EmailStatus.PENDING and email.attempts == attempt
        assert email.next_attempt_at == NOW + retry_delay(attempt)
    email.record_failure("451 later", NOW)
    assert email.status == EmailStatus.FAILED and email.attempts == MAX_ATTEMPTS


def test_sent_emails_drop_their_bodies():
    email = new_email()
    email.record_failure("x" * 5000, NOW)
    assert len(email.last_error) == 2000
    email.mark_sent(NOW)
    assert (email.status, email.attempts, email.sent_at, email.last_error) == (EmailStatus.SENT, 2, NOW, None)
    assert email.text_body == email.html_body == ""


def test_a_subject_is_one_line():
    with pytest.raises(ValueError):
        Email.queue(event_id="e", template="t", recipient="a@example.com",
                    rendered=Rendered(subject="a\r\nBcc: x@example.com", text="", html=""), now=NOW)
