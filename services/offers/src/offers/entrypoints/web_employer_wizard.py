"""The creation wizard: profile → details (fr/en tabs) → configuration → preview → [Continuer].

Each step saves the draft (`SaveDraft`, content and configuration whole); the preview renders the
offer exactly as its public page will; « Continuer » sends it (`SubmitOffer`, which reserves the
credits). A group without the credit is told so and offered « Enregistrer et passer à la caisse »:
the missing products go to catalog-billing's cart (its `POST /employeur/panier`, with `retour`:
the page the purchase's confirmation links back to). An offer « En cours » is changed through the
same details page (`ModifyOffer`: the changes go to validation, the offer stays online).
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _

from offers.domain import posting
from offers.domain.offer import LIMITS, OfferActionRefused, OfferStatus, quebec_day
from offers.entrypoints import web_employer_common as common
from offers.entrypoints import web_employer_forms as forms
from offers.entrypoints.web_employer_common import blueprint, employer_required
from offers.entrypoints.web_employer_offer_page import offer_page_context
from offers.service_layer import commands as c
from offers.service_layer import views

EDITABLE = (OfferStatus.DRAFT, OfferStatus.TO_REVISE)


def _steps(offer_id: str | None, current: int, *, configurable: bool = True) -> list[tuple[str, str | None]]:
    """The wizard's steps; a live offer being modified keeps its configuration, so no link to it."""
    base = f"/employeur/offres/{offer_id}" if offer_id else None
    return [
        (_("Profil"), None),
        (_("Détails"), f"{base}/details" if base else None),
        (_("Configuration"), f"{base}/configuration" if base and configurable else None),
        (_("Aperçu"), f"{base}/apercu" if base else None),
    ]


def _load(offer_id: str) -> tuple[Any, dict[str, Any]]:
    details = common.bus().query(views.get_offer, common.caller(), offer_id, now=common.now())
    return details, common.group_named(details.offer.group_id)


def _read_only(details: Any, group: dict[str, Any]) -> Any:
    """A wizard page of an offer the viewer may not change now: why, and where to go instead."""
    if not common.can_act(group):
        return common.refused_page(_("Votre rôle (finances) ne permet pas de créer ni de modifier des offres."))
    return common.refused_page(
        _(
            "Cette offre ne peut pas être modifiée dans son statut actuel (%(status)s).",
            status=common.status_label(details.offer.status, common.current_locale()),
        ),
        status=409,
    )


# Profile ---------------------------------------------------------------------------------------
@blueprint.get("/employeur/offres/nouvelle")
@employer_required
def new_offer() -> Any:
    group = common.active_group(request.args.get("groupe"))
    if group is None:
        return common.see_other("/entreprises/")
    if not common.can_act(group):
        return common.refused_page(_("Votre rôle (finances) ne permet pas de créer des offres."))
    return common.render_page("employer/new.html", group=group, errors={}, steps=_steps(None, 0), can_act=True)


@blueprint.post("/employeur/offres/nouvelle")
@employer_required
def create_offer() -> Any:
    group = common.active_group(request.form.get("group_id") or None)
    if group is None:
        return common.see_other("/entreprises/")
    if not common.can_act(group):
        return common.refused_page(_("Votre rôle (finances) ne permet pas de créer des offres."))
    profile = request.form.get("profile", "")
    try:
        offer = common.bus().handle(c.CreateDraft(group["id"], profile, common.caller()))
    except OfferActionRefused as exc:
        return common.render_page(
            "employer/new.html",
            group=group,
            errors=common.refusal_fields(exc),
            steps=_steps(None, 0),
            can_act=True,
            status=exc.status,
        )
    return common.see_other(f"/employeur/offres/{offer.id}/details", "creee")


