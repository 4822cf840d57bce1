"""Issue 8, done means 1-3, through the gateway of the distributed suite, pages as a browser uses them,
with the real payment sandbox (its own process: card form, test cards, signed webhooks).

1. A Responsable des finances buys a Forfait ing. 5 with a promo code and a new billing address, sees
   the confirmation, finds the invoice in the history, downloads its PDF (right totals and taxes);
   the group's bank shows 5 ing. credits; the principal·e, opted in, receives the invoice's copy.
2. A declined card and a processor error leave no invoice, no credit, a clear message, the cart intact.
3. The same checkout submitted twice at once, and again after a timeout, charges once and issues
   one invoice; the sandbox's webhooks, delivered twice and in reverse order, change nothing more;
   the test card number is nowhere in our logs, databases or requests afterwards.
"""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from payment_support import card_number_traces, dump_databases
from portal_support import (
    Employer,
    Registry,
    ask_to_join,
    follow,
    join_request_on_page,
    new_employer,
    plain_text,
    post_form,
    principal_of_new_group,
    text_of,
    wait_for_group,
)
from pypdf import PdfReader

from catalog_billing.devtools.payment_sandbox import SandboxClient
from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, emails_to, forms_of, wait_for_email

pytestmark = pytest.mark.e2e

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
ERROR_CARD = "4000000000000119"


def knows_me(browser: Browser) -> None:
    """catalog-billing learns memberships from company-portal's events: wait until it knows this one."""
    wait_until(lambda: browser.get("/employeur/forfaits").status_code == 200, timeout=30, interval=0.3,
               message="catalog-billing never learned the membership")


@pytest.fixture(scope="module")
def sandbox(suite: DistributedSuite):
    client = SandboxClient(suite.sandbox_url)
    yield client
    client.close()


def finances_colleague(suite: DistributedSuite, mail_dir: Path, principal: Employer, registry_company: Any,
                       group: dict[str, Any]) -> Employer:
    colleague = new_employer(suite, mail_dir, "Julie", "Gagnon")
    ask_to_join(colleague, registry_company, group["group_id"], "Groupe 001")
    page, join_id = join_request_on_page(principal, colleague.email)
    approval = post_form(principal.browser, page, f"/entreprises/demandes/{join_id}/approbation", {"role": "finances"})
    assert approval.status_code == 303
    assert wait_for_group(colleague.browser)["role"] == "finances"
    knows_me(colleague.browser)
    return colleague


def create_promo(staff_browser: Browser, code: str) -> None:
    page = staff_browser.get("/moderation/facturation/codes-promo")
    assert page.status_code == 200, text_of(page.text)[:500]
    created = post_form(staff_browser, page, "/moderation/facturation/codes-promo",
                        {"code": code, "kind": "percent", "value": "10", "starts_on": "", "ends_on": "",
                         "max_uses": "5", "product_codes": ""})
    assert created.status_code == 303, text_of(created.text)[:1500]


def add_to_cart(browser: Browser, product_code: str) -> None:
    catalog = browser.get("/employeur/forfaits")
    assert catalog.status_code == 200
    added = post_form(browser, catalog, "/employeur/panier", {"product_code": product_code})
    page = follow(browser, added, "/employeur/panier")
    assert "Le produit est ajouté au panier." in text_of(page.text)


