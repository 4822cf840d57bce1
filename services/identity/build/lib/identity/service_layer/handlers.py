"""One handler per command, and the tables that map commands and events to them.

Every handler is `handler(message, uow, deps)` (plumbing.messagebus). The bus opens the unit of
work and commits when the handler returns. A handler commits itself only to keep a change while it
refuses (a failed login counts, then "invalid credentials"), to turn a lost race into a domain
error (an address taken meanwhile), or to act once the change is committed (ended sessions are
announced to the gateway after their commit). Event handlers run inside the commit, in the same
transaction: they turn domain events into integration events in the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from identity.domain import errors
from identity.domain.emails import is_valid_syntax, normalise_email
from identity.domain.events import (
    AccountRegistered,
    AccountVerified,
    Event,
    PasswordResetRequested,
    VerificationRequested,
)
from identity.domain.keys import SigningKey, published_at, rotate, signing_key_at
from identity.domain.model import (
    Account,
    AccountKind,
    OneTimeToken,
    RefreshToken,
    TokenPurpose,
    clean_locale,
    clean_name,
    hash_token,
)
from identity.domain.passwords import check_password
from identity.service_layer import commands
from identity.service_layer.ports import Dependencies
from identity.service_layer.unit_of_work import UniqueViolation, UnitOfWork

log = logging.getLogger(__name__)

#: Tokens we hand out are 43 characters; anything far off is not one of ours.
TOKEN_LENGTHS = range(20, 201)


# What handlers return -----------------------------------------------------------------------
@dataclass(frozen=True)
class AccountView:
    id: str
    email: str
    kind: str
    first_name: str
    last_name: str
    locale: str
    verified: bool
    created_at: datetime

    @classmethod
    def of(cls, account: Account) -> AccountView:
        return cls(account.id, account.email, account.kind, account.first_name, account.last_name,
                   account.locale, account.is_verified, account.created_at)


@dataclass(frozen=True)
class IssuedTokens:
    """A new session: the refresh token (for the gateway) and a first access token."""

    access_token: str
    refresh_token: str
    expires_in: int
    account_id: str
    session_id: str


@dataclass(frozen=True)
class AccessGrant:
    access_token: str
    expires_in: int


@dataclass(frozen=True)
class SigningKeyView:
    """A signing key as operators see it (never its private part)."""

    kid: str
    generation: int
    created_at: datetime
    signs_from: datetime
    published_until: datetime | None
    #: `signing` (signs now), `next` (will sign from signs_from), `retired` (published, no longer
    #: signs), `unpublished` (out of the JWKS).
    status: str


def _key_views(keys: list[SigningKey], now: datetime) -> list[SigningKeyView]:
    signer = signing_key_at(keys, now)
    published = {key.kid for key in published_at(keys, now)}

    def status(key: SigningKey) -> str:
        if signer is not None and key.kid == signer.kid:
            return "signing"
        if key.kid not in published:
            return "unpublished"
        return "retired" if key.has_started(now) else "next"

    return [SigningKeyView(key.kid, key.generation, key.created_at, key.signs_from, key.not_after, status(key))
            for key in sorted(keys, key=lambda key: key.generation)]


# Helpers ------------------------------------------------------------------------------------
def validate_new_account(email_raw: str, password: str, kind: str, first_name: str, last_name: str,
                           deps: Dependencies) -> tuple[str, str, str]:
    """The normalised email and names, or every broken rule at once (errors.InvalidInput)."""
    problems: list[errors.IdentityError] = []
    email = normalise_email(email_raw)
    try:
        email = deps.email_policy.check(email_raw, professional=kind == AccountKind.EMPLOYER)
    except errors.IdentityError as error:
        problems.append(error)
    names = []
    for value, field in ((first_name, "first_name"), (last_name, "last_name")):
        try:
            names.append(clean_name(value, field))
        except errors.IdentityError as error:
            problems.append(error)
    try:
        check_password(password, email, deps.password_policy, names=(first_name, last_name))
    except errors.IdentityError as error:
        problems.append(error)
    errors.raise_all(problems)
    return email, names[0], names[1]


def _commit_new_account(uow: UnitOfWork) -> None:
    try:
        uow.commit()
    except UniqueViolation as exc:
        raise errors.EmailAlreadyUsed() from exc


def _open_session(account: Account, uow: UnitOfWork, deps: Dependencies, now: datetime) -> IssuedTokens:
    raw = deps.new_secret()
    session = RefreshToken.issue(deps.new_id(), account.id, raw, now, deps.refresh_ttl)
    uow.refresh_tokens.add(session)
    access, expires_in = deps.signer.sign(account, session.id, now)
    return IssuedTokens(access, raw, expires_in, account.id, session.id)


def _live_account(uow: UnitOfWork, account_id: str, session_id: str | None, now: datetime) -> Account:
    """The account of a still-open session (an access token outlives its logout by minutes)."""
    session = uow.refresh_tokens.get(session_id) if session_id else None
    account = uow.accounts.get(account_id)
    if session is None or account is None or session.account_id != account_id or not session.is_active(now):
        raise errors.SessionInvalid()
    return account


def _count_failure(uow: UnitOfWork, account: Account, now: datetime, deps: Dependencies) -> list[str]:
    """A failed password; the failure that locks the account also ends all its sessions."""
    was_locked = account.is_locked(now)
    account.login_failed(now, deps.lockout)
    if account.is_locked(now) and not was_locked:
        return uow.refresh_tokens.revoke_all(account.id, now)
    return []


def announce_ended_sessions(deps: Dependencies, session_ids: list[str]) -> None:
    """Tell the gateway's token cache, after the commit, which sessions just ended.

    Should the announcement fail (Redis unreachable), the sessions are still ended in the database:
    the gateway then serves their cached access token until it expires (at most access_ttl).
    """
    if not session_ids:
        return
    try:
        deps.revoked_sessions.mark(session_ids, deps.revocation_ttl)
    except Exception:  # noqa: BLE001 - any client error: the database is the authority, log and go on
        log.exception("could not announce %d ended session(s) to the gateway's cache", len(session_ids))


def _token_of(uow: UnitOfWork, purpose: TokenPurpose, raw: str) -> OneTimeToken:
    token = uow.one_time_tokens.get_by_hash(purpose, hash_token(raw)) if len(raw) in TOKEN_LENGTHS else None
    if token is None:
        raise errors.TokenInvalid()
    return token


# Command handlers ---------------------------------------------------------------------------
def register_account(cmd: commands.RegisterAccount, uow: UnitOfWork, deps: Dependencies) -> AccountView:
    if cmd.kind not in (AccountKind.EMPLOYER, AccountKind.MEMBER):
        raise ValueError(f"sign-up is for employers and members, not {cmd.kind!r}")
    email, first_name, last_name = validate_new_account(
        cmd.email, cmd.password, cmd.kind, cmd.first_name, cmd.last_name, deps)
    password_hash = deps.hasher.hash(cmd.password)
    if uow.accounts.get_by_email(email) is not None:
        raise errors.EmailAlreadyUsed()
    now = deps.clock.now()
    account = Account(deps.new_id(), email, cmd.kind, first_name, last_name, password_hash,
                      clean_locale(cmd.locale), now)
    uow.accounts.add(account)
    raw = deps.new_secret()
    token = OneTimeToken.issue(deps.new_id(), account.id, TokenPurpose.VERIFY_EMAIL, raw, now,
                               deps.verification_ttl)
    uow.one_time_tokens.add(token)
    account.ask_verification(raw, token.expires_at)
    _commit_new_account(uow)
    return AccountView.of(account)


def create_verified_account(cmd: commands.CreateVerifiedAccount, uow: UnitOfWork,
                            deps: Dependencies) -> AccountView:
    """An operator's account (staff, demo data): the same rules as a sign-up, verified at once."""
    if cmd.kind not in set(AccountKind):
        raise ValueError(f"unknown account kind {cmd.kind!r}")
    email, first_name, last_name = validate_new_account(
        cmd.email, cmd.password, cmd.kind, cmd.first_name, cmd.last_name, deps)
    password_hash = deps.hasher.hash(cmd.password)
    if uow.accounts.get_by_email(email) is not None:
        raise errors.EmailAlreadyUsed()
    now = deps.clock.now()
    account = Account(deps.new_id(), email, cmd.kind, first_name, last_name, password_hash,
                      clean_locale(cmd.locale), now)
    uow.accounts.add(account)
    account.verify(now)
    _commit_new_account(uow)
    return AccountView.of(account)


