"""The API operations of contracts/identity.yaml (connexion AsyncApp, operation ids relative here).

Each function only translates: JSON in → a command for the bus → JSON out; domain errors become
problem+json with their French and English messages and the offending field. Functions that
touch the database are plain `def` (connexion runs them in the capped thread pool); `get_jwks`
and `get_email_policy` never block and are `async def`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from connexion import request

from identity.adapters.keystore import SigningKeyStore
from identity.domain import errors
from identity.domain.emails import EmailPolicy
from identity.service_layer import commands, views
from identity.service_layer.handlers import AccountView
from identity.service_layer.messagebus import MessageBus
from plumbing.auth.tokens import Principal
from plumbing.web.locale import locale_from_headers
from plumbing.web.problem import ApiProblem


@dataclass(frozen=True)
class ApiDependencies:
    bus: MessageBus
    keystore: SigningKeyStore
    email_policy: EmailPolicy


_deps: ApiDependencies | None = None


def init(deps: ApiDependencies) -> None:
    """Give the operations their dependencies (bootstrap calls it; nothing is built at import)."""
    global _deps
    _deps = deps


def _dependencies() -> ApiDependencies:
    if _deps is None:
        raise RuntimeError("identity API used before identity.bootstrap.bootstrap()")
    return _deps


STATUS_OF: dict[type[errors.IdentityError], int] = {
    errors.InvalidEmail: 422,
    errors.WebmailNotAllowed: 422,
    errors.InvalidName: 422,
    errors.WeakPassword: 422,
    errors.SamePassword: 422,
    errors.InvalidInput: 422,
    errors.WrongCurrentPassword: 422,
    errors.EmailAlreadyUsed: 409,
    errors.InvalidCredentials: 401,
    errors.SessionInvalid: 401,
    errors.AccountNotVerified: 403,
    errors.AccountLocked: 423,
    errors.AccountDeactivated: 403,
    errors.StaffOnly: 403,
    errors.AccountNotFound: 404,
    errors.TokenInvalid: 400,
    errors.TokenExpired: 410,
    errors.TokenAlreadyUsed: 410,
}

JSON = "application/json"
NO_STORE = {"Cache-Control": "no-store"}
Reply = tuple[Any, int, dict[str, str]]


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Reply:
    # The contract lists problem+json beside JSON: connexion needs the success type spelled out.
    return body, status, {"Content-Type": JSON, **(headers or {})}


def to_problem(error: errors.IdentityError) -> ApiProblem:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, errors.AccountLocked) else None
    return ApiProblem(STATUS_OF.get(type(error), 400), error.code, error.message_fr, error.message_en,
                      field=error.field, headers=headers)


def _handle(command: commands.Command) -> Any:
    try:
        return _dependencies().bus.handle(command)
    except errors.IdentityError as error:
        raise to_problem(error) from error


def _request_locale() -> str:
    return locale_from_headers({k.lower(): v for k, v in request.headers.items()})


def _principal(token_info: dict[str, Any]) -> Principal:
    return token_info["principal"]


def account_json(view: AccountView) -> dict[str, Any]:
    return {
        "id": view.id,
        "email": view.email,
        "kind": view.kind,
        "first_name": view.first_name,
        "last_name": view.last_name,
        "locale": view.locale,
        "verified": view.verified,
        "created_at": view.created_at.isoformat().replace("+00:00", "Z"),
    }


# Accounts -----------------------------------------------------------------------------------
def create_account(body: dict[str, Any]) -> Reply:
    view = _handle(commands.RegisterAccount(
        email=body["email"], password=body["password"], kind=body["kind"],
        first_name=body["first_name"], last_name=body["last_name"],
        locale=body.get("locale") or _request_locale(),
    ))
    return _json(account_json(view), 201, {"Location": "/api/identity/v1/accounts/me"})


def verify_account(body: dict[str, Any]) -> Reply:
    return _json(account_json(_handle(commands.VerifyEmail(token=body["token"]))), 200)


def request_verification_email(body: dict[str, Any]) -> tuple[None, int]:
    _handle(commands.RequestVerificationEmail(email=body["email"], locale=body.get("locale") or _request_locale()))
    return None, 202


def get_me(token_info: dict[str, Any]) -> Reply:
    principal = _principal(token_info)
    view = _handle(commands.GetAccount(principal.account_id, principal.session_id))
    return _json(account_json(view), 200)


def change_password(body: dict[str, Any], token_info: dict[str, Any]) -> tuple[None, int]:
    principal = _principal(token_info)
    _handle(commands.ChangePassword(principal.account_id, principal.session_id,
                                    current_password=body["current_password"], new_password=body["new_password"]))
    return None, 204


def deactivate_account(account_id: str, token_info: dict[str, Any]) -> tuple[None, int]:
    """OIQ staff only: the account can no longer log in and every one of its sessions ends now."""
    principal = _principal(token_info)
    if principal.kind != "staff":
        raise to_problem(errors.StaffOnly())
    _handle(commands.DeactivateAccount(account_id=account_id, actor_id=principal.account_id))
    return None, 204


# Sessions -----------------------------------------------------------------------------------
def create_session(body: dict[str, Any]) -> Reply:
    issued = _handle(commands.Login(email=body["email"], password=body["password"]))
    return _json({
        "access_token": issued.access_token,
        "refresh_token": issued.refresh_token,
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
    }, 201, NO_STORE)


def refresh_token(body: dict[str, Any]) -> Reply:
    grant = _handle(commands.RefreshAccess(refresh_token=body["refresh_token"]))
    return _json({"access_token": grant.access_token, "token_type": "Bearer", "expires_in": grant.expires_in},
                 200, NO_STORE)


def delete_current_session(token_info: dict[str, Any]) -> tuple[None, int]:
    principal = _principal(token_info)
    _handle(commands.Logout(principal.account_id, principal.session_id))
    return None, 204


# Passwords ----------------------------------------------------------------------------------
def request_password_reset(body: dict[str, Any]) -> tuple[None, int]:
    _handle(commands.RequestPasswordReset(email=body["email"], locale=body.get("locale") or _request_locale()))
    return None, 202


def confirm_password_reset(body: dict[str, Any]) -> tuple[None, int]:
    _handle(commands.ResetPassword(token=body["token"], new_password=body["password"]))
    return None, 204


# Keys and hints (never block) ---------------------------------------------------------------
async def get_jwks() -> Reply:
    keystore = _dependencies().keystore
    if not keystore.loaded:  # first call in this process only: read the keys off the event loop
        await anyio.to_thread.run_sync(keystore.ensure_loaded)
    return _json(keystore.jwks(), 200, {"Cache-Control": "public, max-age=300"})


async def get_email_policy(email: str) -> Reply:
    advice = views.email_advice(_dependencies().email_policy, email)
    body = {"allowed": advice.allowed}
    if not advice.allowed:
        body.update(reason_code=advice.reason_code, message_fr=advice.message_fr, message_en=advice.message_en)
    return _json(body, 200)
