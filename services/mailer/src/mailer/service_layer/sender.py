"""SendDueEmails: deliver the due emails, each outcome recorded in its own transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from mailer.domain.model import Email, EmailStatus
from mailer.service_layer import commands
from mailer.service_layer.ports import Dependencies, MailError, OutgoingEmail, UnitOfWork
from plumbing.clock import Clock

log = logging.getLogger(__name__)

# A sender leases the emails it claims; one that dies mid-batch frees them when the lease ends.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class _Claimed:
    """What the sender needs of a claimed email, read while its unit of work is open."""

    id: str
    template: str
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str
    reply_to: str | None = None

    @classmethod
    def of(cls, email: Email) -> _Claimed:
        return cls(id=email.id, template=email.template, recipient=email.recipient, subject=email.subject,
                   text=email.text_body, html=email.html_body, message_id=email.message_id, reply_to=email.reply_to)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def send_due_emails(command: commands.SendDueEmails, uow: UnitOfWork, deps: Dependencies) -> SendReport:
    """Claim due emails (a lease), then send each and record its outcome in its own transaction.

    This handler commits each step itself (the claim, then each outcome): an email handed to the
    relay must be marked sent at once, not at the end of the batch.

    A crash between the SMTP call and the commit that marks the email sent sends it again once
    the lease ends, with the same Message-ID, so a receiving server can drop the duplicate.
    A temporary failure stops the batch (the relay is likely down) and hands the rest back.
    """
    clock = deps.clock
    started = clock.now()
    lease_until = started + LEASE
    claimed = [_Claimed.of(email) for email in uow.emails.claim_due(started, lease_until, command.batch_size)]
    uow.commit()
    sent = retrying = failed = 0
    for index, email in enumerate(claimed):
        if clock.now() >= started + LEASE / 2:
            _release(uow, claimed[index:], lease_until, clock)
            break
        status = _deliver(email, uow, deps)
        if status == EmailStatus.SENT:
            sent += 1
        elif status == EmailStatus.FAILED:
            failed += 1
        else:
            retrying += 1
            _release(uow, claimed[index + 1:], lease_until, clock)
            break
    if claimed:
        log.info("mail pass: %d sent, %d to retry, %d failed", sent, retrying, failed)
    return SendReport(sent=sent, retrying=retrying, failed=failed)


def _deliver(email: _Claimed, uow: UnitOfWork, deps: Dependencies) -> EmailStatus:
    clock = deps.clock
    # Read when sent, not claimed: a CV is held in memory for its own email only. The read's
    # transaction ends before the SMTP call (on SQLite it would hold other senders' writes).
    attachments = tuple(uow.attachments.of(email.id))
    uow.commit()
    outgoing = OutgoingEmail(recipient=email.recipient, subject=email.subject, text=email.text,
                             html=email.html, message_id=email.message_id, date=clock.now(),
                             reply_to=email.reply_to, attachments=attachments)
    try:
        deps.mailer.send(outgoing)
    except MailError as exc:
        error, permanent = str(exc), exc.permanent
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is retried like a temporary one
        log.exception("mailer raised for email %s", email.id)
        error, permanent = repr(exc), False
    else:
        _reload(uow, email).mark_sent(clock.now())
        if attachments:
            uow.attachments.delete(email.id)  # the CV is kept no longer than needed to send it
        uow.commit()
        return EmailStatus.SENT
    stored = _reload(uow, email)
    stored.record_failure(error, clock.now(), permanent=permanent)
    status, attempts, next_at = stored.status, stored.attempts, stored.next_attempt_at
    if status == EmailStatus.FAILED and attachments:
        uow.attachments.delete(email.id)  # given up: nothing will send it
    uow.commit()
    if status == EmailStatus.FAILED:
        log.error("email %s (%s) failed for good after %d attempt(s): %s", email.id, email.template, attempts, error)
    else:
        log.warning("email %s (%s) attempt %d failed, next at %s: %s", email.id, email.template, attempts,
                    next_at.isoformat(), error)
    return status


def _reload(uow: UnitOfWork, email: _Claimed) -> Email:
    stored = uow.emails.get(email.id)
    if stored is None:  # pragma: no cover - emails are never deleted
        raise LookupError(f"email {email.id} vanished")
    return stored


def _release(uow: UnitOfWork, emails: list[_Claimed], lease_until: datetime, clock: Clock) -> None:
    if not emails:
        return
    uow.emails.release([e.id for e in emails], lease_until, clock.now())
    uow.commit()
