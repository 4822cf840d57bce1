"""The offer page, one template (`offer_page.html`) for both the employer's preview and the public
page /emplois/<offer_id>: logo, company name, « À propos de l'entreprise », website, the workplace
with « Voir sur la carte » for an address, the description, and [Postuler] (disabled after the
application deadline). The company's names and logo come from `company_brandings` (company-portal's
`portal.branding.changed`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from markupsafe import Markup

from offers.domain.offer import Offer, OfferContent, OfferNotFound, quebec_day
from offers.entrypoints import web_employer_common as common
from offers.entrypoints import web_employer_forms as forms
from offers.service_layer import views
from plumbing.richtext import sanitize_html
from plumbing.web.pages import current_locale, shareable

#: How long a shared cache may reuse a public offer page (the gateway's micro-cache caps it lower).
PUBLIC_OFFER_SECONDS = 5


def branding_of(uow: Any, group_id: str) -> dict[str, Any]:
    """The group's branding as plain values (empty when company-portal has not said yet)."""
    found = uow.brandings.get(group_id)
    if found is None:
        return {"company_name": "", "logo_url": None, "description_html": "", "website": ""}
    return {
        "company_name": found.company_name,
        "logo_url": found.logo_url,
        "description_html": sanitize_html(getattr(found, "description_html", "") or ""),
        "website": getattr(found, "website", "") or "",
    }


def map_link(content: OfferContent, city_label: str) -> str | None:
    place = content.workplace
    if place.kind != "address" or not place.street:
        return None
    address = ", ".join(p for p in (place.street, city_label, place.postal_code, "Québec") if p)
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


def offer_page_context(offer: Offer, content: OfferContent, now: datetime) -> dict[str, Any]:
    """What offer_page.html needs; `content` is the draft's (preview) or the live one (public)."""
    english = current_locale() == "en"
    labels = forms.labels(content)
    deadline = content.application_deadline
    return {
        "page_offer": offer,
        "page_content": content,
        "page_title": (content.title_en if english and content.title_en else content.title_fr),
        # The description is sanitized on every save (plumbing.richtext): safe to render as HTML.
        "page_description": Markup(  # noqa: S704 - sanitized on save (plumbing.richtext.sanitize_html)
            content.description_en if english and content.description_en else content.description_fr
        ),
        "page_labels": labels,
        "branding": common.bus().query(branding_of, offer.group_id),
        "map_url": map_link(content, labels["city"]),
        "applications_closed": deadline is not None and deadline < quebec_day(now),
    }


@common.blueprint.get("/emplois/<offer_id>")
@shareable(PUBLIC_OFFER_SECONDS)
def public_offer(offer_id: str) -> Any:
    """What everyone sees: the last approved content of an offer online now; else 404."""
    now = common.now()
    try:
        offer = common.bus().query(views.published_offer, offer_id, now=now)
    except OfferNotFound:
        return common.not_found_page()
    assert offer.live_content is not None  # is_online
    from flask import render_template

    return render_template("offer_public.html", **offer_page_context(offer, offer.live_content, now))