def verify_email(cmd: commands.VerifyEmail, uow: UnitOfWork, deps: Dependencies) -> AccountView:
    token = _token_of(uow, TokenPurpose.VERIFY_EMAIL, cmd.token)
    now = deps.clock.now()
    token.use(now)
    account = uow.accounts.get(token.account_id)
    if account is None:
        raise errors.TokenInvalid()
    account.verify(now)
    return AccountView.of(account)


def request_verification_email(cmd: commands.RequestVerificationEmail, uow: UnitOfWork,
                               deps: Dependencies) -> None:
    """A new confirmation link for an unverified account; the older links expire.

    Always the same outcome for the caller: whether the address has an account, and whether it
    is verified, is not told.
    """
    email = normalise_email(cmd.email)
    if not is_valid_syntax(email):
        return
    # Locked: two requests at once cannot both pass the limit.
    account = uow.accounts.get_by_email(email, for_update=True)
    if account is None or account.is_verified:
        return
    now = deps.clock.now()
    recent = uow.one_time_tokens.count_since(account.id, TokenPurpose.VERIFY_EMAIL,
                                             now - deps.verification_window)
    if recent >= deps.max_verifications_per_window:
        return
    uow.one_time_tokens.expire_unused(account.id, TokenPurpose.VERIFY_EMAIL, now)
    raw = deps.new_secret()
    token = OneTimeToken.issue(deps.new_id(), account.id, TokenPurpose.VERIFY_EMAIL, raw, now,
                               deps.verification_ttl)
    uow.one_time_tokens.add(token)
    account.ask_verification_again(raw, token.expires_at, clean_locale(cmd.locale))


