"""The design system in Chromium at a phone's width (390 px) and a desktop's (1280 px), on every
page each kind of visitor reaches in the demo (found by the link crawl), the request wizard's four
steps included: no horizontal scroll, nothing clipped or off-screen, a header menu that works at
390 px, axe-core clean. Screenshots: test-output/screenshots/layout_<visitor>/<page>-<width>.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from browser_support import LAYOUT_PROBLEMS, WIDTHS, axe_violations, launch, screenshot
from suite.crawl import crawl, login
from suite.demo_site import VISITORS, DemoSite, demo_email, demo_site

#: Signed-in visitors skip the signed-out account pages (the anonymous visitor covers them).
SIGNED_OUT_PAGES = ("/compte/connexion", "/compte/inscription", "/compte/mot-de-passe-oublie")
#: Kinds of page (page_shape) a visitor must reach by links: the public job site for everyone
#: (issue 11: landing, list, an offer, the application form), the member's own space.
MUST_REACH: dict[str, tuple[str, ...]] = {
    "anonyme": ("/", "/emplois/", "/emplois/{id}", "/emplois/{id}/candidature"),
    "candidat": ("/membre/", "/membre/entreprises-suivies", "/membre/abonnements", "/emplois/{id}"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.fixture(scope="module")
def checked_shapes() -> set[str]:
    """Kinds of page already checked in the browser by an earlier visitor of this module.

    Roles see the same templates (buttons differ, the layout does not), so each kind of page is
    laid out and axe-checked once, by the first visitor reaching it; every visitor's own links and
    forms are still crawled for 404/5xx by suite/tests/test_link_crawl.py."""
    return set()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def signed_in(site: DemoSite, key: str | None) -> tuple[list[dict[str, str]], list[str]]:
    """The visitor's cookies (a session, when signed in) and the pages the crawl reaches."""
    with httpx.Client(base_url=site.url, timeout=30) as client:
        start = ["/", "/styleguide"]
        if key is not None:
            start.insert(0, login(client, demo_email(key), site.password).headers["location"])
        pages = crawl(client, start).pages
        cookies = [{"name": n, "value": v, "url": site.url} for n, v in client.cookies.items()]
    if key is not None:
        pages = [p for p in pages if not p.startswith(SIGNED_OUT_PAGES)]
    return cookies, one_page_per_shape(pages)


#: A path segment that names one record (a uuid, a number, an invoice number), not a kind of page.
_RECORD_SEGMENT = re.compile(r"^(?=.*\d)[\w-]{1,}$")


def page_shape(path: str) -> str:
    """The kind of page a path is: record segments become `{id}`, query values are dropped.

    The crawl reaches one page per invoice, offer and request of the demo; they share one template,
    so the browser checks one of each kind (the crawl itself still requests every one of them)."""
    route, _, query = path.partition("?")
    segments = ["{id}" if _RECORD_SEGMENT.match(s) else s for s in route.split("/")]
    keys = sorted(part.partition("=")[0] for part in query.split("&") if part)
    return "/".join(segments) + ("?" + "&".join(keys) if keys else "")


def one_page_per_shape(pages: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for path in pages:
        shape = page_shape(path)
        if shape not in seen:
            seen.add(shape)
            kept.append(path)
    return kept


def check_page(page: Any, visitor: str, path: str, width: int, problems: dict[str, Any]) -> None:
    page.wait_for_load_state("load")  # pages are drawn by the server; scripts are deferred
    where = f"{visitor} {path} @{width}"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width != width:
        problems[where + " scroll"] = scroll_width
    layout = page.evaluate(LAYOUT_PROBLEMS)
    if layout:
        problems[where + " layout"] = layout[:5]
    found = axe_violations(page)
    if found:
        problems[where + " axe"] = found
    slug = re.sub(r"[^\w]+", "_", path).strip("_") or "accueil"
    screenshot(page, f"layout/{visitor}", f"{slug}-{width}")


def check_menu(page: Any, width: int, visitor: str) -> None:
    """At 390 px the links hide behind « Menu », which opens and leads somewhere; at 1280 px they show."""
    summary = page.locator("details[data-site-menu] > summary")
    account = page.locator("details[data-site-menu] nav a[href='/compte/'], "
                           "details[data-site-menu] nav a[href='/compte/connexion']").first
    if width >= 1280:
        expect(summary).to_be_hidden()
        expect(account).to_be_visible()
        return
    expect(summary).to_be_visible()
    expect(account).to_be_hidden()
    summary.click()
    expect(account).to_be_visible()
    screenshot(page, f"layout/{visitor}", f"menu-ouvert-{width}")
    box = account.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    target = account.get_attribute("href")
    account.click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(target or "")


@pytest.mark.parametrize("visitor", list(VISITORS))
def test_every_page_fits_phone_and_desktop(
    site: DemoSite, chromium: Any, checked_shapes: set[str], visitor: str
) -> None:
    cookies, reached = signed_in(site, VISITORS[visitor])
    assert reached
    missing = set(MUST_REACH.get(visitor, ())) - {page_shape(p) for p in reached}
    assert not missing, f"{visitor} never reaches {missing}"
    pages = [p for p in reached if page_shape(p) not in checked_shapes]
    checked_shapes.update(page_shape(p) for p in pages)
    problems: dict[str, Any] = {}
    errors: list[str] = []
    for width in WIDTHS:
        context = chromium.new_context(base_url=site.url, viewport={"width": width, "height": 844},
                                       bypass_csp=True, locale="fr-CA")
        context.add_cookies(cookies)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for path in pages:
            response = page.goto(path)
            assert response is not None and response.status == 200, (path, response and response.status)
            check_page(page, visitor, path, width, problems)
        page.goto(reached[0])
        check_menu(page, width, visitor)
        context.close()
    assert problems == {}
    assert errors == []


def test_the_request_wizard_fits_phone_and_desktop(site: DemoSite, chromium: Any) -> None:
    """The four steps, walked as the employer without a company (not submitted: the demo stays)."""
    cookies, _ = signed_in(site, "new_employer")
    problems: dict[str, Any] = {}
    for width in WIDTHS:
        context = chromium.new_context(base_url=site.url, viewport={"width": width, "height": 844},
                                       bypass_csp=True, locale="fr-CA")
        context.add_cookies(cookies)
        page = context.new_page()
        page.goto("/entreprises/demande?q=G%C3%A9nivert")
        check_page(page, "assistant", "1-recherche", width, problems)
        page.get_by_role("button", name=re.compile("^Choisir")).first.click()
        expect(page).to_have_url(re.compile("/entreprises/demande/entreprise$"))
        check_page(page, "assistant", "2-entreprise", width, problems)
        if not page.locator("#f-phone").input_value():
            page.fill("#f-phone", "514 555-0199")
        page.get_by_role("button", name="Enregistrer et continuer").click()
        expect(page).to_have_url(re.compile("/entreprises/demande/vous$"))
        check_page(page, "assistant", "3-vous", width, problems)
        page.fill("#f-first_name", "Camille")
        page.fill("#f-last_name", "Roy")
        page.fill("#f-phone", "514 555-0142")
        page.fill("#f-function", "Directrice de projets")
        page.locator("input[name='group']").last.check()
        page.get_by_role("button", name="Enregistrer et continuer").click()
        expect(page).to_have_url(re.compile("/entreprises/demande/confirmation$"))
        check_page(page, "assistant", "4-confirmation", width, problems)
        context.close()
    assert problems == {}
