"""Issue 11, job seekers: a member signs up, lands on Mon espace, follows a company from its offer's
[Suivre cette entreprise] form, finds it on /membre/entreprises-suivies, and subscribes to the
weekly digest and targeted mailings; through the gateway on the distributed suite.

The company is one whose group staff approved: the mailer learns its name from company-portal's
events over RabbitMQ. The offer page's form posts `company_id`, `action=follow` and `next`; this
test posts the same fields, with the CSRF token a page of the site embeds.
"""

from __future__ import annotations

import re

from portal_support import PASSWORD, csrf_of, log_in, post_form, principal_of_new_group, text_of

from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, link_in, unique_email, wait_for_email

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


def test_a_member_follows_a_company_and_subscribes(suite: DistributedSuite, mail_dir, registry, staff_browser,
                                                   browser: Browser) -> None:
    company = registry.take()
    principal, group = principal_of_new_group(suite, mail_dir, staff_browser, company, "Nadia", "Ouellet")
    principal.browser.close()
    company_id = group["company_id"]

    # Signed out, [Suivre cette entreprise] leads to the login page, which comes back to the offer.
    email = new_member(browser, mail_dir)
    anonymous = browser.post(FOLLOWS, data={"csrf_token": browser.form("/compte/connexion", "/compte/connexion")[
        "fields"]["csrf_token"], "company_id": company_id, "action": "follow", "next": "/emplois/"})
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/compte/connexion?next=/emplois/"

    # A member lands on Mon espace; the menu has it.
    landing = log_in(browser, email)
    assert landing.headers["location"] == "/membre/"
    space = browser.get("/membre/")
    assert space.status_code == 200 and f'href="{FOLLOWS}"' in space.text and f'href="{SUBSCRIPTIONS}"' in space.text
    assert '<a href="/membre/" aria-current="true">' in space.text

    # Follow (the offer page's form fields); the mailer hears of the company over RabbitMQ.
    csrf = csrf_of(browser)

    def follow() -> bool:
        answer = browser.post(FOLLOWS, data={"csrf_token": csrf, "company_id": company_id, "action": "follow",
                                             "next": "/emplois/"})
        assert answer.status_code in (303, 404), (answer.status_code, text_of(answer.text)[:500])
        return answer.status_code == 303 and answer.headers["location"] == "/emplois/"

    wait_until(follow, timeout=30, interval=0.5, message="the mailer never learned the company's name")
    follows = browser.get(FOLLOWS)
    assert follows.status_code == 200
    assert f'<a href="/emplois/?entreprise={company_id}">{company.legal_name}</a>' in follows.text
    # An address off the site is never followed after the form.
    elsewhere = browser.post(FOLLOWS, data={"csrf_token": csrf, "company_id": company_id, "action": "follow",
                                            "next": "https://evil.example/"})
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
    assert company.legal_name not in browser.get(FOLLOWS).text

    # An employer is told this space is not theirs.
    with Browser(suite.gateway_url) as employer_browser:
        log_in(employer_browser, principal.email)
        refused_page = employer_browser.get("/membre/")
        assert refused_page.status_code == 403 and "réservé aux candidat·e·s" in refused_page.text
