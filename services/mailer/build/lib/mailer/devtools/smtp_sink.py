"""An SMTP sink for `make up` and the e2e harness: every message received becomes a .eml file.

    python -m mailer.devtools.smtp_sink --port 1025 --dir var/mail-sink

Tests read the messages back with `read_messages(directory, to=...)` (it also reads the
FileMailer's directory, same format), then `find_link(message, "/compte/verifier")`.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import signal
import socket
import tempfile
import threading
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class _SaveToDirectory:
    """aiosmtpd handler: write the message, prefixed by its envelope recipients, atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        prefix = "".join(f"X-Sink-Rcpt-To: {rcpt}\n" for rcpt in envelope.rcpt_tos).encode()
        content = content.replace(b"\r\n", b"\n")  # stored with local line ends, as the FileMailer does
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(prefix + content)
        os.replace(tmp, self.directory / name)
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SmtpSink:
    """A local SMTP server (aiosmtpd, in a thread) storing what it receives in `directory`."""

    def __init__(self, directory: Path | str, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._controller: Any = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(_SaveToDirectory(self.directory), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def read_messages(directory: Path | str, *, to: str | None = None) -> list[EmailMessage]:
    """The .eml messages in `directory`, oldest first; only those addressed to `to` if given."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.eml"), key=lambda p: (p.stat().st_mtime_ns, p.name))
    messages: list[EmailMessage] = []
    for path in paths:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        if to is None or _addressed_to(message, to):
            messages.append(message)
    return messages


def message_text(message: EmailMessage) -> str:
    """The decoded text/plain part of a message ("" if it has none)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def find_link(message: EmailMessage, path: str) -> str | None:
    """The first link in the text part whose path is `path` (e.g. `/compte/verifier`)."""
    for word in message_text(message).split():
        if word.startswith(("http://", "https://")) and urlsplit(word).path == path:
            return word
    return None


def _addressed_to(message: EmailMessage, address: str) -> bool:
    wanted = address.strip().lower()
    recipients = [str(v) for v in message.get_all("X-Sink-Rcpt-To", [])]
    for header in ("To", "Cc"):
        value = message.get(header)
        if value is not None:
            recipients += [a.addr_spec for a in value.addresses]
    return any(r.strip().lower() == wanted for r in recipients)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="SMTP sink: store every message as a .eml file.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default="var/mail-sink", help="where to write the .eml files")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with SmtpSink(args.dir, args.port, args.host):
        print(f"smtp sink on {args.host}:{args.port}, writing to {Path(args.dir).resolve()}", flush=True)
        while not stop.wait(0.5):
            pass


if __name__ == "__main__":
    main()