def login(cmd: commands.Login, uow: UnitOfWork, deps: Dependencies) -> IssuedTokens:
    email = normalise_email(cmd.email)
    account = uow.accounts.get_by_email(email, for_update=True) if is_valid_syntax(email) else None
    if account is None:
        deps.hasher.burn(cmd.password)
        raise errors.InvalidCredentials()
    now = deps.clock.now()
    if account.is_locked(now):
        raise errors.AccountLocked(account.locked_until, now)  # type: ignore[arg-type]
    if not deps.hasher.verify(account.password_hash, cmd.password):
        # The failure that locks the account answers like the others; the next attempt says "locked".
        ended = _count_failure(uow, account, now, deps)
        uow.commit()
        announce_ended_sessions(deps, ended)
        raise errors.InvalidCredentials()
    if account.is_deactivated:
        raise errors.AccountDeactivated()
    if not account.is_verified:
        raise errors.AccountNotVerified()
    account.login_succeeded()
    if deps.hasher.needs_rehash(account.password_hash):
        account.rehash(deps.hasher.hash(cmd.password))
    return _open_session(account, uow, deps, now)


def refresh_access(cmd: commands.RefreshAccess, uow: UnitOfWork, deps: Dependencies) -> AccessGrant:
    raw = cmd.refresh_token
    session = uow.refresh_tokens.get_by_hash(hash_token(raw)) if len(raw) in TOKEN_LENGTHS else None
    now = deps.clock.now()
    if session is None or not session.is_active(now):
        raise errors.SessionInvalid()
    account = uow.accounts.get(session.account_id)
    if account is None or account.is_deactivated:
        raise errors.SessionInvalid()
    access, expires_in = deps.signer.sign(account, session.id, now)
    return AccessGrant(access, expires_in)


def logout(cmd: commands.Logout, uow: UnitOfWork, deps: Dependencies) -> None:
    """Close the session (idempotent: an unknown or closed session is already logged out)."""
    if not cmd.session_id:
        return
    session = uow.refresh_tokens.get(cmd.session_id)
    if session is not None and session.account_id == cmd.account_id and session.revoked_at is None:
        session.revoke(deps.clock.now())


