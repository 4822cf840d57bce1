"""The foundation's pages in a real browser: they render, work without JavaScript errors, pass
axe-core's WCAG 2.1 AA rules, and switch to English."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from browser_support import axe_violations, launch, screenshot

PAGES = [
    ("landing", "/", "Les emplois en génie au Québec"),
    ("inscription", "/compte/inscription", "Créer un compte employeur"),
    ("inscription-membre", "/compte/inscription/membre", "Créer un compte candidat"),
    ("connexion", "/compte/connexion", "Se connecter"),
    ("mot-de-passe-oublie", "/compte/mot-de-passe-oublie", "Mot de passe"),
]


@pytest.fixture(scope="module")
def browser_context(suite):
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(base_url=suite.gateway_url, bypass_csp=True, locale="fr-CA")
        yield context
        context.close()
        browser.close()


@pytest.mark.parametrize(("name", "path", "heading"), PAGES)
def test_page_renders_and_is_accessible(browser_context, name, path, heading):
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert heading in page.content()
    screenshot(page, "pages", name)
    assert axe_violations(page) == []
    assert errors == []
    page.close()


def test_language_switch_to_english_and_back(browser_context):
    page = browser_context.new_page()
    page.goto("/compte/connexion")
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.url.endswith("/compte/connexion")
    assert "Log in" in page.content()
    screenshot(page, "pages", "connexion-en")
    page.get_by_role("link", name="Français").click()
    page.wait_for_load_state()
    assert "Se connecter" in page.content()
    page.close()


def test_sign_up_form_shows_the_webmail_error_next_to_the_field(browser_context):
    page = browser_context.new_page()
    page.goto("/compte/inscription")
    page.fill("#email", "quelqu.un@gmail.com")
    page.fill("#first_name", "Ana")
    page.fill("#last_name", "Pérez")
    page.fill("#password", "Genie-civil-2026")
    page.fill("#password_confirmation", "Genie-civil-2026")
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_load_state()
    email = page.locator("#email")
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby") or ""
    messages = " ".join(page.locator(f"#{i}").inner_text() for i in described.split() if i)
    assert "adresse courriel professionnelle" in messages
    screenshot(page, "pages", "inscription-erreur-webmail")
    page.close()
