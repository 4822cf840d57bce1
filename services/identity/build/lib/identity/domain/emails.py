"""Email addresses: normalisation, syntax, and the professional-address rule for employers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from identity.domain.errors import IdentityError, InvalidEmail, WebmailNotAllowed

MAX_EMAIL_LENGTH = 254


def parse_email(raw: str) -> str:
    """The one stored form of an address, or InvalidEmail.

    email-validator checks the syntax (RFC 5321/5322 as mail servers accept it, no quoted local
    parts, no IP literals, no special-use domains) and normalizes internationalized domains
    (IDNA 2008, UTS #46): "jean@exemple.québec" and "jean@exemple.xn--qubec-csa" are one address.
    The stored form is the ASCII one (every mail server and every service can use it) in lower
    case (the address is the login and compares case-insensitively). A non-ASCII local part
    (SMTPUTF8) is refused: not every mail server on the way would deliver to it.
    """
    try:
        checked = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=False, strict=True,
                                 allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False)
    except (EmailNotValidError, UnicodeError, ValueError):
        raise InvalidEmail() from None
    email = (checked.ascii_email or checked.normalized).lower()
    top_level = email.rpartition(".")[2]
    if len(email) > MAX_EMAIL_LENGTH or not (len(top_level) >= 2 and (top_level.isalpha() or
                                                                       top_level.startswith("xn--"))):
        raise InvalidEmail()  # no top-level domain has one letter or digits only: a typo
    return email


def normalise_email(raw: str) -> str:
    """The stored form when `raw` is an address, else `raw` trimmed and lower-cased (for look-ups
    that must answer "unknown" rather than "invalid", such as log-in and password reset)."""
    try:
        return parse_email(raw)
    except InvalidEmail:
        return raw.strip().lower()


def domain_of(email: str) -> str:
    return email.rpartition("@")[2]


def local_part_of(email: str) -> str:
    return email.rpartition("@")[0]


def is_valid_syntax(email: str) -> bool:
    """True for an address already in its stored form."""
    try:
        return parse_email(email) == email
    except InvalidEmail:
        return False


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
