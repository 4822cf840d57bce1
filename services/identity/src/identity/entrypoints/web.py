"""identity's pages under /compte: sign-up, email confirmation, log in and out, passwords.

Server-rendered, working without JavaScript, French by default. Every form carries the gateway's
CSRF token; refused input is shown next to its field and kept (never a password). Logging in
answers with `X-Session-Grant`, logging out with `X-Session-End` (docs/decisions.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from identity.domain import errors
from identity.domain.model import AccountKind
from identity.service_layer import commands, views
from identity.service_layer.messagebus import MessageBus
from plumbing.auth.tokens import get_verifier
from plumbing.web.pages import current_locale, current_user, local_path

blueprint = Blueprint("identity", __name__, url_prefix="/compte")

ACCOUNT_HOME = "/compte/"
#: Where a login without `next` lands: employers in the Portail des entreprises (which sends a user
#: without a group to the request wizard), staff in the moderation UI, job seekers (members) in their
#: space, the mailer's /membre/ (followed companies, subscriptions).
HOME_BY_KIND = {"employer": "/entreprises/", "staff": "/moderation/", "member": "/membre/"}
#: Longest value read from a form field; longer input is cut (the rules then refuse it).
MAX_FIELD = 1024
FORM_ERROR = "form"
#: The login page answers with the API's statuses (the form is shown again in every case).
LOGIN_STATUS: dict[type[errors.IdentityError], int] = {
    errors.InvalidCredentials: 401,
    errors.AccountNotVerified: 403,
    errors.AccountLocked: 423,
    errors.AccountDeactivated: 403,
}


@dataclass(frozen=True)
class PagesDependencies:
    bus: MessageBus


def _bus() -> MessageBus:
    deps: PagesDependencies = current_app.extensions["identity"]
    return deps.bus


def _field(name: str) -> str:
    value = request.form.get(name, "")
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _arg(name: str) -> str:
    value = request.args.get(name, "")
    return value[:MAX_FIELD]


def field_errors(error: errors.IdentityError) -> dict[str, str]:
    """Messages by field name (in the page's language); errors of no field go under "form"."""
    locale = current_locale()
    found: dict[str, str] = {}
    for part in errors.per_field(error):
        key = part.field or FORM_ERROR
        found[key] = f"{found[key]} {part.message(locale)}" if key in found else part.message(locale)
    return found


def safe_next(value: str | None) -> str:
    """A local path to go to after logging in, or the account home (no open redirect)."""
    return local_path(value, ACCOUNT_HOME)


def _see_other(location: str, headers: dict[str, str] | None = None) -> Response:
    response = redirect(location, code=303)
    for key, val in (headers or {}).items():
        response.headers[key] = val
    return response


def _login_redirect() -> Response:
    return _see_other("/compte/connexion?next=" + quote(request.path, safe="/"))


def _render(template: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    return render_template(template, **context), status


# Sign-up ------------------------------------------------------------------------------------
def _signup(kind: str) -> ResponseReturnValue:
    template = "identity/signup.html"
    values = {name: "" for name in ("email", "first_name", "last_name")}
    if request.method == "GET":
        return _render(template, kind=kind, values=values, errors={})
    values = {name: _field(name).strip() for name in values}
    password = _field("password")
    problems: dict[str, str] = {}
    if password != _field("password_confirmation"):
        problems["password_confirmation"] = _("Les deux mots de passe ne correspondent pas.")
    command = commands.RegisterAccount(email=values["email"], password=password, kind=kind,
                                       first_name=values["first_name"], last_name=values["last_name"],
                                       locale=current_locale())
    try:
        if problems:  # still apply the rules, so every problem shows at once; nothing is created
            views.check_registration(_bus().deps, command)
        else:
            _bus().handle(command)
    except errors.IdentityError as error:
        problems = {**field_errors(error), **problems}
    if problems:
        return _render(template, 422, kind=kind, values=values, errors=problems)
    return _see_other("/compte/inscription/envoyee")


@blueprint.route("/inscription", methods=["GET", "POST"])
def signup_employer() -> ResponseReturnValue:
    return _signup(AccountKind.EMPLOYER)


@blueprint.route("/inscription/membre", methods=["GET", "POST"])
def signup_member() -> ResponseReturnValue:
    return _signup(AccountKind.MEMBER)


@blueprint.get("/inscription/envoyee")
def signup_sent() -> ResponseReturnValue:
    return _render("identity/signup_sent.html")


# Email confirmation -------------------------------------------------------------------------
@blueprint.get("/verifier")
def verify_form() -> ResponseReturnValue:
    # Never verify on GET: mail scanners fetch links. The button POSTs the token.
    return _render("identity/verify.html", token=_arg("token"), done=False, error=None)


@blueprint.post("/verifier")
def verify_submit() -> ResponseReturnValue:
    token = _field("token")
    try:
        _bus().handle(commands.VerifyEmail(token=token))
    except errors.IdentityError as error:
        return _render("identity/verify.html", 422, token=token, done=False, error=error.message(current_locale()),
                       used=isinstance(error, errors.TokenAlreadyUsed),
                       expired=isinstance(error, errors.TokenExpired))
    return _render("identity/verify.html", token="", done=True, error=None)


@blueprint.route("/verification/renvoyer", methods=["GET", "POST"])
def resend_verification() -> ResponseReturnValue:
    """A new confirmation link; the same answer whatever the address (no account enumeration)."""
    return _ask_by_email("identity/resend_verification.html", commands.RequestVerificationEmail)


def _ask_by_email(template: str, command: type[commands.RequestVerificationEmail | commands.RequestPasswordReset],
                  ) -> ResponseReturnValue:
    """A form that asks for an address and always gives the same answer (no account enumeration)."""
    if request.method == "GET":
        return _render(template, values={"email": ""}, errors={}, sent=False)
    email = _field("email").strip()
    if not email:
        return _render(template, 422, values={"email": email}, sent=False,
                       errors={"email": _("Entrez l'adresse courriel de votre compte.")})
    _bus().handle(command(email=email, locale=current_locale()))
    return _render(template, values={"email": email}, errors={}, sent=True)


# Logging in and out -------------------------------------------------------------------------
@blueprint.route("/connexion", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    template = "identity/login.html"
    if request.method == "GET":
        # No `next` asked for: leave the field empty, so the login lands on the kind's home.
        return _render(template, values={"email": ""}, next=safe_next(_arg("next")) if _arg("next") else "",
                       errors={})
    email = _field("email").strip()
    target = safe_next(_field("next"))
    try:
        issued = _bus().handle(commands.Login(email=email, password=_field("password")))
    except errors.IdentityError as error:
        return _render(template, LOGIN_STATUS.get(type(error), 422), values={"email": email},
                       next=target if _field("next") else "",
                       errors=field_errors(error), locked=isinstance(error, errors.AccountLocked),
                       unverified=isinstance(error, errors.AccountNotVerified))
    if target == ACCOUNT_HOME and _field("next") != ACCOUNT_HOME:  # no usable `next`: the kind's home
        kind = get_verifier().verify(issued.access_token).kind
        target = HOME_BY_KIND.get(kind, ACCOUNT_HOME)
    return _see_other(target, {"X-Session-Grant": issued.refresh_token, "Cache-Control": "no-store"})


@blueprint.post("/deconnexion")
def logout() -> ResponseReturnValue:
    principal = current_user()
    if principal is not None:
        _bus().handle(commands.Logout(principal.account_id, principal.session_id))
    return _see_other("/", {"X-Session-End": "1"})


# Passwords ----------------------------------------------------------------------------------
@blueprint.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    return _ask_by_email("identity/forgot.html", commands.RequestPasswordReset)


@blueprint.route("/reinitialiser", methods=["GET", "POST"])
def reset_password() -> ResponseReturnValue:
    template = "identity/reset.html"
    if request.method == "GET":
        return _render(template, token=_arg("token"), errors={}, done=False)
    token = _field("token")
    password = _field("password")
    if password != _field("password_confirmation"):
        return _render(template, 422, token=token, done=False,
                       errors={"password_confirmation": _("Les deux mots de passe ne correspondent pas.")})
    try:
        _bus().handle(commands.ResetPassword(token=token, new_password=password))
    except errors.IdentityError as error:
        return _render(template, 422, token=token, done=False, errors=field_errors(error))
    return _render(template, token="", errors={}, done=True)


@blueprint.route("/mot-de-passe", methods=["GET", "POST"])
def change_password() -> ResponseReturnValue:
    principal = current_user()
    if principal is None:
        return _login_redirect()
    template = "identity/change_password.html"
    if request.method == "GET":
        return _render(template, errors={})
    new_password = _field("new_password")
    if new_password != _field("new_password_confirmation"):
        return _render(template, 422,
                       errors={"new_password_confirmation": _("Les deux mots de passe ne correspondent pas.")})
    try:
        _bus().handle(commands.ChangePassword(principal.account_id, principal.session_id,
                                              current_password=_field("current_password"),
                                              new_password=new_password))
    except errors.SessionInvalid:
        return _login_redirect()
    except errors.IdentityError as error:
        return _render(template, 422, errors=field_errors(error))
    return _see_other(ACCOUNT_HOME + "?mot-de-passe=change")


# Account home -------------------------------------------------------------------------------
@blueprint.get("/")
def account_home() -> ResponseReturnValue:
    principal = current_user()
    if principal is None:
        return _login_redirect()
    try:
        account = _bus().handle(commands.GetAccount(principal.account_id, principal.session_id))
    except errors.SessionInvalid:
        return _login_redirect()
    changed = request.args.get("mot-de-passe") == "change"
    return _render("identity/account.html", account=account, password_changed=changed)
