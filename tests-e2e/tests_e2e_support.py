"""What a browser does, without a browser: follow forms, keep cookies, read the CSRF field."""

from __future__ import annotations

import re
import time
import uuid
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {"action": attributes.get("action", ""), "method": attributes.get("method", "get"),
                             "fields": {}}
            self.forms.append(self._current)
        elif tag in {"input", "textarea", "select"} and self._current is not None and attributes.get("name"):
            self._current["fields"][attributes["name"]] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


class Browser(httpx.Client):
    """An httpx client with a cookie jar, used like a person uses a browser."""

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url=base_url, follow_redirects=False, timeout=20)

    def form(self, path: str, action_contains: str = "") -> dict[str, Any]:
        """GET a page and return the first form whose action contains `action_contains`."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        for form in forms_of(response.text):
            if action_contains in form["action"] and form["method"].lower() == "post":
                return form
        raise AssertionError(f"no POST form with action ~ {action_contains!r} on {path}")

    def submit(self, path: str, values: dict[str, str], action_contains: str = "") -> httpx.Response:
        """Fill the form found on `path` (keeping its hidden fields, CSRF included) and post it."""
        form = self.form(path, action_contains)
        data = {**form["fields"], **values}
        return self.post(form["action"] or path, data=data)


def wait_for_email(mail_dir: Path, recipient: str, timeout: float = 30.0, subject_contains: str = "") -> EmailMessage:
    """Poll the SMTP sink's directory until a message to `recipient` arrives."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(message, EmailMessage)
            if recipient.lower() in str(message["To"]).lower() and subject_contains in str(message["Subject"]):
                return message
        time.sleep(0.2)
    raise AssertionError(f"no email to {recipient} within {timeout:.0f}s in {mail_dir}")


def emails_to(mail_dir: Path, recipient: str) -> list[EmailMessage]:
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if recipient.lower() in str(message["To"]).lower():
            found.append(message)
    return found


def link_in(message: EmailMessage, path_prefix: str) -> str:
    """The first link in the text part that points to `path_prefix` (returns path and query)."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"[^\s]*)", body.get_content())
    assert match, f"no link to {path_prefix} in:\n{body.get_content()}"
    return match.group(1)


def unique_email(domain_hint: str = "genie") -> str:
    """A professional-looking address nobody has used yet."""
    token = uuid.uuid4().hex[:10]
    return f"e2e.{token}@{domain_hint}-{token}.ca"
