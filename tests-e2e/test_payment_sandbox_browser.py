"""The payment sandbox's own pages in Chromium at 390 px and 1280 px: the card form (empty, then
with its messages), the 3-D Secure step, a card that goes through back to the merchant; axe-core
clean. Screenshots: test-output/screenshots/payment_sandbox/<page>-<width>.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import sync_playwright

from browser_support import axe_violations, launch, screenshot
from catalog_billing.adapters.payments.sandbox import SandboxProcessor
from catalog_billing.config import BillingConfig
from catalog_billing.devtools.payment_sandbox import SandboxClient, SandboxProcess

RETURN_URL = "http://127.0.0.1:9/employeur/caisse/co-1/carte"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[SandboxProcess, SandboxProcessor]]:
    with SandboxProcess(webhook_url=None, webhook_secret="whsec_browser") as process:
        processor = SandboxProcessor(BillingConfig(sandbox_url=process.url, sandbox_public_url=process.url))
        yield process, processor
        processor.close()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_card_form_and_the_second_step_in_a_browser(sandbox: tuple[SandboxProcess, SandboxProcessor],
                                                        chromium: Any, width: int) -> None:
    process, processor = sandbox
    context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    # The merchant's page the processor returns to: answered here, its address is what matters.
    page.route(RETURN_URL + "*", lambda route: route.fulfill(status=200, content_type="text/html",
                                                             body="<!doctype html><title>retour</title>"))
    try:
        page.goto(processor.card_form_url(return_url=RETURN_URL, state="co-1", locale="fr"))
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, "payment_sandbox", f"form-{width}")

        page.fill("#number", "4242 4242 4242 4241")
        page.fill("#expiry", "01/20")
        page.click("button[type=submit]")
        assert page.locator("#number-error").inner_text() == "Ce numéro de carte n'est pas valide."
        assert page.locator("#expiry-error").inner_text() == "Cette carte est expirée."
        assert axe_violations(page) == []
        screenshot(page, "payment_sandbox", f"form-errors-{width}")

        page.fill("#number", "4242 4242 4242 4242")
        page.fill("#expiry", "12/34")
        page.fill("#cvc", "123")
        page.fill("#name", "Julie Gagnon")
        page.click("button[type=submit]")
        page.wait_for_url(RETURN_URL + "*")
        query = parse_qs(urlsplit(page.url).query)
        assert query["state"] == ["co-1"] and query["payment_method"][0].startswith("pm_")

        method = SandboxClient(process.url).payment_method("4000 0025 0000 3155")
        pending = processor.charge(amount_cents=287558, currency="CAD", method_reference=method,
                                   idempotency_key=f"browser-{width}", description="Forfait ing. 5",
                                   metadata={"checkout_id": "co-1"}, return_url=RETURN_URL)
        page.goto(str(pending.next_action_url))
        assert "2\u00a0875,58 CAD" in page.inner_text("main")
        assert axe_violations(page) == []
        screenshot(page, "payment_sandbox", f"second-step-{width}")
        page.click("button[value=approve]")
        page.wait_for_url(RETURN_URL + "*")
        assert parse_qs(urlsplit(page.url).query)["redirect_status"] == ["succeeded"]
    finally:
        context.close()
