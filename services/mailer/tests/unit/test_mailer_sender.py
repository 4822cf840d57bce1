"""SendDueEmails: delivery, retries with back-off, giving up, and never sending an email twice."""

from __future__ import annotations

import threading
from datetime import timedelta

from mailer.domain.model import MAX_ATTEMPTS, EmailStatus
from mailer.service_layer.commands import SendDueEmails


def consume(bundle, envelope) -> None:
    bundle.consumers[0](envelope.to_json(), {})


def send(bundle, batch_size: int = 20):
    return bundle.extras["bus"].handle(SendDueEmails(batch_size=batch_size))


def emails(bundle):
    with bundle.extras["uow_factory"]() as uow:
        found = uow.emails.list()
        uow.session.expunge_all()
        return found


def queue(bundle, events, count: int) -> list[str]:
    recipients = []
    for _ in range(count):
        event = events.verified()
        consume(bundle, event)
        recipients.append(event.data["email"])
    return recipients


def test_a_due_email_is_sent_once_and_marked_sent(bundle, events, mailer, clock):
    event = events.registered()
    consume(bundle, event)
    [queued] = emails(bundle)

    report = send(bundle)

    assert report.sent == 1
    [sent] = mailer.sent
    assert sent.recipient == event.data["email"]
    assert sent.message_id == queued.message_id
    assert sent.subject == queued.subject and sent.text == queued.text_body and sent.html == queued.html_body
    [email] = emails(bundle)
    assert email.status == EmailStatus.SENT and email.attempts == 1 and email.sent_at == clock.now()
    assert email.text_body == "" and email.html_body == ""  # single-use tokens do not linger
    assert send(bundle).sent == 0 and len(mailer.sent) == 1


def test_the_worker_ticks_send_due_emails_every_second(bundle, events, mailer):
    consume(bundle, events.verified())
    [(interval, tick)] = bundle.tickers
    assert interval == 1.0
    tick()
    assert len(mailer.sent) == 1


def test_smtp_failure_is_retried_with_back_off_then_sent_once(bundle, events, mailer, clock):
    consume(bundle, events.verified())
    mailer.fail_next(2)

    assert send(bundle).retrying == 1
    [email] = emails(bundle)
    assert email.status == EmailStatus.PENDING and email.attempts == 1
    assert email.next_attempt_at == clock.now() + timedelta(seconds=5)
    assert "451" in email.last_error

    assert send(bundle).sent == 0  # not due yet
    clock.advance(seconds=5)
    assert send(bundle).retrying == 1
    [email] = emails(bundle)
    assert email.attempts == 2 and email.next_attempt_at == clock.now() + timedelta(seconds=30)

    clock.advance(seconds=29)
    assert send(bundle).sent == 0
    clock.advance(seconds=1)
    assert send(bundle).sent == 1
    assert len(mailer.sent) == 1
    [email] = emails(bundle)
    assert email.status == EmailStatus.SENT and email.attempts == 3 and email.last_error is None


def test_after_eight_failures_the_email_is_failed_and_left_alone(bundle, events, mailer, clock):
    consume(bundle, events.verified())
    mailer.fail_next(100)
    waits = []
    for _ in range(MAX_ATTEMPTS):
        before = clock.now()
        send(bundle)
        [email] = emails(bundle)
        if email.status == EmailStatus.PENDING:
            waits.append(email.next_attempt_at - before)
            clock._now = email.next_attempt_at

    [email] = emails(bundle)
    assert email.status == EmailStatus.FAILED and email.attempts == MAX_ATTEMPTS
    assert [w.total_seconds() for w in waits] == [5, 30, 120, 600, 1800, 3600, 7200]
    clock.advance(days=30)
    assert send(bundle).sent == 0
    assert mailer.sent == [] and len(mailer.failures) == 100 - MAX_ATTEMPTS


def test_a_permanent_refusal_fails_at_once(bundle, events, mailer):
    consume(bundle, events.verified())
    mailer.fail_next(1, permanent=True)

    assert send(bundle).failed == 1
    [email] = emails(bundle)
    assert email.status == EmailStatus.FAILED and email.attempts == 1


def test_an_unexpected_mailer_error_counts_as_a_temporary_failure(bundle, events, mailer):
    consume(bundle, events.verified())
    mailer.failures.append(RuntimeError("bug in a transport"))

    assert send(bundle).retrying == 1
    [email] = emails(bundle)
    assert email.status == EmailStatus.PENDING and "bug in a transport" in email.last_error


def test_a_temporary_failure_stops_the_batch_and_hands_the_rest_back(bundle, events, mailer, clock):
    queue(bundle, events, 3)
    mailer.fail_next(1)

    report = send(bundle)
    assert (report.sent, report.retrying) == (0, 1)
    assert send(bundle).sent == 2  # released at once, not after the lease
    clock.advance(seconds=5)
    assert send(bundle).sent == 1
    assert len({m.message_id for m in mailer.sent}) == 3


def test_running_twice_sends_each_email_once(bundle, events, mailer):
    recipients = queue(bundle, events, 25)

    assert send(bundle).sent == 20
    assert send(bundle).sent == 5
    assert send(bundle).sent == 0
    assert sorted(m.recipient for m in mailer.sent) == sorted(recipients)


def test_an_email_claimed_by_a_sender_that_died_waits_for_its_lease(bundle, events, mailer, clock):
    consume(bundle, events.verified())
    with bundle.extras["uow_factory"]() as uow:  # a sender claims, then dies before sending
        assert len(uow.emails.claim_due(clock.now(), clock.now() + timedelta(minutes=5), 20)) == 1
        uow.commit()

    assert send(bundle).sent == 0
    clock.advance(minutes=5)
    assert send(bundle).sent == 1


def test_a_batch_running_long_hands_back_what_it_did_not_reach(bundle, events, mailer, clock):
    queue(bundle, events, 3)
    mailer.on_send = lambda _email: clock.advance(minutes=3)  # a very slow relay

    assert send(bundle).sent == 1
    assert send(bundle).sent == 1  # the other two were released, not left leased
    assert send(bundle).sent == 1
    assert len({m.message_id for m in mailer.sent}) == 3


def test_two_senders_at_once_take_disjoint_emails(bundle, events, mailer):
    recipients = queue(bundle, events, 30)
    both_sending = threading.Barrier(2, timeout=10)
    seen: set[str] = set()

    def first_send_of_each_thread(_email) -> None:
        name = threading.current_thread().name
        if name not in seen:
            seen.add(name)
            both_sending.wait()  # each sender holds its claim while the other claims

    mailer.on_send = first_send_of_each_thread
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(send(bundle)), name=f"sender-{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(r.sent for r in reports) == [10, 20]
    assert sorted(m.recipient for m in mailer.sent) == sorted(recipients)
    assert all(e.status == EmailStatus.SENT and e.attempts == 1 for e in emails(bundle))


def test_many_concurrent_passes_never_send_an_email_twice(bundle, events, mailer):
    recipients = queue(bundle, events, 40)
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            for _ in range(10):
                send(bundle, batch_size=3)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.recipient for m in mailer.sent) == sorted(recipients)
