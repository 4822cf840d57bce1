"""Email addresses: normalisation, syntax, and the professional-address rule for employers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from identity.domain.errors import IdentityError, InvalidEmail, WebmailNotAllowed

MAX_EMAIL_LENGTH = 254
MAX_LOCAL_LENGTH = 64

_ATOM = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def normalise_email(raw: str) -> str:
    """Trim and lowercase: the email is the login and compares case-insensitively."""
    return raw.strip().lower()


def domain_of(email: str) -> str:
    return email.rpartition("@")[2]


def local_part_of(email: str) -> str:
    return email.rpartition("@")[0]


def is_valid_syntax(email: str) -> bool:
    """A practical check of a normalised address (ASCII, dot-atom local part, DNS domain)."""
    if not email or len(email) > MAX_EMAIL_LENGTH or not email.isascii() or email.count("@") != 1:
        return False
    local, _, domain = email.partition("@")
    if not local or len(local) > MAX_LOCAL_LENGTH or not _LOCAL.match(local):
        return False
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253:
        return False
    return all(_LABEL.match(label) for label in labels) and bool(_TLD.match(labels[-1]))


def parse_email(raw: str) -> str:
    """The normalised address, or InvalidEmail."""
    email = normalise_email(raw)
    if not is_valid_syntax(email):
        raise InvalidEmail()
    return email


@dataclass(frozen=True)
class EmailPolicy:
    """Which addresses may sign up: employers need a professional (non-webmail) domain."""

    free_webmail_domains: frozenset[str]

    @classmethod
    def of(cls, domains: Iterable[str]) -> EmailPolicy:
        return cls(frozenset(d.strip().lower() for d in domains if d.strip()))

    def is_free_webmail(self, email: str) -> bool:
        """True for a listed domain or any of its subdomains (mail.yahoo.com)."""
        domain = domain_of(email)
        parts = domain.split(".")
        return any(".".join(parts[i:]) in self.free_webmail_domains for i in range(len(parts) - 1))

    def check(self, raw: str, *, professional: bool) -> str:
        """The normalised address, or InvalidEmail / WebmailNotAllowed."""
        email = parse_email(raw)
        if professional and self.is_free_webmail(email):
            raise WebmailNotAllowed()
        return email


@dataclass(frozen=True)
class EmailAdvice:
    """The answer to "may this address sign up as an employer?", for live hints while typing."""

    allowed: bool
    reason_code: str | None = None
    message_fr: str | None = None
    message_en: str | None = None


def advise(policy: EmailPolicy, raw: str) -> EmailAdvice:
    try:
        policy.check(raw, professional=True)
    except IdentityError as error:
        return EmailAdvice(False, error.code, error.message_fr, error.message_en)
    return EmailAdvice(True)
