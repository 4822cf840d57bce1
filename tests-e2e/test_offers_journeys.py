"""Issue 9, done means 1, 2, 4 and 8, through the gateway of the distributed suite, pages as a
browser uses them (tests_e2e_support.Browser), staff deciding in the moderation pages, the mailer's
email in the SMTP sink, and offers' clock moved by the tests (offers_support.OffersClock).

1. An employer with credits writes an offer (French and English), sees its hints, sends it; staff
   return it with a comment (the email reaches the employer); the employer revises and resends;
   staff approve; it is « En cours » and public; 30 days later it is « Expirée »; the employer
   archives it; the history lists every step.
2. A scheduled offer: a date under 3 business days ahead across a Québec holiday is refused with
   the earliest valid date; approved before its date it is « Bientôt publiée », then « En cours ».
4. No credit → refused; cancelling keeps the credit on the draft; two offers sent at once with one
   credit left: one goes, the other is told why.
8. An API key creates and sends an offer; a revoked key, another group's key and the key of a
   creator whose role lost the permission are refused.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from offers_support import (
    API,
    LABELS,
    OffersClock,
    access_token,
    api_offer_body,
    billing_knows_key,
    decide,
    details_values,
    employer_group,
    give_credits,
    history_text,
    offer_rows,
    offers_knows_me,
    out_of_queue,
    page_form,
    save_configuration,
    save_details,
    secret_in,
    send,
    start_offer,
    status_label,
    wait_status,
)
from portal_support import (
    Employer,
    Registry,
    ask_to_join,
    csrf_of,
    follow,
    join_request_on_page,
    new_employer,
    plain_text,
    post_form,
    text_of,
    wait_for_group,
)

from plumbing.clock import QUEBEC
from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, emails_to

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


def hints_of(browser: Browser, offer_id: str) -> list[dict[str, Any]]:
    answer = browser.get(f"{API}/offers/{offer_id}/hints")
    assert answer.status_code == 200, answer.text[:500]
    body = answer.json()
    return list(body["items"] if isinstance(body, dict) else body)


def french(message: Any) -> str:
    return str(message["fr"] if isinstance(message, dict) else message)


def email_saying(mail_dir: Path, recipient: str, words: str, timeout: float = 30.0) -> Any:
    def find() -> Any:
        for message in emails_to(mail_dir, recipient):
            if words in plain_text(message):
                return message
        return None

    return wait_until(find, timeout=timeout, interval=0.3, message=f"no email to {recipient} saying {words!r}")


def row_action(browser: Browser, offer_id: str, action: str) -> httpx.Response:
    """An action of the offer's row in « Mes offres » (its form posts to …/<id>/actions/<action>)."""
    page = browser.get("/employeur/offres")
    form = page_form(page.text, f"/employeur/offres/{offer_id}/actions/{action}")
    return browser.post(form["action"], data=form["values"])


def public(suite: DistributedSuite, offer_id: str) -> httpx.Response:
    return httpx.get(f"{suite.gateway_url}{API}/published-offers/{offer_id}", timeout=10)


