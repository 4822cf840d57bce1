"""Issue 11, done means 4: the public job site in Chromium on the demo site (its job site offers:
offers.service_layer.seed_jobsite), as an anonymous visitor: the landing's search box →
« ingenieure civile » (no accents) → a region filter → an offer's page → another offer's
[Postuler] → the application form (refused empty, with messages beside the fields, then sent with
a PDF CV). Then once more with JavaScript disabled: the filters are a plain GET form.

At every step, at 1280 px then 390 px (one page resized, as test_offers_browser.py does): no
sideways scroll, nothing off-screen or clipped, no console error, axe-core clean, and a screenshot
under test-output/screenshots/jobsite/. One browser, one demo site, few page loads.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from browser_support import Flow
from suite.demo_site import DemoSite, demo_site

CIVIL_F = "Ingénieure civile – ponts et ouvrages d'art"  # Laurentia, Québec (03), apply by URL
CIVIL_M = "Ingénieur civil – infrastructures municipales"  # Outaouais Infrastructures, Gatineau (07), by email
ELSEWHERE = "Ingénieur·e logiciel – systèmes embarqués"  # not a civil engineer's offer
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("demo-jobsite")) as running:
        yield running


def visitor(chromium: Any, site: DemoSite, *, javascript: bool = True) -> Any:
    return chromium.new_context(base_url=site.url, viewport={"width": 390, "height": 844}, bypass_csp=True,
                                locale="fr-CA", java_script_enabled=javascript)


def apply_filters(page: Any, checks: dict[str, str]) -> None:
    """Tick filter values (name → code) and send them with « Appliquer les filtres »: the boxes
    belong to the list's GET form (form="job-search"). At a phone's width a closed facet (a
    <details>) is opened first, as a person does."""
    for name, code in checks.items():
        field = page.locator(f"main input[name={name}][value='{code}']")
        if not field.is_visible():
            page.locator(f"#facet-{name} > summary").click()
        field.check()
    page.locator("main button.job-filters-apply").click()
    for name, code in checks.items():
        expect(page).to_have_url(re.compile(rf"[?&]{name}={code}(&|$)"))
    page.wait_for_load_state()


def test_search_filters_offer_and_application_in_the_browser(site: DemoSite, chromium: Any) -> None:
    problems: dict[str, Any] = {}
    context = visitor(chromium, site)
    flow = Flow(context.new_page(), problems, "jobsite")
    page = flow.page
    main = page.locator("main")
    try:
        page.goto("/")
        flow.check("01-accueil")
        search = page.locator("main input[name=q]").first
        search.fill("ingenieure civile")
        search.press("Enter")
        expect(page).to_have_url(re.compile(r"/emplois/\?(.*&)?q=ingenieure(\+|%20)civile"))
        expect(main).to_contain_text(CIVIL_F)
        expect(main).to_contain_text(CIVIL_M)
        expect(main).not_to_contain_text(ELSEWHERE)
        flow.check("02-recherche")

        apply_filters(page, {"region": "03"})
        expect(main).to_contain_text(CIVIL_F)
        expect(main).not_to_contain_text(CIVIL_M)
        flow.check("03-filtre-region")

        page.get_by_role("link", name=CIVIL_F).first.click()
        expect(page).to_have_url(re.compile(r"/emplois/[0-9a-f-]{36}$"))
        expect(page.get_by_role("heading", level=1)).to_contain_text(CIVIL_F)
        expect(main).to_contain_text("Laurentia")
        expect(page.locator("#apply")).to_have_attribute("href", re.compile(r"/emplois/[0-9a-f-]{36}/postuler$"))
        flow.check("04-offre")

        page.goto("/emplois/?q=ingenieure+civile")
        page.get_by_role("link", name=CIVIL_M).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(CIVIL_M)
        expect(main).not_to_contain_text("rh@outaouais-infra-demo.ca")  # the address never shows
        page.locator("#apply").click()  # [Postuler]: the built-in form (the address is never shown)
        expect(page).to_have_url(re.compile(r"/emplois/[0-9a-f-]{36}/candidature$"))
        flow.check("05-candidature")

        page.locator("#send-application").click()  # nothing filled: a message beside each field
        expect(page.locator("[aria-invalid=true]").first).to_be_visible()
        expect(page.locator("#name-error, #f-name-error, [id$=name-error]").first).to_be_visible()
        flow.check("06-candidature-erreurs")

        page.locator("[name=name]").fill("Amélie Gagnon")
        page.locator("[name=email]").fill("amelie.gagnon@courriel-demo.ca")
        page.locator("[name=message]").fill("Bonjour,\nIngénieure civile depuis huit ans, je serais heureuse "
                                            "de contribuer à vos projets municipaux.\nAmélie")
        page.locator("input[name=cv]").set_input_files(
            {"name": "cv-amelie-gagnon.pdf", "mimeType": "application/pdf", "buffer": PDF})
        page.locator("input[name=consent]").check()
        page.locator("#send-application").click()
        expect(page).to_have_url(re.compile(r"/emplois/[0-9a-f-]{36}/candidature/envoyee$"))
        flow.check("07-candidature-envoyee")
    finally:
        context.close()

    # Without JavaScript: the filters are a plain GET form, the list obeys them.
    context = visitor(chromium, site, javascript=False)
    flow = Flow(context.new_page(), problems, "jobsite", widths=(390,), axe=False)
    page = flow.page
    main = page.locator("main")
    try:
        page.goto("/emplois/")
        expect(main).to_contain_text(CIVIL_M)
        flow.check("08-sans-js-liste")
        apply_filters(page, {"domaine": "civil", "region": "07"})
        expect(main).to_contain_text(CIVIL_M)
        expect(main).not_to_contain_text(CIVIL_F)
        expect(main).not_to_contain_text(ELSEWHERE)
        flow.check("09-sans-js-filtres")
    finally:
        context.close()
    assert problems == {}
