"""An offer's history, its optimizations (en vedette, extension) and the one-click actions
(cancel, end publication, duplicate, archive) as POST forms. A refused action shows the domain's
message (French or English) and changes nothing."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from offers.domain.offer import ACTION_LABELS, EXTENSION_DAYS, OfferActionRefused, OfferStatus
from offers.entrypoints import web_employer_common as common
from offers.entrypoints.web_employer_common import blueprint, employer_required
from offers.service_layer import commands as c
from offers.service_layer import views
from plumbing.web.pages import current_locale

#: action in the URL → (command, the notice of the page after it).
ACTIONS: dict[str, tuple[Any, str]] = {
    "cancel": (c.CancelOffer, "annulee"),
    "end_publication": (c.EndPublication, "terminee"),
    "archive": (c.ArchiveOffer, "archivee"),
    "extend": (c.ExtendOffer, "prolongee"),
    "feature": (c.FeatureOffer, "vedette"),
}


def _load(offer_id: str) -> tuple[Any, dict[str, Any]]:
    found = common.bus().query(views.get_offer, common.caller(), offer_id, now=common.now())
    return found, common.group_named(found.offer.group_id)


def _refused(exc: OfferActionRefused, offer_id: str) -> Any:
    return common.render_page(
        "employer/action_refused.html", status=exc.status, message=common.refusal_message(exc), offer_id=offer_id
    )


@blueprint.get("/employeur/offres/<offer_id>/historique")
@employer_required
def history(offer_id: str) -> Any:
    found, group = _load(offer_id)
    english = current_locale() == "en"
    rows = [
        {
            "event": event,
            "action": ACTION_LABELS.get(event.action, (event.action, event.action))[1 if english else 0],
            "who": _("Vous")
            if event.actor_id == common.me().account_id
            else {
                "staff": _("L'Ordre"),
                "system": _("Le site"),
                "api_key": _("Clé d'API"),
            }.get(event.actor_kind, _("Un membre du groupe")),
        }
        for event in reversed(found.history)
    ]
    return common.render_page(
        "employer/history.html", group=group, offer=found.offer, rows=rows, can_act=common.can_act(group)
    )


@blueprint.get("/employeur/offres/<offer_id>/optimiser")
@employer_required
def optimize(offer_id: str) -> Any:
    found, group = _load(offer_id)
    offer = found.offer
    now = common.now()
    return common.render_page(
        "employer/optimize.html",
        group=group,
        offer=offer,
        item=found,
        can_act=common.can_act(group),
        feature_warning=offer.feature_warning(now),
        extension_days=EXTENSION_DAYS,
        featured_now=offer.featured_until is not None and offer.featured_until > now,
        is_live=offer.status in (OfferStatus.PUBLISHED, OfferStatus.SCHEDULED),
    )


@blueprint.post("/employeur/offres/<offer_id>/actions/<action>")
@employer_required
def act(offer_id: str, action: str) -> Any:
    found, _group = _load(offer_id)
    if action == "duplicate":
        try:
            copy = common.bus().handle(c.DuplicateOffer(offer_id, common.caller()))
        except OfferActionRefused as exc:
            return _refused(exc, offer_id)
        return common.see_other(f"/employeur/offres/{copy.id}/details", "dupliquee")
    if action not in ACTIONS:
        return common.not_found_page()
    command, notice = ACTIONS[action]
    try:
        common.bus().handle(command(offer_id, common.caller(), common.expected_version()))
    except OfferActionRefused as exc:
        return _refused(exc, offer_id)
    if action in ("extend", "feature"):
        return common.see_other(f"/employeur/offres/{offer_id}/optimiser", notice)
    return common.see_other("/employeur/offres", notice)
