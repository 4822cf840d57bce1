"""What every employer page of offers shares: the signed-in employer, the active group (the portal's
`groupe` cookie, as catalog-billing's pages pick it), the caller for the service layer, the
refusal messages of the domain, labels of statuses and reference codes.

Pages call the service layer through the bus (`current_app.extensions["offers_bus"]`), never the
API. A group or an offer the caller does not belong to is a 404 and nothing changes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from offers.domain.offer import STATUS_LABELS, OfferActionRefused, OfferNotFound, OfferStatus, status_label
from offers.service_layer.commands import Caller
from plumbing.auth.permissions import NotAMember, Permission, PermissionDenied, allows
from plumbing.auth.tokens import Principal
from plumbing.messagebus import MessageBus
from plumbing.web.pages import current_locale, current_user, login_redirect

F = TypeVar("F", bound=Callable[..., Any])
#: The portal's cookie naming the active group (company_portal.entrypoints.web.GROUP_COOKIE).
GROUP_COOKIE = "groupe"
#: bootstrap.BUS_KEY (entrypoints do not import bootstrap).
BUS_KEY = "offers_bus"

blueprint = Blueprint("offers_employer", __name__)

#: status → badge tone of the design system (ui.badge): DESIGN.md's colour tokens.
STATUS_TONES = {
    OfferStatus.DRAFT: "neutral",
    OfferStatus.IN_VALIDATION: "info",
    OfferStatus.TO_REVISE: "warning",
    OfferStatus.SCHEDULED: "scheduled",
    OfferStatus.PUBLISHED: "success",
    OfferStatus.EXPIRED: "expired",
    OfferStatus.ARCHIVED: "neutral",
}
#: The statuses in the order pages list them.
STATUS_ORDER = [s.value for s in OfferStatus]
#: The credit type a missing credit is bought as: catalog-billing's product codes (catalog.toml).
PRODUCT_FOR_CREDIT = {"ing": "ing-1", "cpi": "cpi-1", "vedette": "vedette", "extension": "extension"}


def bus() -> MessageBus[Any]:
    return current_app.extensions[BUS_KEY]


def now() -> Any:
    return bus().deps.clock.now()


def me() -> Principal:
    principal = current_user()
    assert principal is not None  # employer_required ran first
    return principal


def bearer() -> str:
    """The token the gateway attached: the credit bank is called with it (decisions §30)."""
    header = request.headers.get("Authorization", "")
    return header.split(" ", 1)[1].strip() if header.lower().startswith("bearer ") else ""


def caller() -> Caller:
    return Caller(me().account_id, "employer", bearer())


class ForeignGroup(Exception):
    """A form, link or cookie named a group the caller does not belong to."""


def not_found_page() -> tuple[str, int]:
    return render_template("error.html", status=404, message=_("Cette page est introuvable.")), 404


def refused_page(message: str, status: int = 403) -> tuple[str, int]:
    """A page the caller's role may not use: say why, with the way back."""
    return render_page("employer/refused.html", status=status, message=message)


def employer_required(view: F) -> F:
    """303 to the login page when signed out; 403 for accounts that are not employers; 404 for a
    group or an offer the caller does not belong to."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        principal = current_user()
        if principal is None:
            return login_redirect()
        if principal.kind != "employer":
            abort(403)
        try:
            return view(*args, **kwargs)
        except (ForeignGroup, NotAMember, OfferNotFound):
            return not_found_page()
        except PermissionDenied:
            return refused_page(_("Votre rôle dans ce groupe ne permet pas cette action."))

    return wrapper  # type: ignore[return-value]


def my_groups() -> list[dict[str, Any]]:
    """The caller's groups (id, name, company_name, role), from the membership projection."""
    if "offers_groups" not in g:
        g.offers_groups = bus().query(_groups_of, me().account_id)
    return g.offers_groups  # type: ignore[no-any-return]


def _groups_of(uow: Any, account_id: str) -> list[dict[str, Any]]:
    return list(uow.memberships.groups_of(account_id))


def active_group(wanted: str | None = None) -> dict[str, Any] | None:
    """`wanted` (a form's or link's group), else the `groupe` cookie's, else the first one."""
    groups = my_groups()
    if wanted and not any(group["id"] == wanted for group in groups):
        raise ForeignGroup(wanted)
    for candidate in (wanted, request.cookies.get(GROUP_COOKIE)):
        for group in groups:
            if candidate and group["id"] == candidate:
                return group
    return groups[0] if groups else None


