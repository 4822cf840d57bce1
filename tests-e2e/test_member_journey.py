"""Issue 11, job seekers: a member signs up, lands on Mon espace, follows a company from its offer
page's [Suivre cette entreprise] form, finds it on /membre/entreprises-suivies, and subscribes to
the weekly digest and targeted mailings; through the gateway on the distributed suite.

The company is one whose group staff approved and whose principal named it on « Mon entreprise »
(portal.branding.changed: offers shows the follow form, the mailer keeps the name) and published an
offer; every event crosses RabbitMQ.
"""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from offers_support import (
    LABELS,
    OffersClock,
    decide,
    details_values,
    employer_group,
    save_configuration,
    save_details,
    send,
    start_offer,
    wait_status,
)
from portal_support import API, PASSWORD, csrf_of, log_in, post_form, text_of

from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, forms_of, link_in, unique_email, wait_for_email

FOLLOWS = "/membre/entreprises-suivies"
SUBSCRIPTIONS = "/membre/abonnements"


def new_member(browser: Browser, mail_dir) -> str:
    email = unique_email("courriel")
    signed_up = browser.submit("/compte/inscription/membre", {
        "email": email, "first_name": "Léa", "last_name": "Fortin",
        "password": PASSWORD, "password_confirmation": PASSWORD,
    }, action_contains="/compte/inscription")
    assert signed_up.status_code == 303, text_of(signed_up.text)[:1000]
    page = browser.get(link_in(wait_for_email(mail_dir, email), "/compte/verifier"))
    assert post_form(browser, page, "/compte/verifier").status_code in (200, 303)
    return email


def published_offer(suite: DistributedSuite, mail_dir, staff_browser: Browser, registry, offers_clock: OffersClock,
                    display_name: str) -> tuple[str, str, str]:
    """An offer « En cours » of a new company named `display_name` on « Mon entreprise »:
    (offer id, company id, the principal's email)."""
    principal, group = employer_group(suite, mail_dir, staff_browser, registry.take(), "Nadia", "Ouellet",
                                      credits={"ing": 1})
    b = principal.browser
    renamed = b.put(f"{API}/groups/{group['group_id']}/branding", headers={"X-CSRF-Token": csrf_of(b)},
                    json={"group_name": "Groupe 001", "company_name": display_name, "address": "1, rue Principale"})
    assert renamed.status_code == 200, renamed.text[:500]
    offer_id, details = start_offer(b, "ing")
    values = details_values(details, "Ingénieur·e civil·e – réseaux d'eau", offers_clock.today() + timedelta(days=60))
    save_configuration(b, offer_id, save_details(b, offer_id, details, values))
    assert send(b, offer_id).status_code == 303
    decide(staff_browser, offer_id, "approuver")
    wait_status(b, offer_id, LABELS["published"], timeout=30)
    b.close()
    return offer_id, group["company_id"], principal.email


def follow_form(browser: Browser, offer_path: str) -> dict | None:
    """The offer page's [Suivre cette entreprise] form (None until offers knows the company)."""
    page = browser.get(offer_path)
    assert page.status_code == 200, (offer_path, page.status_code)
    return next((f for f in forms_of(page.text) if f["action"] == FOLLOWS), None)


def test_a_member_follows_a_company_from_its_offer_and_subscribes(suite: DistributedSuite, mail_dir, registry,
                                                                  staff_browser, offers_clock: OffersClock,
                                                                  browser: Browser) -> None:
    display_name = f"Hydro-Génie {unique_email()[4:10]}"
    offer_id, company_id, employer_email = published_offer(suite, mail_dir, staff_browser, registry, offers_clock,
                                                           display_name)
    offer_path = f"/emplois/{offer_id}"

    # Signed out, the offer's [Suivre cette entreprise] leads to the login page, which comes back.
    signed_out = browser.get(offer_path)
    assert signed_out.status_code == 200 and f"/compte/connexion?next={offer_path}" in signed_out.text

    # A member lands on Mon espace; the menu has it.
    email = new_member(browser, mail_dir)
    landing = log_in(browser, email)
    assert landing.headers["location"] == "/membre/"
    space = browser.get("/membre/")
    assert space.status_code == 200 and f'href="{FOLLOWS}"' in space.text and f'href="{SUBSCRIPTIONS}"' in space.text
    assert '<a href="/membre/" aria-current="true">' in space.text

    # [Suivre cette entreprise] on the offer page: back to the offer, the company in the list.
    form = wait_until(lambda: follow_form(browser, offer_path), timeout=30, interval=0.5,
                      message="the offer page never showed the follow form")
    assert form["fields"]["company_id"] == company_id and form["fields"]["action"] == "follow"

    def follow() -> httpx.Response | None:  # the mailer may hear of the company a moment after offers
        answer = browser.post(FOLLOWS, data=form["fields"])
        assert answer.status_code in (303, 404), (answer.status_code, text_of(answer.text)[:500])
        return answer if answer.status_code == 303 else None

    followed = wait_until(follow, timeout=30, interval=0.5, message="the mailer never learned the company's name")
    assert followed.headers["location"] == offer_path
    follows = browser.get(FOLLOWS)
    assert follows.status_code == 200
    assert f'<a href="/emplois/?entreprise={company_id}">{display_name}</a>' in follows.text
    # An address off the site is never followed after the form.
    elsewhere = browser.post(FOLLOWS, data={**form["fields"], "next": "https://evil.example/"})
    assert elsewhere.headers["location"] == FOLLOWS + "?fait=suivie"

    # Subscriptions: offers' lists (through the gateway), saved and shown again.
    form = browser.get(SUBSCRIPTIONS)
    assert form.status_code == 200 and 'value="civil"> Génie civil' in form.text
    saved = post_form(browser, form, SUBSCRIPTIONS, {"weekly_digest": "oui", "targeted_consent": "oui",
                                                      "domains": ["civil", "structures"], "regions": ["06"],
                                                      "years": "0-2"})
    assert saved.status_code == 303 and saved.headers["location"] == SUBSCRIPTIONS + "?enregistre=1"
    shown = browser.get(saved.headers["location"]).text
    assert "Vos abonnements sont enregistrés." in shown
    for checked in ('name="weekly_digest" value="oui" checked', 'name="targeted_consent" value="oui" checked',
                    'value="civil" checked', 'value="structures" checked', 'value="06" checked'):
        assert checked in shown, checked
    assert re.search(r'<option value="0-2" selected>', shown)
    refused = post_form(browser, shown, SUBSCRIPTIONS, {"targeted_consent": "oui", "regions": ["99"]})
    assert refused.status_code == 422 and "Choisissez des régions de la liste." in refused.text

    # Unfollow from the list.
    gone = post_form(browser, follows, FOLLOWS, {"action": "unfollow"})
    assert gone.status_code == 303
    assert display_name not in browser.get(FOLLOWS).text

    # An employer is told this space is not theirs.
    with Browser(suite.gateway_url) as employer_browser:
        log_in(employer_browser, employer_email)
        refused_page = employer_browser.get("/membre/")
        assert refused_page.status_code == 403 and "réservé aux candidat·e·s" in refused_page.text