# --- done means 1 ------------------------------------------------------------------------------
def test_an_offer_from_its_draft_to_its_archive(
    suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry, offers_clock: OffersClock
) -> None:
    principal, _ = employer_group(
        suite, mail_dir, staff_browser, registry.take(), "Noémie", "Fortin", credits={"ing": 2}
    )
    b = principal.browser
    title = "Ingénieur·e en structures – ponts"
    offer_id, details = start_offer(b, "ing")
    # A contact address inside the description: a hint, never a blocker.
    values = details_values(details, title, offers_clock.today() + timedelta(days=60))
    values["description_fr"] += "<p>Écrivez à rh@genie-e2e.ca pour postuler.</p>"
    configuration = save_details(b, offer_id, details, values)
    preview = save_configuration(b, offer_id, configuration)
    shown = text_of(preview.text)
    assert title in shown and f"{title} (EN)" not in shown  # the preview is the French public page
    hints = hints_of(b, offer_id)
    assert hints, "a contact address in the description gives a hint"
    for hint in hints:
        assert french(hint["message"]) in shown, (hint, shown[:1500])

    sent = send(b, offer_id)
    follow(b, sent, "/employeur/offres")
    assert status_label(b, offer_id) == LABELS["in_validation"]

    # Staff return it with a comment: « À réviser », the email to the employer carries the comment.
    comment = "Précisez le lieu de travail et retirez l'adresse courriel de la description."
    returned = decide(staff_browser, offer_id, "retourner", {"comment": comment})
    assert LABELS["to_revise"] in text_of(returned.text)
    wait_status(b, offer_id, LABELS["to_revise"], timeout=20)
    assert comment in plain_text(email_saying(mail_dir, principal.email, comment))
    out_of_queue(staff_browser, offer_id)

    # The employer revises (« Réviser ») and sends it again.
    assert comment in history_text(b, offer_id)  # the staff's comment, where the employer reads it
    details = b.get(f"/employeur/offres/{offer_id}/details")
    assert details.status_code == 200
    values = details_values(
        details, title + " (révisée)", offers_clock.today() + timedelta(days=60), workplace_kind="outside_quebec"
    )
    configuration = save_details(b, offer_id, details, values)
    save_configuration(b, offer_id, configuration)
    follow(b, send(b, offer_id), "/employeur/offres")
    assert status_label(b, offer_id) == LABELS["in_validation"]

    # Staff approve: « En cours », public (no key, no session).
    approved = decide(staff_browser, offer_id, "approuver")
    assert LABELS["published"] in text_of(approved.text)
    wait_status(b, offer_id, LABELS["published"], timeout=20)
    online = public(suite, offer_id)
    assert online.status_code == 200, online.text[:500]
    assert online.json()["content"]["title_fr"] == title + " (révisée)"
    listed = httpx.get(f"{suite.gateway_url}{API}/published-offers", timeout=10).json()
    assert offer_id in json.dumps(listed)

    # 30 days later (offers' clock), the expiry tick: « Expirée », no longer public.
    offers_clock.advance(days=31)
    wait_status(b, offer_id, LABELS["expired"])
    assert public(suite, offer_id).status_code == 404

    archived = row_action(b, offer_id, "archive")
    assert archived.status_code == 303, text_of(archived.text)[:800]
    assert status_label(b, offer_id) == LABELS["archived"]
    assert not offer_rows(b.get("/employeur/offres").text, offer_id)  # « Tous » hides archived offers

    history = history_text(b, offer_id)
    steps = [LABELS[s] for s in ("draft", "in_validation", "to_revise", "published", "expired", "archived")]
    for label in steps:
        assert label in history, (label, history[:2000])
    assert comment in history
    assert history.count(LABELS["in_validation"]) >= 2  # sent, then sent again


# --- done means 2 ------------------------------------------------------------------------------
def instant_on(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=QUEBEC)


def test_a_scheduled_offer_and_a_posting_date_too_soon_across_a_holiday(
    suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry, offers_clock: OffersClock
) -> None:
    principal, _ = employer_group(
        suite, mail_dir, staff_browser, registry.take(), "Gabriel", "Pelletier", credits={"ing": 1}
    )
    b = principal.browser
    # offers' today: Tuesday 22 June 2027. Business days after it: Wed 23, (Thu 24 = Fête nationale),
    # Fri 25, Mon 28: the earliest posting date is Monday 28 June, not Friday 25.
    sending_day = date(2027, 6, 22)
    offers_clock.advance(seconds=(instant_on(sending_day) - offers_clock.now()).total_seconds())
    assert offers_clock.today() == sending_day
    offer_id, details = start_offer(b, "ing")
    configuration = save_details(
        b, offer_id, details, details_values(details, "Ingénieure de procédés", sending_day + timedelta(days=60))
    )
    earliest_shown = ("28 juin 2027", "2027-06-28")
    assert any(d in text_of(configuration.text) for d in earliest_shown), text_of(configuration.text)[:2000]

    form = page_form(configuration.text, f"/employeur/offres/{offer_id}/configuration")
    too_soon = b.post(
        form["action"],
        data={
            **form["values"],
            "posting": "date",
            "posting_date": "2027-06-25",
            "apply_method": "url",
            "apply_url": "https://carrieres.example.ca/p",
        },
    )
    if too_soon.status_code == 303:  # the page may accept the draft and refuse at sending
        too_soon = send(b, offer_id)
    assert too_soon.status_code in (400, 409, 422), too_soon.status_code
    refused = text_of(too_soon.text)
    assert any(d in refused for d in earliest_shown), refused[:2000]
    assert status_label(b, offer_id) == LABELS["draft"]

    configuration = b.get(f"/employeur/offres/{offer_id}/configuration")
    save_configuration(b, offer_id, configuration, posting="date", posting_date=date(2027, 6, 28))
    follow(b, send(b, offer_id), "/employeur/offres")
    decide(staff_browser, offer_id, "approuver")
    wait_status(b, offer_id, LABELS["scheduled"], timeout=20)
    assert public(suite, offer_id).status_code == 404

    offers_clock.advance(days=6)  # Monday 28 June 2027, 10:00: the publish tick
    wait_status(b, offer_id, LABELS["published"])
    assert public(suite, offer_id).status_code == 200
    assert LABELS["scheduled"] in history_text(b, offer_id)