def to_card_form(browser: Browser, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Submit the caisse; return the checkout id and the processor card form's parameters."""
    caisse = browser.get("/employeur/caisse")
    assert caisse.status_code == 200, text_of(caisse.text)[:500]
    sent = post_form(browser, caisse, "/employeur/caisse", values)
    assert sent.status_code == 303, text_of(sent.text)[:2000]
    form_url = sent.headers["location"]
    assert browser.get(form_url).status_code == 200  # the processor's own page
    params = dict(parse_qsl(urlsplit(form_url).query))
    return params["state"], params


def enter_card(browser: Browser, sandbox: SandboxClient, params: dict[str, str], number: str) -> httpx.Response:
    """Type the card on the processor's page; the browser comes back to our review page."""
    typed = sandbox.submit_card(number, return_url=params["return_url"], state=params["state"],
                                key=params.get("key"))
    assert typed.status_code == 303, typed.text[:500]
    back = browser.get(typed.headers["location"])
    assert back.status_code == 303 and back.headers["location"].endswith("/revision"), back.text[:500]
    return browser.get(back.headers["location"])


def complete(browser: Browser, review: httpx.Response | str) -> httpx.Response:
    html = review if isinstance(review, str) else review.text
    (form,) = [f for f in forms_of(html) if f["action"].endswith("/revision")]
    data = {**form["fields"], "accept_terms": "oui", "accept_billing": "oui"}
    return browser.post(form["action"], data=data)


NEW_ADDRESS = {"address_id": "nouvelle", "name": "Génivert inc., comptes payables", "street": "1200, rue Saint-Denis",
               "city": "Montréal", "province": "QC", "postal_code": "h2x 3j6", "country": "Canada",
               "payment_mode": "card"}


def test_a_finance_manager_buys_a_forfait_with_a_promo_code_and_a_new_address(
        suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry,
        sandbox: SandboxClient) -> None:
    company = registry.take()
    principal, group = principal_of_new_group(suite, mail_dir, staff_browser, company, "Sophie", "Lavoie")
    knows_me(principal.browser)
    # The principal·e asks for a copy of every invoice of the group.
    history = principal.browser.get("/employeur/transactions")
    opted = post_form(principal.browser, history, "/employeur/transactions/copie-des-factures", {"copy": "oui"})
    assert opted.status_code == 303
    finances = finances_colleague(suite, mail_dir, principal, company, group)
    create_promo(staff_browser, "PRINTEMPS10")
    buyer = finances.browser

    add_to_cart(buyer, "ing-5")
    cart = text_of(buyer.get("/employeur/panier").text)
    assert "Total avant taxes : 2 675,00 $" in cart
    assert re.search(r"Panier\s*1", text_of(buyer.get("/employeur/forfaits").text))
    checkout_id, params = to_card_form(buyer, {**NEW_ADDRESS, "promo_code": "printemps10", "purchase_order": "BC-77",
                                               "note": "Recrutement hiver"})
    review = enter_card(buyer, sandbox, params, GOOD_CARD)
    shown = text_of(review.text)
    for expected in ("2 675,00 $", "−267,50 $", "120,38 $", "240,15 $", "2 768,03 $", "Visa •••• 4242",
                     "Génivert inc., comptes payables", "Montréal (QC) H2X 3J6", "BC-77"):
        assert expected in shown, expected
    done = complete(buyer, review)
    confirmation = follow(buyer, done, f"/employeur/caisse/{checkout_id}/confirmation")
    confirmed = text_of(confirmation.text)
    assert "Achat complété" in confirmed and "Créer une nouvelle offre" in confirmed
    number = re.search(r"Facture n° (ING-\d{6})", confirmed).group(1)
    invoice_id = re.search(r'href="/employeur/transactions/([0-9a-f-]{36})"', confirmation.text).group(1)

    listed = text_of(buyer.get("/employeur/transactions").text)
    assert number in listed and "2 768,03 $" in listed
    pdf = buyer.get(f"/employeur/transactions/{invoice_id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    printed = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    printed = printed.replace("\u00a0", " ").replace("\u202f", " ")
    for expected in (number, "2 675,00", "267,50", "2 407,50", "120,38", "240,15", "2 768,03", "BC-77"):
        assert expected in printed, expected
    mine = buyer.get("/employeur/forfaits/mes-forfaits")
    assert re.search(r'id="balance-ing".*?<strong class="count">5</strong>', mine.text, re.S)
    copy = wait_for_email(mail_dir, principal.email, subject_contains=f"Copie de la facture {number}")
    assert "2 768,03" in plain_text(copy).replace("\u00a0", " ").replace("\u202f", " ")
    # The buyer is not sent a copy (only principals who opted in are).
    assert not [m for m in emails_to(mail_dir, finances.email) if number in str(m["Subject"])]
    finances.browser.close()
    principal.browser.close()


def test_a_declined_card_and_a_processor_error_leave_nothing_but_a_message(
        suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry,
        sandbox: SandboxClient) -> None:
    principal, _ = principal_of_new_group(suite, mail_dir, staff_browser, registry.take(), "Paul", "Roy")
    buyer = principal.browser
    knows_me(buyer)
    add_to_cart(buyer, "ing-1")
    _, params = to_card_form(buyer, NEW_ADDRESS)
    declined = complete(buyer, enter_card(buyer, sandbox, params, DECLINED_CARD))
    assert declined.status_code == 422
    assert "Votre carte a été refusée. Aucun montant n'a été prélevé" in text_of(declined.text)

    _, params = to_card_form(buyer, NEW_ADDRESS)
    failed = complete(buyer, enter_card(buyer, sandbox, params, ERROR_CARD))
    assert failed.status_code in (200, 422)
    assert "Aucun" in text_of(failed.text) or "une fois" in text_of(failed.text)
    assert "Forfait" in text_of(buyer.get("/employeur/panier").text)
    assert "Total avant taxes : 595,00 $" in text_of(buyer.get("/employeur/panier").text)
    history = text_of(buyer.get("/employeur/transactions").text)
    assert "ING-" not in history
    mine = buyer.get("/employeur/forfaits/mes-forfaits")
    assert re.search(r'id="balance-ing".*?<strong class="count">0</strong>', mine.text, re.S)
    buyer.close()


def test_twice_at_once_charges_once_and_webhooks_change_nothing_more(
        suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry,
        sandbox: SandboxClient, tmp_path: Path) -> None:
    principal, group = principal_of_new_group(suite, mail_dir, staff_browser, registry.take(), "Lina", "Côté")
    buyer = principal.browser
    knows_me(buyer)
    sandbox.set_webhooks(duplicate=True, reverse=True, delay=0.5)
    add_to_cart(buyer, "cpi-1")
    checkout_id, params = to_card_form(buyer, NEW_ADDRESS)
    review = enter_card(buyer, sandbox, params, GOOD_CARD)
    # The same form, sent twice at once (a double click on two connections).
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        with Browser(suite.gateway_url) as twin:
            twin.cookies = buyer.cookies
            barrier.wait()
            answers.append(complete(twin, review))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert any(a.status_code == 303 for a in answers), [a.status_code for a in answers]
    # Whoever was told "processing" sends it again: still one payment.
    again = complete(buyer, review)
    assert again.status_code == 303
    mine = [c for c in sandbox.charges() if c.get("metadata", {}).get("checkout_id") == checkout_id]
    assert len([c for c in mine if c.get("status") == "succeeded"]) == 1, mine
    sandbox.flush()
    wait_until(lambda: (state := sandbox.webhooks())["pending"] == 0
               and all(w.get("status") == 200 for w in state["deliveries"]),
               timeout=20, interval=0.3, message="webhooks not delivered")
    history = text_of(buyer.get("/employeur/transactions").text)
    assert len(set(re.findall(r"ING-\d{6}", history))) == 1
    credits = buyer.get("/employeur/forfaits/mes-forfaits")
    assert re.search(r'id="balance-cpi".*?<strong class="count">1</strong>', credits.text, re.S)
    sandbox.set_webhooks()

    # A charge that answers after our timeout (4 s in this suite): the order is "being processed";
    # sending the form again uses the same idempotency key, so the processor charges once.
    add_to_cart(buyer, "vedette")
    slow_id, params = to_card_form(buyer, NEW_ADDRESS)
    slow_review = enter_card(buyer, sandbox, params, GOOD_CARD)
    sandbox.set_webhooks(delay=60.0)  # its webhook must not finish the order before the retry does
    sandbox.slow_down(6.0, times=1)
    pending = complete(buyer, slow_review)
    assert pending.status_code == 200, (pending.headers.get("location"), text_of(pending.text)[:800])
    assert "en traitement" in text_of(pending.text)
    retried = complete(buyer, slow_review)
    follow(buyer, retried, f"/employeur/caisse/{slow_id}/confirmation")
    slow = [c for c in sandbox.charges() if c.get("metadata", {}).get("checkout_id") == slow_id]
    assert len(slow) == 1, slow
    sandbox.set_webhooks()
    sandbox.flush()  # the late webhook, after the order is complete: nothing more
    assert len(set(re.findall(r"ING-\d{6}", text_of(buyer.get("/employeur/transactions").text)))) == 2
    buyer.close()

    # The test card number is nowhere in our logs, traces, databases or requests (the gateway's
    # access log holds every request line), in any of the ways it could be written.
    dumps = dump_databases(suite.infra.database_urls, tmp_path / "dumps")
    assert card_number_traces(GOOD_CARD, suite.run_dir / "logs", dumps) == []


def test_signed_out_the_cart_sends_to_the_login_page(suite) -> None:
    with Browser(suite.gateway_url) as anonymous:
        answer = anonymous.get("/employeur/panier")
    assert answer.status_code == 303 and answer.headers["location"] == "/compte/connexion?next=/employeur/panier"
