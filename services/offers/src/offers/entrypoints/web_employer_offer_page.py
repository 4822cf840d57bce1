"""The offer page, one template (`offer_page.html`) for both the employer's preview and the public
page /emplois/<offer_id>: logo, company name, « À propos de l'entreprise », website, the workplace
with « Voir sur la carte » for an address, the description, and [Postuler] (disabled after the
application deadline). The company's names, logo, description and website come from
`company_brandings` (company-portal's `portal.branding.changed` and `.snapshot`).

The public page adds what only a published offer has (docs/jobsite-design.md, "Offer page"): the
share links, the link to the English version, [Suivre cette entreprise], the canonical link and
the JSON-LD `JobPosting` (entrypoints/jsonld.py). An offer that was online and is not any more gets
the expired page (410, `noindex`, similar offers); anything else that is not public is a 404.
[Postuler] itself is web_offer_apply's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, quote_plus

from flask import current_app, render_template
from markupsafe import Markup

from offers.domain.offer import Offer, OfferContent, OfferNotFound, is_web_address, quebec_day
from offers.entrypoints import jsonld
from offers.entrypoints import web_employer_common as common
from offers.entrypoints import web_employer_forms as forms
from offers.service_layer import views
from offers.service_layer.offer_page import public_offer as public_offer_view
from plumbing.web.pages import current_locale, current_user, shareable

#: How long a shared cache may reuse a public offer page (the gateway's micro-cache caps it lower).
PUBLIC_OFFER_SECONDS = 5
#: How many similar offers the expired page suggests.
SIMILAR_OFFERS = 4
#: mailer's page of followed companies (docs/jobsite-design.md, "Paths at the gateway").
FOLLOW_PATH = "/membre/entreprises-suivies"


def branding_of(uow: Any, group_id: str) -> dict[str, Any]:
    """The group's branding as plain values (empty when company-portal has not said yet). The
    description was sanitized when it was recorded; the website is kept only when it is an http(s)
    address."""
    found = uow.brandings.get(group_id)
    if found is None:
        return {"company_id": "", "company_name": "", "logo_url": None, "description_html": "", "website": ""}
    website = found.website or ""
    return {
        "company_id": found.company_id,
        "company_name": found.company_name,
        "logo_url": found.logo_url,
        # Sanitized when recorded (handlers.record_company_branding): safe to render as HTML.
        "description_html": Markup(found.description_html or ""),  # noqa: S704 - sanitized on record
        "website": website if is_web_address(website) else "",
    }


def map_link(content: OfferContent, city_label: str) -> str | None:
    place = content.workplace
    if place.kind != "address" or not place.street:
        return None
    address = ", ".join(p for p in (place.street, city_label, place.postal_code, "Québec") if p)
    return "https://www.openstreetmap.org/search?query=" + quote_plus(address)


def public_url() -> str:
    return str(current_app.config.get("PUBLIC_URL", "")).rstrip("/")


def page_title(content: OfferContent) -> str:
    english = current_locale() == "en"
    return content.title_en if english and content.title_en else content.title_fr


def offer_page_context(offer: Offer, content: OfferContent, now: datetime) -> dict[str, Any]:
    """What offer_page.html needs; `content` is the draft's (preview) or the live one (public)."""
    english = current_locale() == "en"
    labels = forms.labels(content)
    deadline = content.application_deadline
    return {
        "page_offer": offer,
        "page_content": content,
        "page_title": page_title(content),
        # The description is sanitized on every save (plumbing.richtext): safe to render as HTML.
        "page_description": Markup(  # noqa: S704 - sanitized on save (plumbing.richtext.sanitize_html)
            content.description_en if english and content.description_en else content.description_fr
        ),
        "page_labels": labels,
        "branding": common.bus().query(branding_of, offer.group_id),
        "map_url": map_link(content, labels["city"]),
        "applications_closed": deadline is not None and deadline < quebec_day(now),
        # The preview shows the page as it will be; the public page's [Postuler] goes through
        # /emplois/<id>/postuler (web_offer_apply), and only it has the sharing and following parts.
        "page_public": False,
    }


def share_links(url: str, title: str, company: str) -> dict[str, str]:
    """Email (mailto with a subject and a body), LinkedIn, Facebook: plain links, no script."""
    subject = title if not company else f"{title} — {company}"
    body = f"{subject}\n{url}"
    encoded = quote(url, safe="")
    return {
        "email": f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}",
        "linkedin": f"https://www.linkedin.com/sharing/share-offsite/?url={encoded}",
        "facebook": f"https://www.facebook.com/sharer/sharer.php?u={encoded}",
    }


def _public_context(offer: Offer, content: OfferContent, now: datetime) -> dict[str, Any]:
    context = offer_page_context(offer, content, now)
    url = f"{public_url()}/emplois/{offer.id}"
    path = f"/emplois/{offer.id}"
    branding = context["branding"]
    return {
        **context,
        "page_public": True,
        "canonical_url": url,
        "share": share_links(url, context["page_title"], branding["company_name"]),
        "share_url": url,
        # The site's language switch (the gateway's /langue/en) brings the visitor back here in English.
        "english_url": f"/langue/en?next={quote(path, safe='/')}"
        if content.title_en and current_locale() != "en"
        else "",
        "follow_path": FOLLOW_PATH,
        "follow_next": path,
        "login_url": f"/compte/connexion?next={quote(path, safe='/')}",
        "signed_in": current_user() is not None,
        # Google refuses a JobPosting without its hiring organization's name: none until the
        # company's branding is known (company-portal's events, a snapshot).
        "job_posting": jsonld.script_tag(
            jsonld.job_posting(offer, content, branding, public_url(), locale=current_locale())
        )
        if branding["company_name"]
        else "",
    }


def expired_page(offer: Offer, now: datetime) -> tuple[str, int]:
    """410: the offer existed and is gone; its title and company, similar offers, `noindex`. Its
    description is not shown any more (a withdrawn offer's may not comply)."""
    content = offer.live_content or offer.content
    return render_template(
        "offer_expired.html",
        page_title=page_title(content),
        branding=common.bus().query(branding_of, offer.group_id),
        similar=common.bus().query(views.similar_offers, offer.id, now=now, limit=SIMILAR_OFFERS),
        english=current_locale() == "en",
    ), 410


@common.blueprint.get("/emplois/<offer_id>")
@shareable(PUBLIC_OFFER_SECONDS)
def public_offer(offer_id: str) -> Any:
    """What everyone sees: the last approved content of an offer online now; the expired page for
    one that was; else 404."""
    now = common.now()
    try:
        found = common.bus().query(public_offer_view, offer_id, now=now)
    except OfferNotFound:
        return common.not_found_page()
    if not found.online:
        return expired_page(found.offer, now)
    offer = found.offer
    assert offer.live_content is not None  # is_online
    return render_template("offer_public.html", **_public_context(offer, offer.live_content, now))
