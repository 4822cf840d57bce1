"""The job seeker's space under /membre/ (Flask blueprint, server-rendered, no JavaScript needed).

For member accounts only: anonymous visitors go to the sign-in page (which comes back here, or to
the form's `next` for a POST), employers and staff get a 403 page saying whose space it is. The
gateway checks the CSRF token of every POST; the forms carry it.

- `/membre/`: Mon espace, links to the two pages below.
- `/membre/entreprises-suivies`: GET the followed companies; POST `company_id`, `action`
  (`follow`, the default, or `unfollow`) and `next` (a path on this site; anything else is ignored):
  the [Suivre cette entreprise] form of offers' offer page posts here.
- `/membre/abonnements`: GET/POST the weekly digest and the targeted-mailing consent with domains,
  regions and years on the Tableau (offers' codes; a refused code is named beside its field).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from mailer.domain.members import MAX_FOLLOWS, InvalidPreferences, Preferences, TooManyFollows, UnknownCompany
from mailer.service_layer import commands, members
from mailer.service_layer.ports import ReferenceUnavailable
from plumbing.auth.tokens import Principal
from plumbing.messagebus import MessageBus
from plumbing.web.pages import current_locale, current_user, local_path, login_redirect

#: Where bootstrap puts the bus (`current_app.extensions[BUS_KEY]`).
BUS_KEY = "mailer_bus"
HOME = "/membre/"
FOLLOWS_PATH = "/membre/entreprises-suivies"
SUBSCRIPTIONS_PATH = "/membre/abonnements"
#: Company ids are company-portal's UUIDs; anything else is refused before a lookup.
COMPANY_ID = re.compile(r"^[0-9a-fA-F-]{1,36}$")
YES, NO = "oui", "non"
#: Where a signed-in account that is not a member finds its own space.
HOME_BY_KIND = {"employer": "/entreprises/", "staff": "/moderation/"}

Page = str | tuple[str, int] | WerkzeugResponse

blueprint = Blueprint("members", __name__, url_prefix="/membre")


def _bus() -> MessageBus[Any]:
    return current_app.extensions[BUS_KEY]  # type: ignore[no-any-return]


def _me() -> Principal:
    user = current_user()
    assert user is not None and user.kind == "member"  # guaranteed by _members_only
    return user


@blueprint.before_request
def _members_only() -> Page | None:
    user = current_user()
    if user is None:
        # A form's POST (the offer page's [Suivre cette entreprise]) comes back to the form's page.
        target = local_path(request.form.get("next"), request.path) if request.method == "POST" else None
        return login_redirect(target)
    if user.kind != "member":
        message = _("Cet espace est réservé aux candidat·e·s : connectez-vous avec un compte de candidat·e "
                    "pour suivre des entreprises et gérer vos abonnements.")
        return render_template("members/refused.html", message=message,
                               home=HOME_BY_KIND.get(user.kind, "/compte/")), 403
    return None


# Mon espace -------------------------------------------------------------------------------------


@blueprint.get("/")
def home() -> Page:
    account_id = _me().account_id
    follows = _bus().query(members.followed_companies, account_id)
    preferences = _bus().query(members.preferences_of, account_id)
    return render_template("members/home.html", follow_count=len(follows), preferences=preferences)


# Followed companies -----------------------------------------------------------------------------


def _follows_page(status: int = 200, error: str | None = None, done: str | None = None) -> tuple[str, int]:
    follows = _bus().query(members.followed_companies, _me().account_id)
    return render_template("members/follows.html", follows=follows, error=error, done=done), status


@blueprint.get("/entreprises-suivies")
def follows() -> Page:
    done = request.args.get("fait")
    return _follows_page(done=done if done in ("suivie", "retiree") else None)


@blueprint.post("/entreprises-suivies")
def change_follow() -> Page:
    company_id = request.form.get("company_id", "").strip().lower()
    action = request.form.get("action", "follow").strip() or "follow"
    if action not in ("follow", "unfollow"):
        return _follows_page(400, _("Cette action est inconnue : choisissez de suivre ou de ne plus suivre."))
    if not COMPANY_ID.match(company_id):
        return _follows_page(400, _("Le formulaire ne nomme aucune entreprise."))
    account_id = _me().account_id
    try:
        if action == "follow":
            _bus().handle(commands.FollowCompany(account_id, company_id))
        else:
            _bus().handle(commands.UnfollowCompany(account_id, company_id))
    except UnknownCompany:
        return _follows_page(404, _("Cette entreprise est introuvable : elle n'a peut-être plus d'offres sur "
                                    "ingemplois."))
    except TooManyFollows:
        return _follows_page(422, _("Vous suivez déjà %(count)s entreprises, le maximum : cessez d'en suivre une "
                                    "avant d'en ajouter une autre.", count=MAX_FOLLOWS))
    default = f"{FOLLOWS_PATH}?fait={'suivie' if action == 'follow' else 'retiree'}"
    return redirect(local_path(request.form.get("next"), default), 303)


# Subscriptions ----------------------------------------------------------------------------------


def _options(locale: str) -> dict[str, list[tuple[str, str]]]:
    """The form's choices: (code, label in the page's language) of each list, offers' order."""
    return {name: [(item.code, item.label(locale)) for item in items]
            for name, items in members.reference_lists(_bus().deps).items()}