def change_password(cmd: commands.ChangePassword, uow: UnitOfWork, deps: Dependencies) -> None:
    """New password for a signed-in user; every other session of the account is closed."""
    now = deps.clock.now()
    account = _live_account(uow, cmd.account_id, cmd.session_id, now)
    check_password(cmd.new_password, account.email, deps.password_policy,
                   names=(account.first_name, account.last_name), field="new_password")
    if account.is_locked(now):
        raise errors.AccountLocked(account.locked_until, now)  # type: ignore[arg-type]
    if not deps.hasher.verify(account.password_hash, cmd.current_password):
        ended = _count_failure(uow, account, now, deps)
        uow.commit()
        announce_ended_sessions(deps, ended)
        raise errors.WrongCurrentPassword()
    if cmd.new_password == cmd.current_password:
        raise errors.SamePassword()
    account.set_password(deps.hasher.hash(cmd.new_password), now)
    ended = uow.refresh_tokens.revoke_all(account.id, now, except_id=cmd.session_id)
    uow.commit()
    announce_ended_sessions(deps, ended)


def deactivate_account(cmd: commands.DeactivateAccount, uow: UnitOfWork, deps: Dependencies) -> AccountView:
    """Staff close an account (idempotent): log-in and refresh refused, every session ended at once."""
    if cmd.actor_id is not None:
        actor = uow.accounts.get(cmd.actor_id)
        if actor is None or actor.kind != AccountKind.STAFF or actor.is_deactivated:
            raise errors.StaffOnly()
    account = uow.accounts.get(cmd.account_id)
    if account is None:
        raise errors.AccountNotFound()
    now = deps.clock.now()
    account.deactivate(now)
    ended = uow.refresh_tokens.revoke_all(account.id, now)
    uow.commit()
    view = AccountView.of(account)
    announce_ended_sessions(deps, ended)
    return view


def request_password_reset(cmd: commands.RequestPasswordReset, uow: UnitOfWork, deps: Dependencies) -> None:
    """Always the same outcome for the caller: whether the address has an account is not told."""
    email = normalise_email(cmd.email)
    if not is_valid_syntax(email):
        return
    account = uow.accounts.get_by_email(email)
    if account is None:
        return
    now = deps.clock.now()
    recent = uow.one_time_tokens.count_since(account.id, TokenPurpose.RESET_PASSWORD, now - deps.reset_ttl)
    if recent >= deps.max_resets_per_ttl:
        return
    raw = deps.new_secret()
    token = OneTimeToken.issue(deps.new_id(), account.id, TokenPurpose.RESET_PASSWORD, raw, now, deps.reset_ttl)
    uow.one_time_tokens.add(token)
    account.ask_password_reset(raw, token.expires_at, clean_locale(cmd.locale))


def reset_password(cmd: commands.ResetPassword, uow: UnitOfWork, deps: Dependencies) -> None:
    """A new password from an emailed link: every session closed, any lock-out lifted.

    The link reached the mailbox, so an account not yet verified becomes verified.
    """
    token = _token_of(uow, TokenPurpose.RESET_PASSWORD, cmd.token)
    now = deps.clock.now()
    token.ensure_usable(now)
    account = uow.accounts.get(token.account_id)
    if account is None:
        raise errors.TokenInvalid()
    check_password(cmd.new_password, account.email, deps.password_policy,
                   names=(account.first_name, account.last_name))
    token.use(now)
    account.set_password(deps.hasher.hash(cmd.new_password), now)
    account.verify(now)
    uow.one_time_tokens.spend_all(account.id, TokenPurpose.RESET_PASSWORD, now)
    ended = uow.refresh_tokens.revoke_all(account.id, now)
    uow.commit()
    announce_ended_sessions(deps, ended)


