"""[pages] The employer's offer pages through the Flask test client: each page for each role, every
link and form reachable (no 404/500), the wizard end to end, field errors in French and English,
refusals with the domain's message, the missing-credit path to the cart, the public offer page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pages_testkit import GROUP, OTHER_GROUP, OUTSIDER, PEOPLE, Site, forms_without_csrf, links_and_forms, make_site

from offers.service_layer import commands as c


@pytest.fixture
def site(tmp_path: Path) -> Site:
    found = make_site(tmp_path)
    yield found
    found.bundle.runtime.engine.dispose()


def grant(site: Site, *types: str) -> None:
    for credit_type in types:
        site.bank.grant(GROUP, credit_type, 5)


# Dashboard and list --------------------------------------------------------------------------
def test_signed_out_goes_to_login_and_an_employer_without_group_to_the_portal(site: Site) -> None:
    response = site.client.get("/employeur/")
    assert response.status_code == 303 and response.location.startswith("/compte/connexion?next=/employeur/")
    lonely = "00000000-0000-0000-0000-00000000abcd"
    response = site.get("/employeur/", who=lonely)
    assert response.status_code == 303 and response.location == "/entreprises/"


def test_dashboard_counts_and_alerts(site: Site) -> None:
    grant(site, "ing")
    site.draft()
    returned = site.draft()
    site.bus.handle(c.SubmitOffer(returned, site.caller()))
    staff = c.Caller("00000000-0000-0000-0000-000000000900", "staff", "t")
    site.bus.handle(c.ReturnOffer(returned, staff, "Précisez les tâches."))
    live = site.published()
    site.clock.advance(days=25)
    page = site.get("/employeur/").get_data(as_text=True)
    assert 'data-status="draft">1<' in page and 'data-status="to_revise">1<' in page
    assert 'data-status="published">1<' in page
    assert f"/employeur/offres/{returned}/details" in page and "alert-to-revise" in page
    assert f"/employeur/offres/{live}/optimiser" in page and "alert-expiring" in page


@pytest.mark.parametrize("role", ["principal", "affichage", "finances"])
def test_every_link_and_form_of_the_pages_is_reachable_for_each_role(site: Site, role: str) -> None:
    grant(site, "ing", "vedette", "extension")
    draft, live = site.draft(), site.published()
    pages = [
        "/employeur/",
        "/employeur/offres",
        "/employeur/offres?statut=draft",
        "/employeur/offres?statut=archived",
        f"/employeur/offres/{draft}/apercu",
        f"/employeur/offres/{live}/apercu",
        f"/employeur/offres/{live}/historique",
        f"/employeur/offres/{live}/optimiser",
        f"/emplois/{live}",
    ]
    seen: set[str] = set()
    for path in pages:
        response = site.get(path, who=role)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert forms_without_csrf(html) == [], path
        hrefs, _actions = links_and_forms(html)
        seen |= {h for h in hrefs if h.startswith("/employeur/offres") or h.startswith("/emplois/")}
    for href in sorted(seen):
        status = site.get(href, who=role).status_code
        if role == "finances" and any(href.endswith(s) for s in ("/details", "/configuration", "/nouvelle")):
            assert status == 403, href  # explained, not a 404
        elif href.endswith("/postuler"):
            assert status == 302, href  # [Postuler]: counted, then to the employer's URL
        else:
            assert status == 200, href
    listed = site.get("/employeur/offres", who=role).get_data(as_text=True)
    if role == "finances":
        assert "read-only" in listed and "data-action=" not in listed and "/employeur/offres/nouvelle" not in listed
    else:
        assert f'action="/employeur/offres/{draft}/actions/duplicate"' in listed
        assert f'action="/employeur/offres/{live}/actions/end_publication"' in listed


def test_status_filter_hides_archived_from_tous(site: Site) -> None:
    grant(site, "ing")
    live = site.published()
    assert site.post(f"/employeur/offres/{live}/actions/end_publication").status_code == 303
    assert site.post(f"/employeur/offres/{live}/actions/archive").status_code == 303
    assert live not in site.get("/employeur/offres").get_data(as_text=True)
    assert live in site.get("/employeur/offres?statut=archived").get_data(as_text=True)
    assert "badge-expired" in site.get("/employeur/").get_data(as_text=True)


def test_another_groups_offer_is_not_found(site: Site) -> None:
    offer_id = site.draft()
    for path in (
        f"/employeur/offres/{offer_id}/apercu",
        f"/employeur/offres/{offer_id}/details",
        f"/employeur/offres/{offer_id}/historique",
        "/employeur/offres/nope/apercu",
    ):
        assert site.get(path, who=OUTSIDER).status_code == 404, path
    assert site.post(f"/employeur/offres/{offer_id}/actions/duplicate", who=OUTSIDER).status_code == 404
    assert site.get(f"/employeur/offres?groupe={OTHER_GROUP}").status_code == 404


# The wizard ----------------------------------------------------------------------------------
DETAILS = {
    "title_fr": "Ingénieur·e en structures",
    "title_en": "Structural engineer",
    "description_fr": "Raison d'être du poste\n\nTâches et responsabilités\n\nQualifications",
    "description_fr_format": "text",
    "function_type": "conception",
    "engineering_domains": ["civil"],
    "employment_type": "permanent",
    "position_status": "temps-plein",
    "work_formula": "hybride",
    "application_deadline": "2026-12-31",
    "workplace_kind": "address",
    "workplace_street": "1200, rue Saint-Denis",
    "workplace_city": "montreal",
    "workplace_postal_code": "h2x 3j6",
    "interests": [],
    "next": "continue",
}


def test_the_wizard_from_profile_to_sending(site: Site) -> None:
    grant(site, "ing")
    response = site.post("/employeur/offres/nouvelle", {"profile": "ing", "group_id": GROUP}, who="affichage")
    assert response.status_code == 303
    offer_id = response.location.split("/")[3]
    assert site.get(f"/employeur/offres/{offer_id}/details", who="affichage").status_code == 200
    response = site.post(f"/employeur/offres/{offer_id}/details", {**DETAILS, "version": "1"}, who="affichage")
    assert response.status_code == 303 and response.location.startswith(f"/employeur/offres/{offer_id}/configuration")
    config = site.get(f"/employeur/offres/{offer_id}/configuration", who="affichage").get_data(as_text=True)
    assert "Au plus tôt le 5 novembre 2026" in config
    response = site.post(
        f"/employeur/offres/{offer_id}/configuration",
        {"posting": "immediate", "apply_method": "url", "apply_to": "https://genivert.ca/emplois", "next": "preview"},
        who="affichage",
    )
    assert response.location.startswith(f"/employeur/offres/{offer_id}/apercu")
    preview = site.get(f"/employeur/offres/{offer_id}/apercu", who="affichage").get_data(as_text=True)
    assert "Ingénieur·e en structures" in preview and 'id="map-link"' in preview and "Génivert inc." in preview
    assert f'action="/employeur/offres/{offer_id}/envoi"' in preview
    response = site.post(f"/employeur/offres/{offer_id}/envoi", who="affichage")
    assert response.status_code == 303 and site.status(offer_id) == "in_validation"
    assert "En validation" in site.get("/employeur/offres").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "message"), [("fr", "150 caractères au plus."), ("en", "At most 150 characters.")])
def test_field_errors_sit_next_to_their_field_in_each_language(site: Site, lang: str, message: str) -> None:
    offer_id = site.draft(complete=False)
    response = site.post(f"/employeur/offres/{offer_id}/details", {**DETAILS, "title_fr": "x" * 151}, lang=lang)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'<small id="title_fr-error" class="field-error" role="alert">{message}</small>' in html
    assert 'aria-invalid="true" aria-describedby="title_fr-error' in html
    bad_date = site.post(
        f"/employeur/offres/{offer_id}/details", {**DETAILS, "application_deadline": "31/12"}, lang=lang
    )
    assert bad_date.status_code == 422 and 'id="application_deadline-error"' in bad_date.get_data(as_text=True)
    assert site.status(offer_id) == "draft"


def test_sending_an_incomplete_offer_shows_what_is_missing(site: Site) -> None:
    grant(site, "ing")
    offer_id = site.draft(complete=False)
    response = site.post(f"/employeur/offres/{offer_id}/envoi")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="title_fr-error"' in html and "Ce champ est obligatoire" in html
    assert site.status(offer_id) == "draft"


def test_a_posting_date_too_soon_is_refused_with_the_earliest_date(site: Site) -> None:
    grant(site, "ing")
    offer_id = site.draft()
    response = site.post(
        f"/employeur/offres/{offer_id}/configuration",
        {
            "posting": "date",
            "posting_date": "2026-11-03",
            "apply_method": "url",
            "apply_to": "https://genivert.ca/emplois",
            "next": "submit",
        },
    )
    assert response.status_code == 422
    assert 'id="posting-error"' in response.get_data(as_text=True)
    assert site.status(offer_id) == "draft"


def test_without_credit_the_draft_offers_the_cart_and_comes_back(site: Site) -> None:
    offer_id = site.draft(featured=True)
    response = site.post(f"/employeur/offres/{offer_id}/envoi")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="no-credit"' in html and 'action="/employeur/panier"' in html
    assert 'name="product_code" value="ing-1"' in html and 'name="product_code" value="vedette"' in html
    assert f'name="retour" value="/employeur/offres/{offer_id}/apercu"' in html
    assert site.status(offer_id) == "draft"


def test_finances_is_refused_with_a_clear_message(site: Site) -> None:
    offer_id = site.draft()
    response = site.get("/employeur/offres/nouvelle", who="finances")
    assert response.status_code == 403 and "finances" in response.get_data(as_text=True)
    response = site.post(f"/employeur/offres/{offer_id}/actions/duplicate", who="finances")
    assert response.status_code == 403 and "Votre rôle ne permet pas" in response.get_data(as_text=True)
    response = site.post(f"/employeur/offres/{offer_id}/actions/duplicate", who="finances", lang="en")
    assert "Your role does not allow" in response.get_data(as_text=True)


# Lifecycle actions ---------------------------------------------------------------------------
def test_actions_refused_show_the_domains_message_and_change_nothing(site: Site) -> None:
    offer_id = site.draft()
    response = site.post(f"/employeur/offres/{offer_id}/actions/archive")
    assert response.status_code == 409 and "Archiver" in response.get_data(as_text=True)
    assert site.status(offer_id) == "draft"
    assert site.post(f"/employeur/offres/{offer_id}/actions/explode").status_code == 404


def test_modify_cancel_duplicate_extend_feature(site: Site) -> None:
    grant(site, "ing", "vedette", "extension")
    live = site.published()
    details = site.get(f"/employeur/offres/{live}/details").get_data(as_text=True)
    assert "Envoyer les modifications en validation" in details
    response = site.post(f"/employeur/offres/{live}/details", {**DETAILS, "title_fr": "Nouveau titre"})
    assert response.status_code == 303 and site.status(live) == "in_validation"
    assert site.post(f"/employeur/offres/{live}/actions/cancel").status_code == 303
    assert site.status(live) == "published"
    site.clock.advance(days=26)
    optimize = site.get(f"/employeur/offres/{live}/optimiser").get_data(as_text=True)
    assert 'id="feature-warning"' in optimize
    assert site.post(f"/employeur/offres/{live}/actions/feature").status_code == 303
    assert site.post(f"/employeur/offres/{live}/actions/extend").status_code == 303
    again = site.post(f"/employeur/offres/{live}/actions/extend")
    assert again.status_code == 409
    response = site.post(f"/employeur/offres/{live}/actions/duplicate")
    copy_id = response.location.split("/")[3]
    assert site.status(copy_id) == "draft"
    history = site.get(f"/employeur/offres/{live}/historique").get_data(as_text=True)
    for action in ("Modifier", "Annuler", "Mettre en vedette", "Prolonger de 7 jours"):
        assert action in history


# The public page -----------------------------------------------------------------------------
def test_the_public_page_shows_the_live_offer_and_closes_applications_after_the_deadline(site: Site) -> None:
    grant(site, "ing")
    live = site.published({"application_deadline": date(2026, 11, 20)})
    page = site.client.get(f"/emplois/{live}").get_data(as_text=True)
    assert "Ingénieur·e en structures" in page and "Génivert inc." in page and "À propos de l'entreprise" in page
    assert f'href="/emplois/{live}/postuler"' in page and "disabled" not in page.split('id="apply"')[0][-200:]
    site.clock.advance(days=19)
    page = site.client.get(f"/emplois/{live}").get_data(as_text=True)
    assert '<button type="button" disabled aria-describedby="apply-closed" id="apply">' in page
    assert site.client.get(f"/emplois/{site.draft()}").status_code == 404
    site.language("en")
    english = site.client.get(f"/emplois/{live}").get_data(as_text=True)
    assert "Structural engineer" in english and "About the company" in english
    assert PEOPLE  # the testkit's people are the group's members


def test_hints_show_after_a_save_and_the_ordres_comment_while_revising(site: Site) -> None:
    grant(site, "ing")
    offer_id = site.draft()
    with_email = {**DETAILS, "description_fr": "Écrivez à rh@genivert.ca pour postuler.", "next": "stay"}
    response = site.post(f"/employeur/offres/{offer_id}/details", with_email)
    assert response.status_code == 303 and response.location.startswith(f"/employeur/offres/{offer_id}/details")
    page = site.get(f"/employeur/offres/{offer_id}/details").get_data(as_text=True)
    assert 'id="hints"' in page and "<li>" in page.split('id="hints"')[1].split("</section>")[0]
    english = site.get(f"/employeur/offres/{offer_id}/details", lang="en").get_data(as_text=True)
    assert "Suggestions before sending" in english
    site.post(f"/employeur/offres/{offer_id}/details", {**DETAILS, "version": ""})
    site.bus.handle(c.SubmitOffer(offer_id, site.caller()))
    staff = c.Caller("00000000-0000-0000-0000-000000000900", "staff", "t")
    site.bus.handle(c.ReturnOffer(offer_id, staff, "Précisez les qualifications."))
    page = site.get(f"/employeur/offres/{offer_id}/details").get_data(as_text=True)
    assert 'id="staff-comment"' in page and "Précisez les qualifications." in page
    assert "Réviser" in site.get("/employeur/offres").get_data(as_text=True)


def test_every_wizard_form_carries_the_csrf_token(site: Site) -> None:
    """The gateway refuses a POST without the token: each form of the wizard must carry it."""
    grant(site, "ing")
    offer_id = site.draft(featured=True)
    paths = [
        "/employeur/offres/nouvelle",
        f"/employeur/offres/{offer_id}/details",
        f"/employeur/offres/{offer_id}/configuration",
        f"/employeur/offres/{offer_id}/apercu",
    ]
    for path in paths:
        html = site.get(path).get_data(as_text=True)
        assert "<form" in html and forms_without_csrf(html) == [], path
    refused = site.post(f"/employeur/offres/{offer_id}/envoi").get_data(as_text=True)
    assert 'action="/employeur/panier"' in refused and forms_without_csrf(refused) == []
    assert 'name="product_code" value="vedette"' in refused and 'value="ing-1"' not in refused


@pytest.mark.parametrize(("lang", "message"), [("fr", "commence par http"), ("en", "starting with http")])
def test_configuration_errors_in_each_language(site: Site, lang: str, message: str) -> None:
    offer_id = site.draft()
    response = site.post(
        f"/employeur/offres/{offer_id}/configuration",
        {"posting": "immediate", "apply_method": "url", "apply_to": "ftp://genivert.ca"},
        lang=lang,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="apply_to-error"' in html and message in html.split('id="apply_to-error"')[1][:200]
    bad = site.post(
        f"/employeur/offres/{offer_id}/configuration", {"posting": "date", "posting_date": "demain"}, lang=lang
    )
    assert bad.status_code == 422 and 'id="posting-error"' in bad.get_data(as_text=True)


def test_a_cancelled_sending_keeps_its_credit_shown_as_forfait_associe(site: Site) -> None:
    grant(site, "ing")
    offer_id = site.draft()
    assert site.post(f"/employeur/offres/{offer_id}/envoi").status_code == 303
    assert site.post(f"/employeur/offres/{offer_id}/actions/cancel").status_code == 303
    assert site.status(offer_id) == "draft"
    listed = site.get("/employeur/offres").get_data(as_text=True)
    assert "Forfait associé : Offre ingénieur·e" in listed
    assert "Associated package: Engineer offer" in site.get("/employeur/offres", lang="en").get_data(as_text=True)
    assert site.bank.balances(GROUP, token="t")["ing"] == 4


def test_a_hostile_description_sent_back_with_an_error_is_sanitized(site: Site) -> None:
    offer_id = site.draft(complete=False)
    hostile = '<p>Bonjour</p></template><script>alert(1)</script><img src=x onerror="alert(2)">'
    response = site.post(
        f"/employeur/offres/{offer_id}/details",
        {**DETAILS, "title_fr": "x" * 151, "description_fr": hostile, "description_fr_format": "html"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "onerror" not in html and "<p>Bonjour</p>" in html


def test_a_profile_must_be_chosen_and_finances_cannot_post_the_wizard(site: Site) -> None:
    response = site.post("/employeur/offres/nouvelle", {"group_id": GROUP}, lang="en")
    assert response.status_code == 422 and 'id="profile-error"' in response.get_data(as_text=True)
    offer_id = site.draft()
    for path, data in (
        (f"/employeur/offres/{offer_id}/details", DETAILS),
        (f"/employeur/offres/{offer_id}/configuration", {"posting": "immediate"}),
        (f"/employeur/offres/{offer_id}/envoi", {}),
        ("/employeur/offres/nouvelle", {"profile": "ing"}),
    ):
        refused = site.post(path, data, who="finances")
        assert refused.status_code == 403 and "finances" in refused.get_data(as_text=True), path
    assert site.status(offer_id) == "draft"