# Details ---------------------------------------------------------------------------------------
def _details_page(
    details: Any,
    group: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Any:
    offer = details.offer
    return common.render_page(
        "employer/details.html",
        group=group,
        offer=offer,
        values=values or forms.form_values(offer.content),
        errors=errors or {},
        status=status,
        steps=_steps(offer.id, 1, configurable="save" in details.actions),
        limits=LIMITS,
        choices=forms.choices,
        place_groups=forms.place_groups(),
        hints=[common.hint_text(h) for h in offer.hints],
        modifying=offer.status == OfferStatus.PUBLISHED,
        staff_comment=_staff_comment(details),
        can_act=True,
    )


def _staff_comment(details: Any) -> str | None:
    """The Ordre's comment when it returned the offer for revision (shown while it is to revise)."""
    if details.offer.status != OfferStatus.TO_REVISE:
        return None
    returned = [e for e in details.history if e.to_status == OfferStatus.TO_REVISE and e.reason]
    return returned[-1].reason if returned else None


def _editable(details: Any, group: dict[str, Any]) -> bool:
    return common.can_act(group) and ("save" in details.actions or "modify" in details.actions)


@blueprint.get("/employeur/offres/<offer_id>/details")
@employer_required
def details(offer_id: str) -> Any:
    found, group = _load(offer_id)
    if not _editable(found, group):
        return _read_only(found, group)
    return _details_page(found, group)


@blueprint.post("/employeur/offres/<offer_id>/details")
@employer_required
def save_details(offer_id: str) -> Any:
    found, group = _load(offer_id)
    if not _editable(found, group):
        return _read_only(found, group)
    offer = found.offer
    content, errors = forms.content_from_form(request.form, offer.content)
    values = forms.form_values(content)
    if errors:
        return _details_page(found, group, values=values, errors=errors, status=422)
    modifying = offer.status == OfferStatus.PUBLISHED
    command: Any = (
        c.ModifyOffer(offer.id, common.caller(), content, common.expected_version())
        if modifying
        else c.SaveDraft(offer.id, common.caller(), content, offer.config, common.expected_version())
    )
    try:
        common.bus().handle(command)
    except OfferActionRefused as exc:
        return _details_page(found, group, values=values, errors=common.refusal_fields(exc), status=exc.status)
    if modifying:
        return common.see_other("/employeur/offres", "modifiee")
    if request.form.get("next") == "stay":
        return common.see_other(f"/employeur/offres/{offer.id}/details", "enregistree")
    return common.see_other(f"/employeur/offres/{offer.id}/configuration", "enregistree")


# Configuration ---------------------------------------------------------------------------------
def _config_page(
    details: Any,
    group: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    missing: list[str] | None = None,
) -> Any:
    offer = details.offer
    today = quebec_day(common.now())
    earliest = posting.earliest_posting_date(today, common.bus().deps.holidays)
    config = offer.config
    values = values or {
        "featured": config.featured,
        "posting": "date" if config.posting_date else "immediate",
        "posting_date": config.posting_date.isoformat() if config.posting_date else "",
        "apply_method": config.apply_method,
        "apply_to": config.apply_to,
    }
    return common.render_page(
        "employer/configuration.html",
        group=group,
        offer=offer,
        values=values,
        errors=errors or {},
        status=status,
        steps=_steps(offer.id, 2),
        earliest=earliest,
        missing=missing or [],
        products=[common.PRODUCT_FOR_CREDIT[t] for t in (missing or []) if t in common.PRODUCT_FOR_CREDIT],
        hints=[common.hint_text(h) for h in offer.hints],
        can_act=True,
    )


@blueprint.get("/employeur/offres/<offer_id>/configuration")
@employer_required
def configuration(offer_id: str) -> Any:
    found, group = _load(offer_id)
    if not (common.can_act(group) and "save" in found.actions):
        return _read_only(found, group)
    return _config_page(found, group)


@blueprint.post("/employeur/offres/<offer_id>/configuration")
@employer_required
def save_configuration(offer_id: str) -> Any:
    """[Prévisualiser] saves and shows the preview; [Continuer] saves and sends."""
    found, group = _load(offer_id)
    if not (common.can_act(group) and "save" in found.actions):
        return _read_only(found, group)
    offer = found.offer
    config, errors = forms.config_from_form(request.form, offer.config)
    values = {k: request.form.get(k, "") for k in ("posting", "posting_date", "apply_method", "apply_to")}
    values["featured"] = request.form.get("featured") == "oui"
    if errors:
        return _config_page(found, group, values=values, errors=errors, status=422)
    try:
        saved = common.bus().handle(
            c.SaveDraft(offer.id, common.caller(), offer.content, config, common.expected_version())
        )
    except OfferActionRefused as exc:
        return _config_page(found, group, values=values, errors=common.refusal_fields(exc), status=exc.status)
    if request.form.get("next") != "submit":
        return common.see_other(f"/employeur/offres/{offer.id}/apercu", "enregistree")
    return _submit(offer.id, saved.version)


# Sending ---------------------------------------------------------------------------------------
def _missing_credits(offer: Any) -> list[str]:
    """The credit types sending still needs and the group's bank lacks (all not yet held when the
    bank cannot say)."""
    wanted = [t for t in offer.credits_needed() if t not in offer.credit_types_reserved]
    bank = common.bus().deps.bank
    try:
        balances = bank.balances(offer.group_id, token=common.bearer()) if bank is not None else {}
    except Exception:  # noqa: BLE001 - the bank down: show every credit not held yet
        return wanted
    return [t for t in wanted if balances.get(t, 0) < 1] or wanted


def _submit(offer_id: str, version: int | None) -> Any:
    try:
        common.bus().handle(c.SubmitOffer(offer_id, common.caller(), version))
    except OfferActionRefused as exc:
        found, group = _load(offer_id)
        missing = _missing_credits(found.offer) if exc.code == "no_credit" else []
        if exc.fields and set(exc.fields) - {"posting", "apply_to"}:
            return _details_page(found, group, errors=common.refusal_fields(exc), status=exc.status)
        return _config_page(found, group, errors=common.refusal_fields(exc), status=exc.status, missing=missing)
    return common.see_other("/employeur/offres", "envoyee")


@blueprint.post("/employeur/offres/<offer_id>/envoi")
@employer_required
def submit(offer_id: str) -> Any:
    """[Continuer] from the preview."""
    found, group = _load(offer_id)
    if not (common.can_act(group) and "submit" in found.actions):
        return _read_only(found, group)
    return _submit(offer_id, common.expected_version())


# Preview ---------------------------------------------------------------------------------------
@blueprint.get("/employeur/offres/<offer_id>/apercu")
@employer_required
def preview(offer_id: str) -> Any:
    """The offer exactly as its public page shows it (the same template), with the wizard's buttons
    for a draft; any member (finances too) may look."""
    found, group = _load(offer_id)
    offer = found.offer
    context = offer_page_context(offer, offer.content, common.now())
    return common.render_page(
        "employer/preview.html",
        group=group,
        item=found,
        offer=offer,
        steps=_steps(offer.id, 3),
        hints=[common.hint_text(h) for h in offer.hints],
        can_act=common.can_act(group),
        **context,
    )
