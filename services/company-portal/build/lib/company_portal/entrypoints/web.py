"""The portal's pages (Flask, served under /entreprises): shared helpers and registration.

Pages call the service layer through the bus, never the API. Every page needs a signed-in
employer (else 303 to the login page); group pages act on the active group (cookie `groupe`,
checked against the caller's memberships) and fill the layout's group switcher.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from company_portal.domain import errors
from company_portal.service_layer import views
from company_portal.service_layer.messagebus import MessageBus
from plumbing.auth.permissions import NotAMember, PermissionDenied
from plumbing.auth.tokens import Principal
from plumbing.web.pages import current_locale, current_user, date_long

F = TypeVar("F", bound=Callable[..., Any])
GROUP_COOKIE = "groupe"

blueprint = Blueprint("portal", __name__, url_prefix="/entreprises")


def bus() -> MessageBus:
    return current_app.extensions["company_portal"]


def me() -> Principal:
    principal = current_user()
    assert principal is not None
    return principal


def employer_required(view: F) -> F:
    """303 to the login page when signed out; 403 for accounts that are not employers."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_user()
        if principal is None:
            target = request.full_path.rstrip("?") if request.query_string else request.path
            if request.method != "GET":
                target = request.path
            return redirect(f"/compte/connexion?next={quote(target, safe='/')}", 303)
        if principal.kind != "employer":
            abort(403)
        try:
            return view(*args, **kwargs)
        except ForeignGroup:
            return foreign_group_page()
        except NotAMember:
            abort(404)
        except PermissionDenied:
            abort(403)

    return wrapper  # type: ignore[return-value]


def my_groups() -> list[dict[str, Any]]:
    if "portal_groups" not in g:
        g.portal_groups = bus().query(views.my_groups, me().account_id)
    return g.portal_groups


def active_group(wanted: str | None = None) -> dict[str, Any] | None:
    """The group a page acts on: the form's, else the `groupe` cookie's, else the first one."""
    groups = my_groups()
    for candidate in (wanted, request.cookies.get(GROUP_COOKIE)):
        for group in groups:
            if candidate and group["id"] == candidate:
                return group
    return groups[0] if groups else None


class ForeignGroup(Exception):
    """A form or link named a group the caller does not belong to."""


def requested_group(wanted: str | None) -> dict[str, Any] | None:
    """The group a form acts on: `wanted` (the form's `group_id` or the `groupe` parameter) must be
    one of the caller's groups, else ForeignGroup; without it, the active group.

    Never falls back to another group when one is named: a form aimed at a foreign group must change
    nothing, not save into the caller's own group.
    """
    if wanted and not any(group["id"] == wanted for group in my_groups()):
        raise ForeignGroup(wanted)
    return active_group(wanted)


def foreign_group_page() -> tuple[str, int]:
    message = _("Vous n'êtes pas membre de ce groupe : rien n'a été modifié.")
    return render_template("error.html", status=404, message=message), 404


def switcher_groups() -> list[dict[str, str]]:
    several_companies = len({gr["company_id"] for gr in my_groups()}) > 1
    return [{"id": gr["id"], "name": f"{gr['company_name']} — {gr['name']}" if several_companies else gr["name"]}
            for gr in my_groups()]


NOTICES: dict[str, Callable[[], str]] = {
    "envoyee": lambda: _("Votre demande est en attente d'approbation."),
    "profil": lambda: _("Votre profil est enregistré."),
    "entreprise": lambda: _("Les informations de l'entreprise sont enregistrées."),
    "logo": lambda: _("Le logo est enregistré."),
    "role": lambda: _("Le rôle est modifié."),
    "retrait": lambda: _("L'utilisateur est retiré du groupe."),
    "approuvee": lambda: _("La demande est approuvée."),
    "refusee": lambda: _("La demande est refusée."),
}


def render_page(template: str, *, group: dict[str, Any] | None = None, status: int = 200,
                flashes: list[tuple[str, str]] | None = None, **context: Any) -> tuple[str, int]:
    notices = list(flashes or [])
    notice = request.args.get("ok", "")
    if notice in NOTICES:
        notices.insert(0, ("success", NOTICES[notice]()))
    current = group or active_group()
    body = render_template(
        template, groups=switcher_groups(), current_group={"id": current["id"]} if current else None,
        group=current, flashes=notices, nav=request.endpoint, **context)
    return body, status


def field_errors(exc: errors.PortalError) -> dict[str, str]:
    if isinstance(exc, errors.InvalidInput):
        return exc.by_field(current_locale())
    return {exc.field or "_form": exc.message(current_locale())}


def error_message(exc: errors.PortalError) -> str:
    return exc.message(current_locale())


def form() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def see_other(location: str, notice: str | None = None) -> Response:
    suffix = f"?ok={notice}" if notice else ""
    return redirect(location + suffix, 303)


def safe_back(target: str | None, fallback: str = "/entreprises/mon-entreprise") -> str:
    """Only local paths: never redirect to another site."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


@blueprint.get("/")
@blueprint.get("")
@employer_required
def home() -> Response:
    if my_groups():
        return redirect("/entreprises/mon-entreprise", 303)
    if bus().query(views.my_requests, me().account_id):
        return redirect("/entreprises/mes-demandes", 303)
    return redirect("/entreprises/demande", 303)


@blueprint.post("/groupe-actif")
@employer_required
def switch_group() -> Response:
    wanted = request.form.get("group_id", "")
    if not any(group["id"] == wanted for group in my_groups()):
        abort(404)
    back = safe_back(request.form.get("next") or request.referrer and urlsplit(request.referrer).path)
    response = redirect(back, 303)
    response.set_cookie(GROUP_COOKIE, wanted, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=request.headers.get("X-Forwarded-Proto", request.scheme) == "https", path="/")
    return response


def register_pages(app: Flask, message_bus: MessageBus) -> None:
    """Attach the portal's pages to the service's Flask app."""
    from company_portal.entrypoints import web_groups, web_wizard  # noqa: F401 - their routes join the blueprint

    app.extensions["company_portal"] = message_bus
    app.register_blueprint(blueprint)
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["status_label"] = status_label
    app.jinja_env.globals["kind_label"] = kind_label
    app.jinja_env.filters["local_date"] = local_date


def local_date(value: datetime | None) -> str:
    """A day in words, in Québec time (« 2 décembre 2026 »)."""
    return date_long(value)


def role_label(role: str | None) -> str:
    return {"principal": _("Responsable principal·e"), "affichage": _("Responsable de l'affichage"),
            "finances": _("Responsable des finances")}.get(role or "", role or "")


def status_label(status: str) -> str:
    return {"en_attente": _("En attente d'approbation"), "approuvee": _("Approuvée"),
            "refusee": _("Refusée")}.get(status, status)


def kind_label(kind: str) -> str:
    return {"join_group": _("Joindre un groupe existant"), "new_group": _("Nouveau groupe"),
            "company_creation": _("Création d'entreprise")}.get(kind, kind)
