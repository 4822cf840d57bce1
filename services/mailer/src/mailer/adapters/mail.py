"""Mail transports: SMTP (distributed mode, production) and .eml files (embedded mode).

Both build the same MIME message: multipart/alternative (text, then HTML), a stable Message-ID
and `Auto-Submitted: auto-generated` so that auto-responders stay quiet; with attachments (an
application's CV) it is multipart/mixed, the alternative first, and `Reply-To` when the email has one.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from mailer.service_layer.ports import Mailer, MailError, OutgoingEmail

__all__ = ["DEFAULT_FROM", "FileMailer", "MailError", "Mailer", "OutgoingEmail", "SmtpMailer", "build_message"]

DEFAULT_FROM = "ingemplois <no-reply@ingemplois.local>"
SMTP_TIMEOUT = 10.0


def build_message(email: OutgoingEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.recipient
    message["Subject"] = email.subject
    message["Date"] = format_datetime(email.date)
    message["Message-ID"] = email.message_id
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Auto-Submitted"] = "auto-generated"
    message["Content-Language"] = "fr, en"
    # quoted-printable: 7-bit clean for any relay, and no line over 76 characters
    message.set_content(email.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in email.attachments:  # the message becomes multipart/mixed, the bodies first
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    # Bodies are encoded by now (76-character lines). Header lines may then run to RFC 5322's
    # hard limit: CPython's folding before an encoded word doubles a space in the subject.
    message.policy = message.policy.clone(max_line_length=998)
    return message


def _is_permanent(exc: smtplib.SMTPException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


class SmtpMailer:
    """Delivers through an SMTP relay, one connection per message."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        sender: str = DEFAULT_FROM,
        timeout: float = SMTP_TIMEOUT,
    ) -> None:
        if username and not starttls:
            raise ValueError("SMTP credentials are only sent over TLS: set SMTP_STARTTLS=true")
        self.host = host
        self.port = port
        self.starttls = starttls
        self.username = username
        self.password = password
        self.sender = sender
        self.timeout = timeout

    def send(self, email: OutgoingEmail) -> None:
        message = build_message(email, self.sender)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPException as exc:
            raise MailError(f"{type(exc).__name__}: {exc}", permanent=_is_permanent(exc)) from exc
        except OSError as exc:  # refused, unreachable, timed out
            raise MailError(f"{type(exc).__name__}: {exc}") from exc


class FileMailer:
    """Writes each email as an .eml file (embedded mode): one file per Message-ID."""

    def __init__(self, directory: Path, sender: str = DEFAULT_FROM) -> None:
        self.directory = Path(directory)
        self.sender = sender

    def path_for(self, email: OutgoingEmail) -> Path:
        """Named after the Message-ID: a retried email overwrites its file, never doubles it."""
        return self.directory / f"{hashlib.sha256(email.message_id.encode()).hexdigest()[:32]}.eml"

    def send(self, email: OutgoingEmail) -> None:
        data = bytes(build_message(email, self.sender))
        tmp: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, self.path_for(email))
        except OSError as exc:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            raise MailError(f"{type(exc).__name__}: {exc}") from exc
