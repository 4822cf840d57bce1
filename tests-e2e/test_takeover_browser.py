"""Issue 7 in Debian's Chromium: the creation tab that offers a known company instead, and the staff
decision page that shows the match with its principal; each screenshot and checked by axe-core."""

from __future__ import annotations

from playwright.sync_api import expect
from portal_support import PASSWORD, principal_of_new_group, register_and_verify
from test_portal_browser import Steps, chromium  # noqa: F401 - the fixture is used by name

from tests_e2e_support import Browser


def test_a_known_neq_is_offered_instead_and_staff_see_the_match(
        chromium, suite, mail_dir, registry, staff, staff_browser, request) -> None:  # noqa: F811
    company = registry.take()
    owner, _ = principal_of_new_group(suite, mail_dir, staff_browser, company, "Odile", "Proprio")
    with Browser(suite.gateway_url) as http:
        email = register_and_verify(http, mail_dir, "Ivan", "Inconnu")
    steps = Steps(request.node.name)
    errors: list[str] = []
    context = chromium.new_context(base_url=suite.gateway_url, bypass_csp=True, locale="fr-CA")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/compte/connexion?next=/entreprises/demande")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande")

    # A "creation" with the company's NEQ: the tab offers the company instead.
    page.get_by_role("button", name="Faire une demande de création d'entreprise").click()
    page.fill("#f-legal_name", "Ivan Génie Conseil")
    page.fill("#f-neq", company.neq)
    page.fill("#f-phone", "514 555-0190")
    page.fill("#f-address", "9, rue Inventée")
    page.fill("#f-city", "Laval")
    page.fill("#f-province", "QC")
    page.fill("#f-postal_code", "H7N 1A1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    known = page.locator("#known-companies")
    expect(known.get_by_role("heading", level=2)).to_have_text("Cette entreprise existe déjà")
    expect(known).to_contain_text(company.legal_name)
    expect(known).to_contain_text("Groupe 001")
    expect(page.locator("#f-neq")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-not_listed")).to_have_count(0)
    steps.check(page, "entreprise-existe")
    known.get_by_role("button", name=f"Choisir cette entreprise {company.legal_name}").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande/entreprise")
    expect(page.locator("#f-legal_name")).to_have_value(company.legal_name)
    page.fill("#f-phone", "514 555-0190")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/demande/vous")
    page.get_by_label("Nouveau groupe").check()
    page.fill("#f-phone", "514-555-0191")
    page.fill("#f-function", "Consultant")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_role("button", name="Soumettre la demande").click()
    expect(page).to_have_url(f"{suite.gateway_url}/entreprises/mes-demandes?ok=envoyee")
    context.close()

    # Staff see the company, its group and its principal before deciding.
    staff_context = chromium.new_context(base_url=suite.gateway_url, bypass_csp=True, locale="fr-CA")
    staff_page = staff_context.new_page()
    staff_page.on("pageerror", lambda exc: errors.append(str(exc)))
    staff_page.goto("/moderation/demandes?type=new_group")
    staff_page.fill("#email", staff.email)
    staff_page.fill("#password", PASSWORD)
    staff_page.get_by_role("button", name="Se connecter").click()
    queued = staff_page.locator("#queue tbody tr", has_text=email)
    expect(queued).to_have_count(1, timeout=20_000)
    queued.get_by_role("link", name=company.legal_name).click()
    matches = staff_page.locator("#matches")
    expect(matches).to_contain_text("Entreprise visée par la demande")
    expect(matches).to_contain_text(f"Odile Proprio ({owner.email})")
    steps.check(staff_page, "moderation-correspondances")
    staff_context.close()
    owner.browser.close()

    assert steps.violations == {}, steps.violations
    assert errors == []
