"""Issue 8, done means 8: catalog → cart → caisse → the processor's card form → review →
confirmation → invoice in Debian's Chromium at 390 px and 1280 px, through the gateway: each step
screenshot (test-output/screenshots/<test>/) and checked by axe-core (WCAG 2.1 A/AA), no
horizontal scrolling on a phone, no JavaScript error."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect, sync_playwright
from portal_support import PASSWORD, principal_of_new_group

from browser_support import axe_violations, launch, screenshot
from plumbing.testing import wait_until
from tests_e2e_support import Browser

pytestmark = pytest.mark.e2e


class Steps:
    """Screenshot, axe-core and the page's width for each step of one test, in order."""

    def __init__(self, test_name: str, width: int) -> None:
        self.test_name, self.width = test_name, width
        self.count = 0
        self.problems: dict[str, Any] = {}

    def check(self, page: Any, step: str) -> None:
        self.count += 1
        page.wait_for_load_state("load")
        screenshot(page, self.test_name, f"{self.count:02d}-{step}-{self.width}")
        found = axe_violations(page)
        if found:
            self.problems[f"{step}: axe"] = found
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > self.width:
            self.problems[f"{step}: width"] = scroll


@pytest.fixture()
def chromium():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_purchase_in_chromium(chromium, suite, mail_dir, staff_browser, registry, request, width) -> None:
    principal, _ = principal_of_new_group(suite, mail_dir, staff_browser, registry.take(), "Chloé", "Bouchard")
    wait_until(lambda: principal.browser.get("/employeur/forfaits").status_code == 200, timeout=30, interval=0.3,
               message="catalog-billing never learned the membership")
    principal.browser.close()
    steps = Steps("billing_purchase", width)
    errors: list[str] = []
    context = chromium.new_context(base_url=suite.gateway_url, bypass_csp=True, locale="fr-CA",
                                   viewport={"width": width, "height": 900})
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto("/employeur/forfaits")
        expect(page).to_have_url(f"{suite.gateway_url}/compte/connexion?next=/employeur/forfaits")
        page.fill("#email", principal.email)
        page.fill("#password", PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page).to_have_url(f"{suite.gateway_url}/employeur/forfaits")
        expect(page.get_by_role("heading", level=1)).to_have_text("Acheter un forfait")
        steps.check(page, "catalogue")

        page.locator("#produit-ing-5").get_by_role("link", name="En savoir plus").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("5")
        steps.check(page, "en-savoir-plus")
        page.locator("#produit-ing-5").get_by_role("button", name="Ajouter au panier").click()
        expect(page).to_have_url(f"{suite.gateway_url}/employeur/panier?ok=ajoute")
        expect(page.locator("#cart-link")).to_contain_text("1")
        steps.check(page, "panier")

        page.get_by_role("button", name="Passer à la caisse").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Passer à la caisse")
        page.fill("#street", "1200, rue Saint-Denis")
        page.fill("#city", "Montréal")
        page.fill("#postal_code", "12345")
        page.get_by_role("button", name="Réviser et compléter l'achat").click()
        expect(page.locator("#postal_code-error")).to_contain_text("A1A 1A1")
        steps.check(page, "caisse-erreur")
        page.fill("#postal_code", "H2X 3J6")
        page.fill("#purchase_order", "BC-2026-17")
        page.get_by_role("button", name="Réviser et compléter l'achat").click()

        # The processor's own card form (the payment sandbox).
        page.wait_for_selector("#number")
        page.fill("#number", "4242 4242 4242 4242")
        page.fill("#expiry", "12/34")
        page.fill("#cvc", "123")
        page.fill("#name", "Chloé Bouchard")
        page.click("button[type=submit]")
        page.wait_for_url("**/revision")
        expect(page.locator("#payment-method")).to_contain_text("Visa •••• 4242")
        steps.check(page, "revision")
        page.get_by_role("button", name="Compléter l'achat").click()
        expect(page.locator("#accept_terms-error")).to_be_visible()
        steps.check(page, "revision-erreur")
        page.get_by_label("J'ai lu et j'accepte les conditions d'utilisation.").check()
        page.get_by_label("J'accepte les paramètres liés à l'achat et à la facturation.").check()
        page.get_by_role("button", name="Compléter l'achat").click()
        page.wait_for_url("**/confirmation")
        expect(page.get_by_role("heading", level=1)).to_have_text("Achat complété")
        steps.check(page, "confirmation")

        page.get_by_role("link", name="Consulter la facture").click()
        page.wait_for_url("**/employeur/transactions/*")
        expect(page.locator("#invoice")).to_contain_text("BC-2026-17")
        steps.check(page, "facture")
        assert steps.problems == {}, steps.problems
        assert errors == []
    finally:
        context.close()


def test_signed_out_the_cart_sends_to_the_login_page(suite) -> None:
    with Browser(suite.gateway_url) as anonymous:
        answer = anonymous.get("/employeur/panier")
    assert answer.status_code == 303 and answer.headers["location"] == "/compte/connexion?next=/employeur/panier"
