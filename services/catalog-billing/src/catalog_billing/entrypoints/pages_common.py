"""What every employer page of catalog-billing shares: the signed-in employer, the active group,
the group switcher, the cart count in the header, errors next to their fields.

Pages call the service layer through the bus, never the API (as company-portal's pages do). Every
page needs a signed-in employer (else 303 to the login page, back here afterwards). The active
group is the portal's `groupe` cookie (set by the layout's switcher, `/entreprises/groupe-actif`),
checked against this service's membership projection; a group the caller does not belong to is a
404 and nothing changes.

    from catalog_billing.entrypoints.pages_common import employer_required, render_page, requested_group

    @blueprint.get("/employeur/transactions")
    @employer_required
    def history():
        group = requested_group(request.args.get("groupe"))   # None: no group yet (portal's wizard)
        return render_page("billing/history.html", group=group, invoices=...)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from catalog_billing.domain.errors import BillingError
from catalog_billing.service_layer import views
from catalog_billing.service_layer.access import Actor
from plumbing.auth.permissions import NotAMember, Permission, PermissionDenied, allows
from plumbing.auth.tokens import Principal
from plumbing.messagebus import MessageBus
from plumbing.web.pages import current_locale, current_user, login_redirect

F = TypeVar("F", bound=Callable[..., Any])
#: The portal's cookie naming the active group (company_portal.entrypoints.web.GROUP_COOKIE).
GROUP_COOKIE = "groupe"
#: Where bootstrap puts the bus (bootstrap.BUS_KEY; repeated here: entrypoints do not import bootstrap).
BUS_KEY = "catalog_billing_bus"


def bus() -> MessageBus[Any]:
    return current_app.extensions[BUS_KEY]


def me() -> Principal:
    principal = current_user()
    assert principal is not None  # employer_required ran first
    return principal


def actor() -> Actor:
    """The signed-in employer as the service layer's `Actor` (never staff on these pages)."""
    return Actor(me().account_id)


class ForeignGroup(Exception):
    """A form, link or cookie named a group the caller does not belong to."""


def employer_required(view: F) -> F:
    """303 to the login page when signed out; 403 for accounts that are not employers; 404 for a
    group (or its resources) the caller does not belong to; 403 for a role that lacks the permission."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_user()
        if principal is None:
            return login_redirect()
        if principal.kind != "employer":
            abort(403)
        try:
            return view(*args, **kwargs)
        except (ForeignGroup, NotAMember):
            return foreign_group_page()
        except PermissionDenied:
            abort(403)

    return wrapper  # type: ignore[return-value]


def my_groups() -> list[dict[str, Any]]:
    """The caller's groups (id, name, company_name, role), from the membership projection."""
    if "billing_groups" not in g:
        g.billing_groups = bus().query(views.my_groups, me().account_id)
    return g.billing_groups  # type: ignore[no-any-return]


def active_group(wanted: str | None = None) -> dict[str, Any] | None:
    """The group a page acts on: `wanted`, else the `groupe` cookie's, else the first one."""
    groups = my_groups()
    for candidate in (wanted, request.cookies.get(GROUP_COOKIE)):
        for group in groups:
            if candidate and group["id"] == candidate:
                return group
    return groups[0] if groups else None


def requested_group(wanted: str | None = None) -> dict[str, Any] | None:
    """The group named by a form (`group_id`) or a link (`?groupe=`) must be one of the caller's
    (else ForeignGroup: 404, nothing changes); without one, the active group. None: no group at all."""
    if wanted and not any(group["id"] == wanted for group in my_groups()):
        raise ForeignGroup(wanted)
    return active_group(wanted)


def group_or_portal(wanted: str | None = None) -> dict[str, Any] | Response:
    """The requested group, or a 303 to the portal (its wizard) for an employer with no group yet."""
    group = requested_group(wanted if wanted is not None else (request.form.get("group_id")
                                                               or request.args.get("groupe")))
    if group is None:
        return redirect("/entreprises/", 303)
    return group


def can(group: dict[str, Any], permission: Permission) -> bool:
    return allows(group.get("role"), permission)


def foreign_group_page() -> tuple[str, int]:
    message = _("Cette page est introuvable.")
    return render_template("error.html", status=404, message=message), 404


def switcher_groups() -> list[dict[str, str]]:
    several_companies = len({gr.get("company_name", "") for gr in my_groups()}) > 1
    return [{"id": gr["id"], "name": f"{gr['company_name']} — {gr['name']}" if several_companies else gr["name"]}
            for gr in my_groups()]


def cart_count(group: dict[str, Any] | None) -> int:
    """How many lines the group's cart holds (the header's cart link)."""
    if group is None:
        return 0
    return int(bus().query(views.cart_count, group["id"]))


#: `?ok=<notice>` → the success message shown at the top of the next page. Each page module adds
#: its own: `NOTICES["copie"] = lambda: _("…")`.
NOTICES: dict[str, Callable[[], str]] = {}


def render_page(template: str, *, group: dict[str, Any] | None = None, status: int = 200,
                flashes: list[tuple[str, str]] | None = None, **context: Any) -> tuple[str, int]:
    """Render with the layout's group switcher, the cart count and the `?ok=` notice."""
    notices = list(flashes or [])
    notice = request.args.get("ok", "")
    if notice in NOTICES:
        notices.insert(0, ("success", NOTICES[notice]()))
    current = group or active_group()
    context.setdefault("cart_count", cart_count(current))
    body = render_template(
        template, groups=switcher_groups(), current_group={"id": current["id"]} if current else None,
        group=current, flashes=notices, nav=request.endpoint, **context)
    return body, status


def field_errors(exc: BillingError) -> dict[str, str]:
    """{field: message} for the form (`form` when the error concerns no single field)."""
    return {exc.field or "form": exc.message(current_locale())}


def form() -> dict[str, str]:
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def see_other(location: str, notice: str | None = None) -> Response:
    separator = "&" if "?" in location else "?"
    return redirect(location + (f"{separator}ok={notice}" if notice else ""), 303)


def safe_back(target: str | None, fallback: str = "/employeur/forfaits") -> str:
    """Only local paths: never redirect to another site."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target