def _unavailable() -> tuple[str, int]:
    message = _("Les listes de domaines et de régions sont indisponibles pour le moment. Réessayez dans un instant.")
    return render_template("error.html", status=503, message=message), 503


def _form_of(preferences: Preferences) -> dict[str, Any]:
    return {"weekly_digest": YES if preferences.weekly_digest else NO,
            "targeted_consent": YES if preferences.targeted_consent else NO,
            "domains": list(preferences.domains), "regions": list(preferences.regions),
            "years": preferences.years or ""}


ERROR_MESSAGES = {
    "domains": lambda: _("Choisissez des domaines de la liste."),
    "regions": lambda: _("Choisissez des régions de la liste."),
    "years": lambda: _("Choisissez un nombre d'années de la liste."),
    "weekly_digest": lambda: _("Répondez oui ou non."),
    "targeted_consent": lambda: _("Répondez oui ou non."),
}


def _subscriptions_page(form: dict[str, Any], errors: dict[str, str], status: int = 200,
                        saved: bool = False) -> tuple[str, int]:
    try:
        options = _options(current_locale())
    except ReferenceUnavailable:
        return _unavailable()
    return render_template("members/subscriptions.html", form=form, errors=errors, options=options, saved=saved,
                           yes=YES, no=NO), status


@blueprint.get("/abonnements")
def subscriptions() -> Page:
    preferences = _bus().query(members.preferences_of, _me().account_id)
    return _subscriptions_page(_form_of(preferences), {}, saved=request.args.get("enregistre") == "1")


@blueprint.post("/abonnements")
def save_subscriptions() -> Page:
    form: dict[str, Any] = {
        "weekly_digest": request.form.get("weekly_digest", ""),
        "targeted_consent": request.form.get("targeted_consent", ""),
        "domains": [v[:64] for v in request.form.getlist("domains")][:100],
        "regions": [v[:64] for v in request.form.getlist("regions")][:100],
        "years": request.form.get("years", "")[:64],
    }
    errors = {name: ERROR_MESSAGES[name]() for name in ("weekly_digest", "targeted_consent")
              if form[name] not in (YES, NO)}
    if not errors:
        command = commands.SavePreferences(
            _me().account_id, weekly_digest=form["weekly_digest"] == YES,
            targeted_consent=form["targeted_consent"] == YES, domains=tuple(form["domains"]),
            regions=tuple(form["regions"]), years=form["years"] or None)
        try:
            _bus().handle(command)
        except ReferenceUnavailable:
            return _unavailable()
        except InvalidPreferences as refused:
            errors = {name: ERROR_MESSAGES[name]() for name in refused.errors}
        else:
            return redirect(f"{SUBSCRIPTIONS_PATH}?enregistre=1", 303)
    return _subscriptions_page(form, errors, 422)
