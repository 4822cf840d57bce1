"""[Postuler] of the public offer page: GET /emplois/<offer_id>/postuler (docs/jobsite-design.md).

- an offer applied to by URL: the click is counted (once per offer, Québec day and visitor; known
  bots by their user agent are not counted), then 302 to the employer's URL as stored, and only
  when it is an http(s) address: the redirect never goes anywhere a request could choose;
- an offer applied to by email: 302 to the built-in form, /emplois/<offer_id>/candidature;
- the application deadline is past: 200, a page saying applications are closed;
- not online (a draft, expired, unknown…): 404.

Never cached (`no-store`): each answer counts or depends on the moment.

The visitor is an HMAC-SHA-256 of the day, address and user agent under `OFFERS_VISITOR_KEY`: no
address is stored, and a visitor cannot be followed from one day to the next.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date
from typing import Any

from flask import make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from offers.domain.offer import OfferNotFound, is_web_address, quebec_day
from offers.entrypoints import web_employer_common as common
from offers.entrypoints.web_employer_offer_page import page_title
from offers.service_layer import views
from offers.service_layer.offer_page import RecordApplyClick
from plumbing.config import env
from plumbing.web.pages import client_ip

#: User agents of crawlers, link previewers and scripts: their visits are not applications.
KNOWN_BOTS = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|facebookcatalog|embedly|preview|"
    r"curl/|wget/|python-requests|python-urllib|httpx|go-http-client|java/|okhttp|libwww|scrapy|"
    r"headlesschrome|phantomjs|lighthouse|pingdom|uptime|monitor",
    re.IGNORECASE,
)
#: The development key; set OFFERS_VISITOR_KEY (a secret) where the clicks count.
DEVELOPMENT_VISITOR_KEY = "ingemplois-dev-visitor-key"


def is_bot(user_agent: str) -> bool:
    """No user agent, or one of a known crawler or script."""
    return not user_agent.strip() or bool(KNOWN_BOTS.search(user_agent))


def visitor_id(address: str, user_agent: str, day: date, key: bytes) -> str:
    message = f"{day.isoformat()}\n{address}\n{user_agent}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def visitor_key() -> bytes:
    return env("OFFERS_VISITOR_KEY", DEVELOPMENT_VISITOR_KEY).encode()


def _never_cached(response: Any, status: int | None = None) -> Response:
    answer = make_response(response) if status is None else make_response(response, status)
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["X-Robots-Tag"] = "noindex"
    return answer


@common.blueprint.get("/emplois/<offer_id>/postuler")
def apply(offer_id: str) -> Response:
    now = common.now()
    try:
        offer = common.bus().query(views.published_offer, offer_id, now=now)
    except OfferNotFound:
        return _never_cached(*common.not_found_page())
    content = offer.live_content or offer.content
    if offer.applications_closed(now):
        page = render_template("offer_apply_closed.html", offer=offer, page_title=page_title(content))
        return _never_cached(page, 200)
    if offer.config.apply_method == "email":
        return _never_cached(redirect(f"/emplois/{offer.id}/candidature", 302))
    target = offer.config.apply_to
    if offer.config.apply_method != "url" or not is_web_address(target):
        return _never_cached(*common.not_found_page())
    user_agent = request.headers.get("User-Agent", "")
    if request.method == "GET" and not is_bot(user_agent):
        visitor = visitor_id(client_ip(), user_agent, quebec_day(now), visitor_key())
        try:
            common.bus().handle(RecordApplyClick(offer.id, visitor))
        except OfferNotFound:  # it went offline in between
            return _never_cached(*common.not_found_page())
    return _never_cached(redirect(target, 302))
