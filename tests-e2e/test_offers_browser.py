"""Issue 9, done means 6: the offer wizard in Chromium on the demo site, as Marie Tremblay
(responsable principale of Génivert, whose group has credits from the seed): « Mes offres » →
« Créer une offre » (profile) → details (French part, then English part, the description typed in the
shared rich-text editor) → configuration → preview → [Continuer]; then Sophie Bélanger (OIQ staff)
in the moderation queue, the offer's page (hints, content) and the approval.

At every step, at 1280 px then 390 px (the same page resized, as test_billing_flow_browser.py does:
one context per person, sessions reused): no horizontal scroll, nothing off-screen or clipped, no
console error, axe-core clean, and a screenshot under test-output/screenshots/offers_flow/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from browser_support import Flow, launch
from suite.crawl import login
from suite.demo_site import DemoSite, demo_email, demo_site

TITLE = "Ingénieure en géotechnique"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("demo-offers")) as running:
        yield running


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def session_of(site: DemoSite, key: str) -> list[dict[str, str]]:
    with httpx.Client(base_url=site.url, timeout=30) as client:
        login(client, demo_email(key), site.password)
        return [{"name": n, "value": v, "url": site.url} for n, v in client.cookies.items()]


def person(chromium: Any, site: DemoSite, key: str, problems: dict[str, Any]) -> tuple[Any, Flow]:
    context = chromium.new_context(
        base_url=site.url, viewport={"width": 390, "height": 844}, bypass_csp=True, locale="fr-CA"
    )
    context.add_cookies(session_of(site, key))
    return context, Flow(context.new_page(), problems, "offers_flow")


def pick_first_options(page: Any) -> None:
    """Every list still on its placeholder gets its first real choice (as a person in a hurry)."""
    for select in page.locator("main form select:visible").all():
        if not select.input_value():
            values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            if values:
                select.select_option(values[0])


def test_the_offer_wizard_and_its_moderation_in_the_browser(site: DemoSite, chromium: Any) -> None:
    problems: dict[str, Any] = {}
    employer, flow = person(chromium, site, "principal", problems)
    page = flow.page
    try:
        page.goto("/employeur/offres")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        flow.check("01-mes-offres")

        page.goto("/employeur/offres/nouvelle")
        flow.check("02-profil")
        page.locator("input[name=profile][value=ing]").check()
        page.get_by_role("button", name="Commencer").click()
        expect(page).to_have_url(re.compile(r"/employeur/offres/[0-9a-f-]{36}/details(\?.*)?$"))
        offer_id = re.search(r"/offres/([0-9a-f-]{36})/", page.url).group(1)

        # French part: title, lists, domains, formula, deadline, and the description in the editor.
        page.fill("[name=title_fr]", TITLE)
        pick_first_options(page)
        page.locator("input[name=engineering_domains]").first.check()
        page.select_option("[name=work_formula]", "hybride")
        page.fill("[name=application_deadline]", "2027-03-31")
        page.locator("input[name=workplace_kind][value=outside_quebec]").check()
        editor = page.locator(".rich-editor .ql-editor").first
        editor.click()
        page.keyboard.type("Raison d'être : sols et fondations. ")
        page.keyboard.press("Control+B")
        page.keyboard.type("Tâches et responsabilités")
        page.keyboard.press("Control+B")
        page.keyboard.type(" : forages, rapports. Qualifications : membre de l'Ordre.")
        flow.check("03-details-francais")

        page.locator("#lang-en-title").scroll_into_view_if_needed()
        page.fill("[name=title_en]", "Geotechnical engineer")
        flow.check("04-details-anglais")
        page.get_by_role("button", name="Enregistrer et continuer").click()
        expect(page).to_have_url(re.compile(rf"/employeur/offres/{offer_id}/configuration(\?.*)?$"))

        # Configuration: published at once, candidates apply on the employer's site.
        expect(page.locator("main")).to_contain_text("3 jours ouvrables")
        page.locator("input[name=posting][value=immediate]").check()
        page.locator("input[name=apply_method][value=url]").check()
        page.fill("[name=apply_to]", "https://genivert-demo.ca/carrieres")
        flow.check("05-configuration")
        page.get_by_role("button", name="Prévisualiser").click()
        expect(page).to_have_url(re.compile(rf"/employeur/offres/{offer_id}/apercu(\?.*)?$"))
        expect(page.locator("#offer-title")).to_have_text(TITLE)
        expect(page.locator("main")).to_contain_text("Tâches et responsabilités")
        flow.check("06-apercu")
        page.locator("#submit-form").get_by_role("button", name="Continuer").click()
        expect(page).to_have_url(re.compile(r"/employeur/offres(\?.*)?$"))
        row = page.locator(f'[data-offer="{offer_id}"]')
        expect(row).to_contain_text("En validation")
        flow.check("07-envoyee")
    finally:
        employer.close()

    staff, flow = person(chromium, site, "staff", problems)
    page = flow.page
    try:
        page.goto("/moderation/offres")
        queued = page.locator(f'[data-offer-id="{offer_id}"]')
        expect(queued).to_contain_text(TITLE, timeout=15_000)
        flow.check("08-file-moderation")
        queued.get_by_role("link").first.click()
        expect(page).to_have_url(re.compile(rf"/moderation/offres/{offer_id}(\?.*)?$"))
        expect(page.locator("main")).to_contain_text(TITLE)
        flow.check("09-offre-moderation")
        page.get_by_role("button", name=re.compile("^Approuver")).first.click()
        expect(page.locator("#status")).to_have_text("En cours")
        flow.check("10-decision")
        page.goto("/moderation/offres")
        expect(page.locator(f'[data-offer-id="{offer_id}"]')).to_have_count(0, timeout=15_000)
    finally:
        staff.close()

    assert problems == {}