def group_named(group_id: str) -> dict[str, Any]:
    """The caller's group of that id (an offer's group): ForeignGroup when not theirs."""
    for group in my_groups():
        if group["id"] == group_id:
            return group
    raise ForeignGroup(group_id)


def can_act(group: dict[str, Any] | None) -> bool:
    """Principal·e and affichage create and publish; finances only reads."""
    return group is not None and allows(group.get("role"), Permission.CREATE_PUBLISH_OFFERS)


def switcher_groups() -> list[dict[str, str]]:
    several_companies = len({gr.get("company_name", "") for gr in my_groups()}) > 1
    return [
        {"id": gr["id"], "name": f"{gr['company_name']} — {gr['name']}" if several_companies else gr["name"]}
        for gr in my_groups()
    ]


#: `?ok=<notice>` → the success message at the top of the next page.
NOTICES: dict[str, Callable[[], str]] = {
    "creee": lambda: _("Le brouillon est créé : remplissez les détails de l'offre."),
    "enregistree": lambda: _("L'offre est enregistrée."),
    "envoyee": lambda: _("L'offre est envoyée en validation à l'Ordre."),
    "modifiee": lambda: _("Les modifications sont envoyées en validation ; l'offre reste en ligne."),
    "annulee": lambda: _("L'envoi est annulé."),
    "terminee": lambda: _("La publication est terminée."),
    "dupliquee": lambda: _("L'offre est dupliquée : voici la copie, en brouillon."),
    "archivee": lambda: _("L'offre est archivée."),
    "prolongee": lambda: _("L'offre est prolongée de 7 jours."),
    "vedette": lambda: _("L'offre est mise en vedette."),
}


def render_page(
    template: str,
    *,
    group: dict[str, Any] | None = None,
    status: int = 200,
    flashes: list[tuple[str, str]] | None = None,
    **context: Any,
) -> tuple[str, int]:
    """Render with the layout's group switcher and the `?ok=` notice."""
    notices = list(flashes or [])
    notice = request.args.get("ok", "")
    if notice in NOTICES:
        notices.insert(0, ("success", NOTICES[notice]()))
    current = group
    if current is None:
        try:
            current = active_group()
        except ForeignGroup:
            current = None
    body = render_template(
        template,
        groups=switcher_groups(),
        current_group={"id": current["id"]} if current else None,
        group=current,
        flashes=notices,
        locale=current_locale(),
        status_label=lambda s: status_label(s, current_locale()),
        status_tone=lambda s: STATUS_TONES.get(s, "neutral"),
        credit_labels=credit_labels,
        **context,
    )
    return body, status


def refusal_message(exc: OfferActionRefused) -> str:
    return exc.message(current_locale())


def refusal_fields(exc: OfferActionRefused) -> dict[str, str]:
    """{field: message} for a form, `form` holding the general message."""
    found = exc.field_messages(current_locale())
    found["form"] = exc.message(current_locale())
    return found


def see_other(location: str, notice: str | None = None) -> Response:
    separator = "&" if "?" in location else "?"
    return redirect(location + (f"{separator}ok={notice}" if notice else ""), 303)


def expected_version() -> int | None:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return None


def hint_text(hint: dict[str, Any]) -> str:
    """A stored hint's message in the page's language (`message_fr`/`message_en` or `message`)."""
    locale = current_locale()
    message = hint.get("message")
    if isinstance(message, dict):
        return str(message.get(locale) or message.get("fr") or "")
    return str(hint.get(f"message_{locale}") or hint.get("message_fr") or message or hint.get("code", ""))


def credit_label(credit_type: str) -> str:
    """A credit type as the pages name it (« Forfait associé »)."""
    return {
        "ing": _("Offre ingénieur·e"),
        "cpi": _("Offre CPI"),
        "vedette": _("En vedette"),
        "extension": _("Extension de 7 jours"),
    }.get(credit_type, credit_type)


def credit_labels(types: Any) -> str:
    return ", ".join(credit_label(t) for t in types)


def statuses_with_labels() -> list[tuple[str, str]]:
    locale = current_locale()
    return [(code, status_label(code, locale)) for code in STATUS_LABELS]