# --- done means 4 ------------------------------------------------------------------------------
def test_credits_no_credit_cancel_keeps_it_and_two_at_once_for_the_last_one(
    suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry, offers_clock: OffersClock
) -> None:
    principal, group = employer_group(suite, mail_dir, staff_browser, registry.take(), "Inès", "Girard")
    b = principal.browser
    deadline = offers_clock.today() + timedelta(days=45)

    def draft(title: str) -> str:
        offer_id, details = start_offer(b, "ing")
        configuration = save_details(b, offer_id, details, details_values(details, title, deadline))
        save_configuration(b, offer_id, configuration)
        return offer_id

    first = draft("Ingénieur·e électrique")
    refused = send(b, first)
    assert refused.status_code in (402, 409, 422), refused.status_code
    assert "crédit" in text_of(refused.text).lower(), text_of(refused.text)[:1500]
    assert status_label(b, first) == LABELS["draft"]

    give_credits(suite, group["group_id"], group["company_id"], "ing", 1)
    follow(b, send(b, first), "/employeur/offres")
    assert status_label(b, first) == LABELS["in_validation"]
    cancelled = row_action(b, first, "cancel")
    assert cancelled.status_code == 303, text_of(cancelled.text)[:800]
    assert status_label(b, first) == LABELS["draft"]
    assert "Forfait associé" in text_of(b.get(f"/employeur/offres/{first}/configuration").text)
    # The draft kept its credit: the bank has none left, yet it goes to validation again.
    follow(b, send(b, first), "/employeur/offres")
    assert status_label(b, first) == LABELS["in_validation"]

    # One credit left, two offers sent at once (two connections of the same session).
    second, third = draft("Ingénieure civile"), draft("Ingénieur mécanique")
    give_credits(suite, group["group_id"], group["company_id"], "ing", 1)
    answers: dict[str, httpx.Response] = {}
    barrier = threading.Barrier(2)

    def send_at_once(offer_id: str) -> None:
        with Browser(suite.gateway_url) as twin:
            twin.cookies = b.cookies
            preview = twin.get(f"/employeur/offres/{offer_id}/apercu")
            form = page_form(preview.text, f"/employeur/offres/{offer_id}/envoi")
            barrier.wait()
            answers[offer_id] = twin.post(form["action"], data=form["values"])

    threads = [threading.Thread(target=send_at_once, args=(o,)) for o in (second, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(a.status_code for a in answers.values())
    assert codes[0] == 303 and codes[1] in (402, 409, 422), codes
    loser = next(o for o, a in answers.items() if a.status_code != 303)
    assert "crédit" in text_of(answers[loser].text).lower()
    statuses = sorted(status_label(b, o) for o in (second, third))
    assert statuses == sorted([LABELS["in_validation"], LABELS["draft"]]), statuses
    assert status_label(b, loser) == LABELS["draft"]


# --- done means 8 ------------------------------------------------------------------------------
def api(suite: DistributedSuite, key: str) -> httpx.Client:
    return httpx.Client(base_url=f"{suite.gateway_url}{API}", headers={"Authorization": f"Bearer {key}"}, timeout=10)


def new_key(suite: DistributedSuite, email: str, group_id: str, name: str) -> tuple[str, str]:
    """A principal·e creates a key (with their own session token); returns (key id, secret)."""
    with api(suite, access_token(suite, email)) as client:
        created = client.post(f"/groups/{group_id}/api-keys", json={"name": name})
        assert created.status_code == 201, created.text
        body = created.json()
        listed = client.get(f"/groups/{group_id}/api-keys")
        assert listed.status_code == 200 and body["id"] in listed.text
        assert secret_in(body) not in listed.text  # shown once, stored hashed
        return str(body["id"]), secret_in(body)


def refused_problem(answer: httpx.Response, statuses: tuple[int, ...]) -> None:
    assert answer.status_code in statuses, (answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith(PROBLEM)


def test_an_hr_system_sends_an_offer_with_its_key_and_other_keys_are_refused(
    suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry, offers_clock: OffersClock
) -> None:
    company = registry.take()
    principal, group = employer_group(suite, mail_dir, staff_browser, company, "Rosalie", "Dubé", credits={"ing": 2})
    other, other_group = employer_group(suite, mail_dir, staff_browser, registry.take(), "Hugo", "Lemieux")
    a = group["group_id"]
    reference = httpx.get(f"{suite.gateway_url}{API}/reference", timeout=10)
    assert reference.status_code == 200
    body = api_offer_body(reference.json(), "Ingénieur·e de projets (SIRH)", offers_clock.today() + timedelta(days=40))

    _, secret = new_key(suite, principal.email, a, "SIRH Génie")
    billing_knows_key(suite, secret)
    with api(suite, secret) as hr:
        created = hr.post(f"/groups/{a}/offers", json=body)
        assert created.status_code == 201, created.text
        offer_id = created.json()["id"]
        assert created.json()["status"] == "draft"
        sent = hr.post(f"/offers/{offer_id}/submission", json={})
        assert sent.status_code == 200 and sent.json()["status"] == "in_validation", sent.text
        assert hr.get(f"/offers/{offer_id}").json()["status"] == "in_validation"
        history = hr.get(f"/offers/{offer_id}/history").json()["items"]
        assert ("submit", "api_key", "in_validation") in [
            (h["action"], h["actor_kind"], h["to_status"]) for h in history
        ]
    assert status_label(principal.browser, offer_id) == LABELS["in_validation"]  # « Mes offres » shows it too

    # A revoked key.
    revoked_id, revoked = new_key(suite, principal.email, a, "Ancien SIRH")
    with api(suite, access_token(suite, principal.email)) as client:
        assert client.delete(f"/groups/{a}/api-keys/{revoked_id}").status_code == 204
    with api(suite, revoked) as hr:
        refused_problem(hr.get(f"/groups/{a}/offers"), (401,))
        refused_problem(hr.post(f"/groups/{a}/offers", json=body), (401,))

    # Another group's key: group A's offers do not exist for it.
    _, foreign = new_key(suite, other.email, other_group["group_id"], "SIRH Lemieux")
    with api(suite, foreign) as hr:
        refused_problem(hr.get(f"/groups/{a}/offers"), (403, 404))
        refused_problem(hr.post(f"/groups/{a}/offers", json=body), (403, 404))
        refused_problem(hr.get(f"/offers/{offer_id}"), (403, 404))
        refused_problem(hr.post(f"/offers/{offer_id}/cancellation", json={}), (403, 404))
        assert offer_id not in hr.get(f"/groups/{other_group['group_id']}/offers").text

    # A colleague who joined as principal·e creates a key, then becomes Responsable des finances:
    # the key acts with the creator's current role, which may not write offers.
    colleague = colleague_as_principal(suite, mail_dir, principal, company, a)
    _, colleagues_key = new_key(suite, colleague.email, a, "SIRH de Léa")
    members = principal.browser.get("/entreprises/utilisateurs").text
    colleague_id = next(
        i for i, row in re.findall(r'<tr id="utilisateur-([^"]+)">(.*?)</tr>', members, re.S) if colleague.email in row
    )
    demoted = principal.browser.put(
        f"/api/company-portal/v1/groups/{a}/members/{colleague_id}/role",
        json={"role": "finances"},
        headers={"X-CSRF-Token": csrf_of(principal.browser)},
    )
    assert demoted.status_code in (200, 204), demoted.text
    with api(suite, colleagues_key) as hr:
        wait_until(
            lambda: hr.post(f"/groups/{a}/offers", json=body).status_code == 403,
            timeout=30,
            interval=0.3,
            message="the key still writes offers after its creator lost the role",
        )
        refused_problem(hr.post(f"/offers/{offer_id}/cancellation", json={}), (403,))
        assert hr.get(f"/groups/{a}/offers").status_code == 200  # finances still reads the group's offers
    assert status_label(principal.browser, offer_id) == LABELS["in_validation"]  # nothing changed
    for employer in (principal, other, colleague):
        employer.browser.close()


def colleague_as_principal(
    suite: DistributedSuite, mail_dir: Path, principal: Employer, company: Any, group_id: str
) -> Employer:
    colleague = new_employer(suite, mail_dir, "Léa", "Bergeron")
    ask_to_join(colleague, company, group_id, "Groupe 001")
    page, join_id = join_request_on_page(principal, colleague.email)
    approval = post_form(principal.browser, page, f"/entreprises/demandes/{join_id}/approbation", {"role": "principal"})
    assert approval.status_code == 303
    assert wait_for_group(colleague.browser)["role"] == "principal"
    offers_knows_me(colleague.browser, group_id)
    return colleague
