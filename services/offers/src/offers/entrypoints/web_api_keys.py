"""« Clés d'API » (/employeur/cles-api): a principal·e creates and revokes the keys of the group's
HR systems (DESIGN.md, "API keys"). The key is shown once, on the page that answers the creation
(never in a URL, never again); the list shows each key's prefix, name, creator, dates and a
revoke button. CSRF tokens are the gateway's (the `ui.csrf()` field); the group is the portal's
active group (`groupe` cookie), checked against the membership projection.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from flask import Blueprint, abort, current_app, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from offers.domain.api_keys import NAME_MAX, ApiKeyRefused
from offers.service_layer import api_keys as keys
from plumbing.auth.permissions import NotAMember, Role
from plumbing.auth.tokens import Principal
from plumbing.messagebus import MessageBus
from plumbing.web.pages import current_locale, current_user

blueprint = Blueprint("offers_api_keys", __name__)
F = TypeVar("F", bound=Callable[..., Any])
#: bootstrap.BUS_KEY (entrypoints do not import bootstrap).
BUS_KEY = "offers_bus"
#: The portal's cookie naming the active group.
GROUP_COOKIE = "groupe"
PAGE = "/employeur/cles-api"


def _bus() -> MessageBus[Any]:
    return current_app.extensions[BUS_KEY]  # type: ignore[no-any-return]


def _employer(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_user()
        if principal is None:
            return redirect(f"/compte/connexion?next={quote(request.path, safe='/')}", 303)
        if principal.kind != "employer":
            abort(403)
        try:
            return view(principal, *args, **kwargs)
        except NotAMember:
            return render_template("error.html", status=404, message=_("Cette page est introuvable.")), 404

    return wrapper  # type: ignore[return-value]


def _groups(principal: Principal) -> list[dict[str, Any]]:
    return _bus().query(lambda uow: uow.memberships.groups_of(principal.account_id))


def _group(principal: Principal, groups: list[dict[str, Any]]) -> dict[str, Any] | None:
    wanted = request.form.get("group_id") or request.args.get("groupe")
    if wanted and not any(gr["id"] == wanted for gr in groups):
        raise NotAMember(wanted)
    for candidate in (wanted, request.cookies.get(GROUP_COOKIE)):
        for group in groups:
            if candidate and group["id"] == candidate:
                return group
    return groups[0] if groups else None


def _render(
    principal: Principal,
    groups: list[dict[str, Any]],
    group: dict[str, Any],
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    new_key: Any = None,
    name: str = "",
    flashes: list[tuple[str, str]] | None = None,
) -> tuple[str, int]:
    found = _bus().query(keys.group_api_keys, principal.account_id, group["id"])
    several = len({gr.get("company_name", "") for gr in groups}) > 1
    switcher = [
        {"id": gr["id"], "name": f"{gr['company_name']} — {gr['name']}" if several else gr["name"]} for gr in groups
    ]
    notices = list(flashes or [])
    if request.args.get("ok") == "revoquee":
        notices.append(("success", _("La clé est révoquée : elle ne fonctionne plus.")))
    body = render_template(
        "offers/api_keys.html",
        group=group,
        keys=found,
        errors=errors or {},
        new_key=new_key,
        name=name,
        name_max=NAME_MAX,
        groups=switcher,
        current_group={"id": group["id"]},
        flashes=notices,
        can_act=True,
    )
    return body, status


def _principal_group(principal: Principal) -> tuple[list[dict[str, Any]], dict[str, Any] | None, Any]:
    groups = _groups(principal)
    group = _group(principal, groups)
    if group is None:
        return groups, None, redirect("/entreprises/", 303)
    if group.get("role") != Role.PRINCIPAL:
        message = _("Seul·e un·e responsable principal·e du groupe gère ses clés d'API.")
        return groups, group, (render_template("error.html", status=403, message=message), 403)
    return groups, group, None


@blueprint.get(PAGE)
@_employer
def api_keys_page(principal: Principal) -> Any:
    groups, group, refusal = _principal_group(principal)
    if refusal is not None:
        return refusal
    assert group is not None
    return _render(principal, groups, group)


@blueprint.post(PAGE)
@_employer
def create_key(principal: Principal) -> Any:
    groups, group, refusal = _principal_group(principal)
    if refusal is not None:
        return refusal
    assert group is not None
    name = request.form.get("name", "")[:1000]
    try:
        issued = _bus().handle(keys.IssueApiKey(group["id"], name, principal.account_id, principal.email))
    except ApiKeyRefused as exc:
        message = exc.message_en if current_locale() == "en" else exc.message_fr
        return _render(
            principal,
            groups,
            group,
            status=exc.status if exc.status != 404 else 422,
            errors={exc.field or "form": message},
            name=name,
        )
    # The key is on this page only: it is neither stored nor shown again (no redirect, no URL).
    return _render(principal, groups, group, status=201, new_key=issued)


@blueprint.post(f"{PAGE}/<key_id>/revoquer")
@_employer
def revoke_key(principal: Principal, key_id: str) -> Response | tuple[str, int]:
    groups, group, refusal = _principal_group(principal)
    if refusal is not None:
        return refusal  # type: ignore[no-any-return]
    assert group is not None
    try:
        _bus().handle(keys.RevokeApiKey(group["id"], key_id[:36], principal.account_id))
    except ApiKeyRefused as exc:
        message = exc.message_en if current_locale() == "en" else exc.message_fr
        return _render(principal, groups, group, status=exc.status, flashes=[("error", message)])
    return redirect(f"{PAGE}?ok=revoquee", 303)
