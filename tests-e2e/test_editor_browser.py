"""The rich-text editor (Quill, served by the gateway, under its strict CSP) on « Mon entreprise »:
what is typed arrives sanitized and shows the same; hostile pasted HTML does not survive; without
JavaScript the textarea still works and keeps paragraphs. The server's sanitizer decides."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright

from browser_support import axe_violations, launch, screenshot
from plumbing.richtext import sanitize_html
from suite.crawl import login
from suite.demo_site import DemoSite, demo_email, demo_site

PAGE = "/entreprises/mon-entreprise"
HOSTILE = ('<p onclick="alert(1)" style="color:red">Avant<script>alert(2)</script>'
           '<img src="x" onerror="alert(3)"><a href="javascript:alert(4)">piège</a>'
           '<iframe src="https://example.com"></iframe></p><h1>Titre</h1><table><tr><td>cellule</td></tr></table>'
           '<p class="MsoNormal"><b>Word</b><o:p></o:p><span style="mso-list:l0 level1">après</span></p>')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("demo")) as running:
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


def stored_description(site: DemoSite, key: str) -> str:
    """What the server keeps, as the read-only page shows it (`<dd class="rich-text">`)."""
    with httpx.Client(base_url=site.url, timeout=30) as client:
        login(client, demo_email(key), site.password)
        page = client.get(PAGE).text
    match = re.search(r'<dd class="rich-text">(.*?)</dd>', page, re.S)
    assert match, "the read-only view shows the description"
    return match.group(1).strip()


def open_editor(chromium: Any, site: DemoSite, *, javascript: bool = True,
                csp: bool = True) -> tuple[Any, Any, list[str]]:
    context = chromium.new_context(base_url=site.url, viewport={"width": 1280, "height": 900}, locale="fr-CA",
                                   java_script_enabled=javascript, bypass_csp=not csp)
    context.add_cookies(session_of(site, "principal"))
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss()))
    page.goto(PAGE)
    return context, page, problems


def save(page: Any) -> None:
    page.locator("form[action='/entreprises/mon-entreprise'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"\?ok=entreprise$"))


def test_bold_list_and_link_typed_arrive_sanitized_and_render_the_same(site: DemoSite, chromium: Any) -> None:
    context, page, problems = open_editor(chromium, site)
    editor = page.locator(".rich-editor .ql-editor")
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name=description_html]")).to_be_hidden()
    assert page.get_attribute("input[name=description_html_format]", "value") == "html"
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("Bonjour ")
    page.keyboard.press("Control+B")
    page.keyboard.type("gras")
    page.keyboard.press("Control+B")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Liste à puces").click()
    page.keyboard.type("structure")
    page.keyboard.press("Enter")
    page.keyboard.type("environnement")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("notre site")
    for _ in range(len("site")):
        page.keyboard.press("Shift+ArrowLeft")
    page.get_by_role("button", name="Lien", exact=True).click()
    link_input = page.locator(".ql-tooltip input[type=text]")
    expect(link_input).to_be_visible()
    link_input.fill("https://genivert-demo.ca/equipe")
    link_input.press("Enter")
    screenshot(page, "editor", "01-saisie")
    save(page)

    stored = stored_description(site, "finances")  # read-only member: the page as shown
    assert stored == ('<p>Bonjour <strong>gras</strong></p><ul><li>structure</li><li>environnement</li></ul>'
                      '<p>notre <a href="https://genivert-demo.ca/equipe" target="_blank" '
                      'rel="noopener noreferrer">site</a></p>')
    # The editor shows it back the same: loading and saving again changes nothing.
    page.wait_for_load_state("networkidle")
    expect(page.locator(".ql-editor strong")).to_have_text("gras")
    expect(page.locator(".ql-editor li")).to_have_count(2)
    assert sanitize_html(page.locator("textarea[name=description_html]").input_value()) == stored
    screenshot(page, "editor", "02-enregistre")
    context.close()
    assert problems == []  # no CSP violation (the gateway's CSP was enforced), no script error


def test_hostile_html_pasted_into_the_editor_does_not_survive(site: DemoSite, chromium: Any) -> None:
    context, page, problems = open_editor(chromium, site)
    editor = page.locator(".rich-editor .ql-editor")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.evaluate("""html => {
      const data = new DataTransfer();
      data.setData('text/html', html);
      data.setData('text/plain', 'texte');
      const target = document.querySelector('.rich-editor .ql-editor');
      target.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", HOSTILE)
    expect(editor).to_contain_text("Word")
    save(page)
    stored = stored_description(site, "finances")
    for gone in ("<script", "alert", "onerror", "onclick", "style=", "javascript:", "<img", "<iframe", "<h1",
                 "<table", "Mso", "mso-", "<o:p", "<a "):
        assert gone not in stored, (gone, stored)
    assert "<strong>Word</strong>" in stored and "Titre" in stored and "cellule" in stored
    context.close()
    assert not [p for p in problems if p.startswith("dialog")]


def test_without_javascript_the_textarea_keeps_paragraphs(site: DemoSite, chromium: Any) -> None:
    context, page, _ = open_editor(chromium, site, javascript=False)
    textarea = page.locator("textarea#f-description_html")
    expect(textarea).to_be_visible()
    assert "<" not in textarea.input_value()  # plain text, never raw HTML
    textarea.fill("Premier paragraphe.\n\nDeuxième paragraphe, <b>tel quel</b>.\nMême paragraphe.")
    screenshot(page, "editor", "03-sans-javascript")
    save(page)
    assert stored_description(site, "finances") == (
        "<p>Premier paragraphe.</p><p>Deuxième paragraphe, &lt;b&gt;tel quel&lt;/b&gt;.<br>Même paragraphe.</p>")
    expect(page.locator("textarea#f-description_html")).to_have_value(
        "Premier paragraphe.\n\nDeuxième paragraphe, <b>tel quel</b>.\nMême paragraphe.")
    context.close()


def test_the_editor_passes_axe(site: DemoSite, chromium: Any) -> None:
    context, page, _ = open_editor(chromium, site, csp=False)  # axe is injected: the CSP is bypassed here
    expect(page.locator(".rich-editor .ql-editor")).to_be_visible()
    assert axe_violations(page) == []
    context.close()
