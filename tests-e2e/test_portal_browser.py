"""The wizard and the logo in Debian's Chromium: each step is screenshot (test-output/screenshots/
<test>/) and checked by axe-core (WCAG 2.1 A/AA), error states included; OIQ staff approve in the
moderation pages in a second browser context."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect, sync_playwright
from portal_support import APPROVED, PASSWORD, register_and_verify

from browser_support import axe_violations, launch, screenshot
from plumbing.testing import wait_until
from tests_e2e_support import Browser, wait_for_email


def a_logo(path: Path) -> Path:
    """A real PNG, larger than the 400 × 400 the portal keeps."""
    image = Image.new("RGB", (640, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 600, 440), outline=(0, 82, 147), width=24)
    draw.ellipse((200, 120, 440, 360), fill=(0, 122, 94))
    draw.polygon([(320, 150), (410, 330), (230, 330)], fill=(255, 255, 255))
    image.save(path, format="PNG")
    return path


class Steps:
    """Screenshot and axe-core for each step of one test, in order."""

    def __init__(self, test_name: str) -> None:
        self.test_name = test_name
        self.count = 0
        self.violations: dict[str, list[dict[str, Any]]] = {}

    def check(self, page: Any, step: str) -> None:
        self.count += 1
        page.wait_for_load_state("load")
        screenshot(page, self.test_name, f"{self.count:02d}-{step}")
        found = axe_violations(page)
        if found:
            self.violations[f"{step} ({page.url})"] = found


@pytest.fixture()
def chromium():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def test_wizard_then_logo_in_chromium(chromium, suite, mail_dir, registry, staff, request, tmp_path) -> None:
    company = registry.take()
    with Browser(suite.gateway_url) as http:
        email = register_and_verify(http, mail_dir, "Geneviève", "Bélanger")
    steps = Steps(request.node.name)
    errors: list[str] = []
    context = chromium.new_context(base_url=suite.gateway_url, bypass_csp=True, locale="fr-CA")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # Signed out, the portal sends the employer to the login page and back.
    page.goto("/entreprises/")
    expect(page).to_have_url(f"{suite.gateway_url}/compte/connexion?next=/entreprises/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    steps.check(page, "connexion")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande")

    # 1. Find the company by its NEQ.
    expect(page.get_by_role("heading", level=1)).to_have_text("Associer votre compte à votre entreprise")
    steps.check(page, "recherche")
    page.fill("#q", company.neq)
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator("tbody tr", has_text=company.neq)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(4)).to_have_text("Non")
    steps.check(page, "resultats")
    row.get_by_role("button", name=f"Choisir {company.legal_name}").click()

    # 2. The company information: a wrong phone number is shown next to its field, then fixed.
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande/entreprise")
    expect(page.locator("#f-legal_name")).to_have_value(company.legal_name)
    expect(page.locator("#f-postal_code")).to_have_value(company.postal_code)
    steps.check(page, "entreprise")
    page.fill("#f-phone", "555")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("#f-phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-phone")).to_be_visible()
    steps.check(page, "entreprise-erreur")
    page.fill("#f-phone", "514 555-0123")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # 3. About you: only « Nouveau groupe » for a company without users.
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande/vous")
    expect(page.locator("#f-first_name")).to_have_value("Geneviève")
    expect(page.get_by_label("Nouveau groupe")).to_be_checked()
    steps.check(page, "vous")
    page.fill("#f-phone", "514-555-0199")
    page.fill("#f-extension", "204")
    page.fill("#f-function", "Directrice de l'ingénierie")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # 4. Confirmation, then the request is pending.
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande/confirmation")
    expect(page.locator("main")).to_contain_text("Nouveau groupe (approbation par l'Ordre)")
    expect(page.locator("main")).to_contain_text("514-555-0199, poste 204")
    steps.check(page, "confirmation")
    page.get_by_role("button", name="Soumettre la demande").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/mes-demandes?ok=envoyee")
    expect(page.locator("main")).to_contain_text("Votre demande est en attente d'approbation.")
    expect(page.locator("tbody tr")).to_contain_text("En attente d'approbation")
    steps.check(page, "mes-demandes")

    # OIQ staff approve in the moderation pages (their own browser context).
    staff_context = chromium.new_context(base_url=suite.gateway_url, bypass_csp=True, locale="fr-CA")
    staff_page = staff_context.new_page()
    staff_page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_page.goto("/moderation/demandes")
    staff_page.fill("#email", staff.email)
    staff_page.fill("#password", PASSWORD)
    staff_page.get_by_role("button", name="Se connecter").click()
    expect(staff_page).to_have_url(f"{suite.gateway_url}/moderation/demandes")
    queued = staff_page.locator("#queue tbody tr", has_text=email)
    # The request reaches moderation over RabbitMQ: reload until it is listed.
    wait_until(lambda: staff_page.reload() and queued.count() == 1, timeout=20, interval=0.2,
               message=f"the request of {email} is not in the moderation queue")
    steps.check(staff_page, "moderation-file")
    queued.get_by_role("link", name=company.legal_name).click()
    expect(staff_page.locator("#status")).to_have_text("En attente d'approbation")
    steps.check(staff_page, "moderation-demande")
    staff_page.get_by_role("button", name="Approuver la demande").click()
    expect(staff_page.locator("#status")).to_have_text("Approuvée")
    steps.check(staff_page, "moderation-approuvee")
    staff_context.close()

    # The employer is now Responsable principal·e of « Groupe 001 »: Mon entreprise, then the logo.
    assert wait_for_email(mail_dir, email, subject_contains=APPROVED)
    page.goto("/entreprises/")
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/mon-entreprise")
    expect(page.locator(".portal-menu")).to_contain_text(f"{company.legal_name} — Groupe 001")
    expect(page.locator(".portal-menu")).to_contain_text("Responsable principal·e")
    steps.check(page, "mon-entreprise")

    not_an_image = tmp_path / "logo.png"
    not_an_image.write_text("ceci n'est pas une image")
    page.set_input_files("#f-logo", str(not_an_image))
    page.get_by_role("button", name="Téléverser le logo").click()
    expect(page.locator("#f-logo")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#e-logo")).to_be_visible()
    steps.check(page, "logo-refuse")

    page.set_input_files("#f-logo", str(a_logo(tmp_path / "logo-genie.png")))
    page.get_by_role("button", name="Téléverser le logo").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/mon-entreprise?ok=logo")
    expect(page.locator("main")).to_contain_text("Le logo est enregistré.")
    logo = page.locator("img.logo-preview")
    expect(logo).to_have_attribute("alt", f"Logo de {company.legal_name}")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=logo.element_handle())
    steps.check(page, "logo-enregistre")
    served = page.request.get(logo.get_attribute("src") or "")
    assert served.status == 200 and served.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(served.body())).size == (400, 300)  # re-encoded to fit 400 × 400
    context.close()

    assert steps.violations == {}, steps.violations
    assert errors == []
