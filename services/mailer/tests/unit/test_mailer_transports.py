"""The MIME message, the file transport and the choice of transport by settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailer.adapters.mail import DEFAULT_FROM, FileMailer, MailError, OutgoingEmail, SmtpMailer, build_message
from mailer.bootstrap import bootstrap, build_mailer
from mailer.config import MailSettings
from mailer.devtools.smtp_sink import free_port, read_messages

EMAIL = OutgoingEmail(
    recipient="zoe@example.com",
    subject="Confirmez votre adresse courriel / Confirm your email address · ingemplois",
    text="Bonjour Zoé,\n\nhttps://emplois.example.org/compte/verifier?token=abc\n",
    html="<p>Bonjour Zoé,</p>",
    message_id="<0123abcd@ingemplois>",
    date=datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
)


def test_the_message_is_multipart_alternative_with_stable_headers():
    message = build_message(EMAIL, DEFAULT_FROM)

    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and "Bonjour Zoé" in text.get_content()
    assert html.get_content_type() == "text/html" and "<p>Bonjour Zoé,</p>" in html.get_content()
    assert message["Message-ID"] == "<0123abcd@ingemplois>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == "ingemplois <no-reply@ingemplois.local>"
    assert message["To"] == "zoe@example.com"
    assert str(message["Subject"]) == EMAIL.subject
    assert message["Date"] == "Mon, 02 Nov 2026 14:00:00 +0000"


def test_the_file_mailer_writes_one_eml_per_message_id(tmp_path):
    mailer = FileMailer(tmp_path / "mail", sender="Tests <tests@example.org>")
    mailer.send(EMAIL)
    mailer.send(EMAIL)  # a retry after a crash overwrites, never doubles

    [message] = read_messages(tmp_path / "mail")
    assert message["Message-ID"] == EMAIL.message_id and message["From"] == "Tests <tests@example.org>"
    assert "token=abc" in message.get_body(("plain",)).get_content()
    assert len(read_messages(tmp_path / "mail", to="ZOE@example.com")) == 1
    assert read_messages(tmp_path / "mail", to="other@example.com") == []
    assert read_messages(tmp_path / "missing") == []


def test_the_file_mailer_reports_an_unwritable_directory(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(MailError) as failure:
        FileMailer(blocker / "mail").send(EMAIL)
    assert not failure.value.permanent


def test_an_unreachable_smtp_server_is_a_temporary_failure():
    with pytest.raises(MailError) as failure:
        SmtpMailer("127.0.0.1", free_port(), timeout=2).send(EMAIL)
    assert not failure.value.permanent


def test_embedded_mode_writes_files_and_distributed_mode_uses_smtp(tmp_path, monkeypatch, settings_for):
    for name in ("MAILER_TRANSPORT", "SMTP_HOST", "SMTP_PORT", "MAIL_FROM", "MAIL_DIR", "SMTP_STARTTLS"):
        monkeypatch.delenv(name, raising=False)

    embedded = MailSettings.from_env(settings_for(tmp_path))
    assert embedded.transport == "file" and embedded.mail_dir == tmp_path / "mail"
    assert isinstance(build_mailer(embedded), FileMailer)

    distributed = MailSettings.from_env(settings_for(tmp_path, mode="distributed"))
    assert (distributed.transport, distributed.smtp_host, distributed.smtp_port) == ("smtp", "127.0.0.1", 1025)
    assert distributed.mail_from == DEFAULT_FROM and distributed.smtp_starttls is False
    mailer = build_mailer(distributed)
    assert isinstance(mailer, SmtpMailer) and (mailer.host, mailer.port, mailer.timeout) == ("127.0.0.1", 1025, 10)


def test_transport_settings_come_from_the_environment(tmp_path, monkeypatch, settings_for):
    monkeypatch.setenv("MAILER_TRANSPORT", "smtp")
    monkeypatch.setenv("SMTP_HOST", "relay.example.org")
    monkeypatch.setenv("SMTP_PORT", "587")
    monkeypatch.setenv("SMTP_STARTTLS", "true")
    monkeypatch.setenv("SMTP_USERNAME", "mailer")
    monkeypatch.setenv("SMTP_PASSWORD", "secret")
    monkeypatch.setenv("MAIL_FROM", "OIQ <emplois@oiq.example>")

    mailer = build_mailer(MailSettings.from_env(settings_for(tmp_path)))
    assert isinstance(mailer, SmtpMailer)
    assert (mailer.host, mailer.port, mailer.starttls, mailer.username, mailer.password, mailer.sender) == (
        "relay.example.org", 587, True, "mailer", "secret", "OIQ <emplois@oiq.example>")

    monkeypatch.setenv("MAILER_TRANSPORT", "pigeon")
    with pytest.raises(ValueError):
        MailSettings.from_env(settings_for(tmp_path))


def test_bootstrap_picks_the_transport_from_settings(tmp_path, monkeypatch, settings_for):
    monkeypatch.delenv("MAILER_TRANSPORT", raising=False)
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "outbox-mail"))
    bundle = bootstrap(settings_for(tmp_path))
    mailer = bundle.extras["mailer"]
    assert isinstance(mailer, FileMailer) and mailer.directory == tmp_path / "outbox-mail"
    bundle.runtime.engine.dispose()
