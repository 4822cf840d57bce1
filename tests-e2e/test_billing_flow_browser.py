"""Issue 8, done means 8 (and the "requests" part of 3): a purchase in Chromium on the demo site, as
the Responsable des finances of Génivert: catalog → cart (its count in the header) → caisse (a new
billing address, the demo promo code) → the payment sandbox's card form (its own origin) → review
(both terms) → confirmation (its three next actions) → invoice → PDF download.

At every step, at 390 px and at 1280 px (the same page resized): no horizontal scroll, nothing
off-screen or clipped, no console error, axe-core clean, and a screenshot under
test-output/screenshots/billing_flow/<step>-<width>.png. Every request the browser sends to our
origin (the gateway) is recorded: the card number (any spelling) and the CVC are in none of their
URLs, headers or bodies; they go to the sandbox's origin only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import pytest
from payment_support import card_number_forms
from playwright.sync_api import expect, sync_playwright

from browser_support import Flow, launch
from suite.demo_site import DemoSite, demo_email, demo_site

CARD = "4242 4242 4242 4242"
CVC = "737"
PROMO = "BIENVENUE10"  # suite/seed.py → catalog_billing.service_layer.seed.DEMO_PROMO


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("demo-billing")) as running:
        assert running.sandbox_url, "the demo site runs the payment sandbox when catalog-billing is built"
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_a_purchase_in_the_browser_at_phone_and_desktop_widths(site: DemoSite, chromium: Any) -> None:
    context = chromium.new_context(base_url=site.url, viewport={"width": 390, "height": 844}, bypass_csp=True,
                                   locale="fr-CA", accept_downloads=True)
    page = context.new_page()
    ours = origin(site.url)
    sent: list[tuple[str, dict[str, str], str]] = []  # (url, headers, body) of each request to our origin
    elsewhere: list[str] = []

    def record(request: Any) -> None:
        if origin(request.url) == ours:
            body = request.post_data_buffer
            sent.append((request.url, dict(request.headers), body.decode("utf-8", "replace") if body else ""))
        else:
            elsewhere.append(request.url)

    page.on("request", record)
    flow = Flow(page, {}, "billing_flow")
    try:
        page.goto("/compte/connexion")
        page.fill("#email", demo_email("finances"))
        page.fill("#password", site.password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_load_state()

        # Catalog, then the product added to the group's cart: its count in the header.
        page.goto("/employeur/forfaits")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        flow.check("01-catalogue")
        page.get_by_role("button", name="Ajouter au panier : Forfait ing. – 5 offres d’emploi").click()
        expect(page).to_have_url(re.compile(r"/employeur/panier(\?.*)?$"))
        expect(page.locator("#cart-link .cart-count")).to_have_text("1")
        expect(page.locator("main")).to_contain_text("Le produit est ajouté au panier.")
        expect(page.locator("main")).to_contain_text("Forfait ing. – 5 offres d’emploi")
        flow.check("02-panier")

        # The caisse: a new billing address and the promo code, then the processor's page.
        page.get_by_role("button", name="Passer à la caisse").click()
        expect(page).to_have_url(re.compile("/employeur/caisse$"))
        page.get_by_label("Ajouter une nouvelle adresse").check()
        page.fill("#name", "Génivert inc., comptes payables")
        page.fill("#street", "1200, rue Saint-Denis, bureau 400")
        page.fill("#city", "Montréal")
        page.select_option("#province", "QC")
        page.fill("#postal_code", "h2x 3j6")
        page.fill("#purchase_order", "BC-390")
        page.fill("#promo_code", PROMO.lower())
        flow.check("03-caisse")
        page.get_by_role("button", name="Réviser et compléter l'achat").click()
        page.wait_for_url(re.compile(re.escape(site.sandbox_url or "") + ".*"))
        flow.check("04-carte")

        # The card is typed on the sandbox's own page; the browser comes back to our review.
        page.fill("#number", CARD)
        page.fill("#expiry", "12/34")
        page.fill("#cvc", CVC)
        page.fill("#name", "Julie Morin")
        page.click("button[type=submit]")
        expect(page).to_have_url(re.compile(re.escape(site.url) + "/employeur/caisse/[^/]+/revision$"))
        main = page.locator("main")
        for shown in ("2 675,00 $", "−267,50 $", "120,38 $", "240,15 $", "2 768,03 $", "Visa •••• 4242",
                      "Génivert inc., comptes payables", "H2X 3J6", "BC-390"):
            expect(main).to_contain_text(shown)
        flow.check("05-revision")
        page.get_by_label("J'ai lu et j'accepte les conditions d'utilisation.").check()
        page.get_by_label("J'accepte les paramètres liés à l'achat et à la facturation.").check()
        page.get_by_role("button", name="Compléter l'achat").click()

        # The confirmation and its three next actions; the invoice; its PDF.
        expect(page).to_have_url(re.compile("/employeur/caisse/[^/]+/confirmation$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Achat complété")
        number = re.search(r"ING-\d{6}", page.locator("#invoice-number").inner_text()).group(0)
        actions = page.locator("ul.next-actions a")
        expect(actions).to_have_text(["Créer une nouvelle offre",
                                      "Poursuivre la création d'une offre pour y appliquer le forfait acheté",
                                      "Consulter la facture"])
        expect(page.locator("#cart-link .cart-count")).to_have_text("0")
        flow.check("06-confirmation")
        page.get_by_role("link", name="Consulter la facture").click()
        expect(page).to_have_url(re.compile("/employeur/transactions/[0-9a-f-]{36}$"))
        expect(page.locator("main")).to_contain_text(number)
        expect(page.locator("main")).to_contain_text("2 768,03 $")
        flow.check("07-facture")
        with page.expect_download() as download:
            page.get_by_role("button", name="Télécharger le PDF").click()
        pdf = download.value
        assert pdf.suggested_filename.endswith(".pdf")
        assert pdf.path().read_bytes()[:5] == b"%PDF-"

        page.goto("/employeur/transactions")
        expect(page.locator("main")).to_contain_text(number)
        flow.check("08-historique")
    finally:
        context.close()

    assert flow.problems == {}
    assert flow.errors == []
    # Card data went to the processor's origin only, never to ours.
    assert any(url.startswith(site.sandbox_url or "-") for url in elsewhere)
    assert len(sent) > 10
    leaks = [(url, what) for url, headers, body in sent
             for what in leaked(unquote_plus(url) + "\n" + unquote_plus(body) + "\n"
                                + "\n".join(f"{k}: {unquote_plus(v)}" for k, v in headers.items()))]
    assert leaks == []


def leaked(text: str) -> list[str]:
    """The card number in any spelling, the CVC as a number of its own (not inside a token), or a
    card field's name: what of them the text holds."""
    found = [form for form in card_number_forms(CARD) if form in text]
    if re.search(rf"(?<![0-9A-Za-z]){CVC}(?![0-9A-Za-z])", text):
        found.append("cvc")
    found += [name for name in ("cvc=", "cvv=", "card_number", "expiry=") if name in text.lower()]
    return found
