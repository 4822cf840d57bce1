"""The free-webmail domains employers may not sign up with: a data file shipped with the package."""

from __future__ import annotations

from importlib import resources

from identity.domain.emails import EmailPolicy


def load_email_policy() -> EmailPolicy:
    text = resources.files("identity").joinpath("data/free_webmail_domains.txt").read_text(encoding="utf-8")
    return EmailPolicy.of(line.split("#", 1)[0] for line in text.splitlines())