def rotate_signing_key(cmd: commands.RotateSigningKey, uow: UnitOfWork, deps: Dependencies) -> list[SigningKeyView]:
    """A new signing key; the older ones stay published until every token they signed has expired.

    Every identity process reads the new row within its reload interval, and the other services'
    verifiers fetch the JWKS again when they meet its kid: no restart anywhere.
    """
    now = deps.clock.now()
    keys = uow.signing_keys.list()
    new = deps.new_signing_key(max((key.generation for key in keys), default=0) + 1, now)
    rotate(keys, new, now, deps.key_rotation, compromised=cmd.compromised)
    uow.signing_keys.add(new)
    try:
        uow.commit()
    except UniqueViolation as exc:  # another rotation took the same generation
        raise errors.KeyRotationConflict() from exc
    return _key_views([*keys, new], now)


def list_signing_keys(cmd: commands.ListSigningKeys, uow: UnitOfWork, deps: Dependencies) -> list[SigningKeyView]:
    return _key_views(uow.signing_keys.list(), deps.clock.now())


def get_account(cmd: commands.GetAccount, uow: UnitOfWork, deps: Dependencies) -> AccountView:
    return AccountView.of(_live_account(uow, cmd.account_id, cmd.session_id, deps.clock.now()))


def find_account(cmd: commands.FindAccount, uow: UnitOfWork, deps: Dependencies) -> AccountView | None:
    account = uow.accounts.get_by_email(normalise_email(cmd.email))
    return AccountView.of(account) if account is not None else None


# Event handlers: domain events → integration events in the outbox ---------------------------
def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def publish_account_registered(event: AccountRegistered, uow: UnitOfWork, deps: Dependencies) -> None:
    uow.emit("identity.account.registered", {
        "account_id": event.account_id,
        "email": event.email,
        "kind": event.kind,
        "locale": event.locale,
        "first_name": event.first_name,
        "last_name": event.last_name,
        "verification_token": event.verification_token,
        "verification_expires_at": _instant(event.verification_expires_at),
        "verification_url": f"{deps.public_url}/compte/verifier?token={event.verification_token}",
    })


def publish_verification_requested(event: VerificationRequested, uow: UnitOfWork, deps: Dependencies) -> None:
    data = {
        "account_id": event.account_id,
        "email": event.email,
        "kind": event.kind,
        "locale": event.locale,
        "verification_token": event.verification_token,
        "verification_expires_at": _instant(event.verification_expires_at),
    }
    if event.first_name:
        data["first_name"] = event.first_name
    uow.emit("identity.account.verification_requested", data)


def publish_account_verified(event: AccountVerified, uow: UnitOfWork, deps: Dependencies) -> None:
    uow.emit("identity.account.verified", {
        "account_id": event.account_id, "email": event.email, "kind": event.kind, "locale": event.locale,
    })


def publish_password_reset_requested(event: PasswordResetRequested, uow: UnitOfWork, deps: Dependencies) -> None:
    uow.emit("identity.password.reset_requested", {
        "account_id": event.account_id,
        "email": event.email,
        "locale": event.locale,
        "reset_token": event.reset_token,
        "reset_expires_at": _instant(event.reset_expires_at),
        "reset_url": f"{deps.public_url}/compte/reinitialiser?token={event.reset_token}",
    })


CommandHandler = Callable[[Any, UnitOfWork, Dependencies], Any]
EventHandler = Callable[[Any, UnitOfWork, Dependencies], None]

COMMAND_HANDLERS: dict[type[commands.Command], CommandHandler] = {
    commands.RegisterAccount: register_account,
    commands.CreateVerifiedAccount: create_verified_account,
    commands.VerifyEmail: verify_email,
    commands.RequestVerificationEmail: request_verification_email,
    commands.Login: login,
    commands.RefreshAccess: refresh_access,
    commands.Logout: logout,
    commands.ChangePassword: change_password,
    commands.DeactivateAccount: deactivate_account,
    commands.RequestPasswordReset: request_password_reset,
    commands.ResetPassword: reset_password,
    commands.RotateSigningKey: rotate_signing_key,
    commands.ListSigningKeys: list_signing_keys,
    commands.GetAccount: get_account,
    commands.FindAccount: find_account,
}

EVENT_HANDLERS: dict[type[Event], list[EventHandler]] = {
    AccountRegistered: [publish_account_registered],
    VerificationRequested: [publish_verification_requested],
    AccountVerified: [publish_account_verified],
    PasswordResetRequested: [publish_password_reset_requested],
}
