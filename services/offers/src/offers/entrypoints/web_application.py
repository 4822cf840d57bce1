"""Applying by email through the job site's form (docs/jobsite-design.md, "Applying by email"):

- GET/POST `/emplois/<offer_id>/candidature`: the form (name, email, phone, message, CV, consent);
  POST is multipart, checked by the domain (`domain/application.py`), limited per IP and per
  address (`plumbing.ratelimit`), then `SubmitApplication` emits `offers.application.submitted`;
- GET `/emplois/<offer_id>/candidature/envoyee`: the confirmation.

Only for an offer online now that takes applications by email (else 404); after its deadline, a
page says applications are closed. The gateway checks the CSRF token (the form carries it) and
caps bodies at 12 MiB; this route takes at most `MAX_BODY` (a CV of 5 MiB and the fields) and
answers a larger body with a 413 page before reading it. Nothing typed is lost on an error but the
file (a browser never refills a file input; the page says so).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from offers.domain.application import CV_MAX_BYTES, Application, ApplicationsClosed
from offers.domain.offer import OfferActionRefused, OfferNotFound
from offers.entrypoints import web_employer_common as common
from offers.service_layer import applications
from offers.service_layer.commands import SubmitApplication
from plumbing.config import env
from plumbing.ratelimit import KeyRateLimiter
from plumbing.web.pages import client_ip, current_locale

#: The largest body this route reads: the 5 MiB CV, the fields and the multipart framing. A body
#: over it is refused from its Content-Length (413), never read; a CV between 5 MiB and this gets
#: its message beside the field.
MAX_BODY = CV_MAX_BYTES + 3 * 1024 * 1024
#: The limits of the plan: per IP per hour, per address per offer per day, per address per day;
#: each may be set by `APPLICATION_LIMIT_<KIND>` (the e2e suite raises the IP's: every test applies
#: from 127.0.0.1).
LIMITS = {"ip": "5/hour", "email_offer": "3/day", "email": "20/day"}
#: The honeypot: a field people never see; a robot filling it is answered as if it was sent.
HONEYPOT = "website_url"
FIELDS = ("name", "email", "phone", "message")

_limiters: dict[str, KeyRateLimiter] = {}


def limiter(kind: str) -> KeyRateLimiter:
    """The process's limiter of that kind (Redis when REDIS_URL is set: shared by every process)."""
    found = _limiters.get(kind)
    if found is None:
        limit = env(f"APPLICATION_LIMIT_{kind.upper()}") or LIMITS[kind]
        found = _limiters[kind] = KeyRateLimiter(limit, env("REDIS_URL") or None)
    return found


def configure_limits(limits: dict[str, KeyRateLimiter] | None = None) -> None:
    """Replace the limiters (tests: fresh ones); None: built again from LIMITS on first use."""
    _limiters.clear()
    _limiters.update(limits or {})


def _offer_or_page(offer_id: str) -> tuple[Any, tuple[str, int] | None]:
    """(the offer, None) when it takes applications now; else (None, the 404 or "closed" page)."""
    try:
        return common.bus().query(applications.application_offer, offer_id, now=common.now()), None
    except OfferNotFound:
        return None, common.not_found_page()
    except ApplicationsClosed as closed:
        return None, _closed(closed.offer)


def _closed(offer: Any) -> tuple[str, int]:
    """The offer is still online but its deadline passed: 410 with a page saying so."""
    return render_template("offers/application_closed.html", offer=offer, **_titles(offer)), 410


def _titles(offer: Any) -> dict[str, Any]:
    content = offer.live_content
    english = current_locale() == "en"
    title = content.title_en if english and content.title_en else content.title_fr
    company = common.bus().query(_company_name, offer.group_id)
    return {"offer_title": title, "company_name": company}


def _company_name(uow: Any, group_id: str) -> str:
    found = uow.brandings.get(group_id)
    return found.company_name if found is not None else ""


def _form(offer: Any, *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
          status: int = 200) -> tuple[str, int]:
    return render_template(
        "offers/application.html",
        offer=offer,
        values=values or {},
        errors=errors or {},
        file_lost=bool(errors),
        cv_max_mb=CV_MAX_BYTES // (1024 * 1024),
        **_titles(offer),
    ), status


def _too_large(offer_id: str) -> tuple[str, int]:
    return render_template(
        "offers/application_too_large.html", offer_id=offer_id, cv_max_mb=CV_MAX_BYTES // (1024 * 1024)
    ), 413


@common.blueprint.get("/emplois/<offer_id>/candidature")
def application_form(offer_id: str) -> Any:
    offer, page = _offer_or_page(offer_id)
    return page if page is not None else _form(offer)


@common.blueprint.post("/emplois/<offer_id>/candidature")
def submit_application(offer_id: str) -> Any:
    declared = request.content_length
    if declared is not None and declared > MAX_BODY:
        return _too_large(offer_id)  # refused before anything is read
    request.max_content_length = MAX_BODY  # a body without a length stops being read past it
    offer, page = _offer_or_page(offer_id)
    if page is not None:
        return page
    try:
        form, upload = request.form, request.files.get("cv")
        cv_data = upload.stream.read(CV_MAX_BYTES + 1) if upload is not None else b""
    except RequestEntityTooLarge:
        return _too_large(offer_id)
    values = {name: form.get(name, "") for name in FIELDS}
    values["consent"] = form.get("consent") == "oui"
    if form.get(HONEYPOT, "").strip():
        return common.see_other(f"/emplois/{quote(offer_id)}/candidature/envoyee")
    fields = dict(
        name=values["name"], email=values["email"], phone=values["phone"], message=values["message"],
        consent=values["consent"], cv_filename=(upload.filename or "") if upload is not None else "", cv_data=cv_data,
    )
    try:
        checked = Application.check(**fields)
        refused = _over_limit(offer_id, checked.email)
        if refused:
            return _form(offer, values=values, errors={"form": refused}, status=429)
        public_url = current_app.config.get("PUBLIC_URL", "").rstrip("/")
        common.bus().handle(
            SubmitApplication(offer_id=offer_id, locale=current_locale(),
                              offer_url=f"{public_url}/emplois/{quote(offer_id)}", **fields)
        )
    except OfferActionRefused as exc:
        return _form(offer, values=values, errors=common.refusal_fields(exc), status=422)
    except OfferNotFound:
        return common.not_found_page()
    except ApplicationsClosed as closed:
        return _closed(closed.offer)
    return common.see_other(f"/emplois/{quote(offer_id)}/candidature/envoyee")


def _over_limit(offer_id: str, email: str) -> str | None:
    """Count this application against each limit; the message when one is reached."""
    address = email.lower()
    waits = (
        limiter("ip").hit("application-ip", client_ip()),
        limiter("email_offer").hit("application-email-offer", f"{offer_id}:{address}"),
        limiter("email").hit("application-email", address),
    )
    wait = max(waits)
    if not wait:
        return None
    minutes = max(1, -(-wait // 60))
    return _(
        "Trop de candidatures ont été envoyées en peu de temps depuis votre connexion ou avec cette adresse "
        "courriel. Réessayez dans %(minutes)s minutes.",
        minutes=minutes,
    )


@common.blueprint.get("/emplois/<offer_id>/candidature/envoyee")
def application_sent(offer_id: str) -> Any:
    try:
        offer = common.bus().query(applications.application_offer, offer_id, now=common.now(), closed_ok=True)
    except OfferNotFound:
        return common.not_found_page()
    return render_template("offers/application_sent.html", offer=offer, **_titles(offer))

