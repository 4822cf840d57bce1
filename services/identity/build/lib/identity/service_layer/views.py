"""Read-only answers that need no unit of work."""

from __future__ import annotations

from identity.domain.emails import EmailAdvice, EmailPolicy, advise
from identity.service_layer.commands import RegisterAccount
from identity.service_layer.handlers import validate_new_account
from identity.service_layer.ports import Dependencies

MAX_EMAIL_INPUT = 320


def email_advice(policy: EmailPolicy, raw_email: str) -> EmailAdvice:
    """May this address sign up as an employer? (live hint while typing; pure CPU)."""
    return advise(policy, raw_email[:MAX_EMAIL_INPUT])


def check_registration(deps: Dependencies, cmd: RegisterAccount) -> None:
    """Apply the sign-up rules without creating anything (a form refused for another reason)."""
    validate_new_account(cmd.email, cmd.password, cmd.kind, cmd.first_name, cmd.last_name, deps)
