"""A real SMTP round trip: SmtpMailer → aiosmtpd sink on a free port → read_messages."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from mailer.adapters.mail import MailError, OutgoingEmail, SmtpMailer
from mailer.bootstrap import bootstrap
from mailer.devtools.smtp_sink import SmtpSink, find_link, free_port, message_text, read_messages
from mailer.service_layer.commands import SendDueEmails
from plumbing.testing import wait_until

EMAIL = OutgoingEmail(
    recipient="zoe@genie-conseil.example",
    subject="Confirmez votre adresse courriel / Confirm your email address · ingemplois",
    text="Bonjour Zoé,\n\nhttps://emplois.example.org/compte/verifier?token=" + "a" * 90 + "\n",
    html="<p>Bonjour Zoé,</p>",
    message_id="<0f1e2d3c4b5a@ingemplois>",
    date=datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
)


@pytest.fixture
def sink(tmp_path):
    with SmtpSink(tmp_path / "sink") as running:
        yield running


def test_smtp_mailer_delivers_both_parts_and_the_message_id(sink):
    SmtpMailer(sink.host, sink.port, sender="ingemplois <no-reply@ingemplois.local>").send(EMAIL)

    [message] = wait_until(lambda: read_messages(sink.directory), timeout=10)
    assert message["Message-ID"] == EMAIL.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    assert str(message["Subject"]) == EMAIL.subject
    assert message["X-Sink-Rcpt-To"] == "zoe@genie-conseil.example"
    assert message.get_content_type() == "multipart/alternative"
    assert message_text(message) == EMAIL.text
    assert message.get_body(("html",)).get_content().strip() == EMAIL.html
    assert find_link(message, "/compte/verifier") == "https://emplois.example.org/compte/verifier?token=" + "a" * 90


class _Refusing:
    def __init__(self, code: str) -> None:
        self.code = code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return self.code


@pytest.mark.parametrize(("reply", "permanent"), [
    ("550 5.1.1 no such mailbox", True),
    ("451 4.3.0 try again later", False),
])
def test_a_refused_recipient_is_permanent_only_for_5xx(reply, permanent):
    port = free_port()
    controller = Controller(_Refusing(reply), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with pytest.raises(MailError) as failure:
            SmtpMailer("127.0.0.1", port).send(EMAIL)
    finally:
        controller.stop()
    assert failure.value.permanent is permanent
    assert reply.split()[0] in str(failure.value)


def test_a_registration_reaches_the_sink_with_a_working_verification_link(tmp_path, sink, clock, events,
                                                                        settings_for):
    bundle = bootstrap(settings_for(tmp_path), clock=clock, mailer=SmtpMailer(sink.host, sink.port))
    bundle.migrate()
    event = events.registered(verification_token="Xy7+/=_-abcdefghijklmnopqrstuvwxyz0123456789" * 2)
    bundle.consumers[0](event.to_json(), {})
    assert bundle.extras["bus"].handle(SendDueEmails()).sent == 1
    bundle.runtime.engine.dispose()

    [message] = wait_until(lambda: read_messages(sink.directory, to=event.data["email"]), timeout=10)
    link = find_link(message, "/compte/verifier")
    assert link is not None
    assert parse_qs(urlsplit(link).query)["token"] == [event.data["verification_token"]]
    html = message.get_body(("html",)).get_content()
    assert "Version anglaise ci-dessous" in html and "English follows" in html


def test_the_sink_runs_as_a_command(tmp_path):
    import subprocess
    import sys

    port = free_port()
    directory = tmp_path / "mail-sink"
    process = subprocess.Popen(
        [sys.executable, "-m", "mailer.devtools.smtp_sink", "--port", str(port), "--dir", str(directory)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert "smtp sink on 127.0.0.1:" in process.stdout.readline()
        SmtpMailer("127.0.0.1", port).send(EMAIL)
        [message] = wait_until(lambda: read_messages(directory), timeout=10)
        assert message["Message-ID"] == EMAIL.message_id
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_credentials_are_never_sent_without_tls():
    with pytest.raises(ValueError, match="SMTP_STARTTLS"):
        SmtpMailer("127.0.0.1", 25, username="relay", password="secret")
    SmtpMailer("127.0.0.1", 587, starttls=True, username="relay", password="secret")  # accepted
