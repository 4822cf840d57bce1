"""The staff pages through the ASGI app, with tokens signed as identity signs them."""

import re
import uuid
from datetime import timedelta

from moderation_testkit import company_data, submitted
from sqlalchemy import func, select

from moderation.adapters.orm import outbox
from moderation.service_layer.ports import PortalRejected


def outbox_count(bundle) -> int:
    with bundle.runtime.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(outbox)).scalar_one()


def queue_ids(html: str) -> list[str]:
    return re.findall(r'data-request-id="([^"]+)"', html)


def error_of(html: str, field: str) -> str | None:
    match = re.search(rf'<small id="{field}-error" class="field-error" role="alert">([^<]*)</small>', html)
    return match.group(1) if match else None


async def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = await client.get("/moderation/demandes?statut=toutes")
    assert response.status_code == 303
    assert response.headers["location"] == "/compte/connexion?next=/moderation/demandes%3Fstatut%3Dtoutes"
    response = await client.post(f"/moderation/demandes/{uuid.uuid4()}/refuser", data={"reason": "x"})
    assert response.status_code == 303 and response.headers["location"].startswith("/compte/connexion?next=")


async def test_a_forged_token_is_anonymous(client, tokens):
    forged = tokens.token("staff")[:-4] + "AAAA"
    response = await client.get("/moderation/", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 303


async def test_employers_and_members_get_a_403_page(client, tokens, consumer):
    envelope = submitted()
    consumer(envelope.to_json(), {})
    for kind in ("employer", "member"):
        for path in ("/moderation/", "/moderation/demandes", f"/moderation/demandes/{envelope.data['request_id']}",
                     "/moderation/entreprises?q=gen"):
            response = await client.get(path, headers=tokens.headers(kind))
            assert response.status_code == 403, (kind, path)
            assert "Vous n&#39;avez pas accès à cette page." in response.text
        response = await client.post(f"/moderation/demandes/{envelope.data['request_id']}/approuver",
                                     headers=tokens.headers(kind))
        assert response.status_code == 403


async def test_staff_see_the_queue_oldest_first_with_ages_and_overdue_badges(client, tokens, consumer, clock):
    now = clock.now()
    late = submitted("company_creation", now - timedelta(days=7), company=company_data(legal_name="Ancienne ltée"))
    fresh = submitted("new_group", now, company=company_data(legal_name="Récente inc."))
    for envelope in (fresh, late):
        consumer(envelope.to_json(), {})
    response = await client.get("/moderation/demandes", headers=tokens.headers())
    assert response.status_code == 200
    html = response.text
    assert queue_ids(html) == [late.data["request_id"], fresh.data["request_id"]]
    assert html.index("Ancienne ltée") < html.index("Récente inc.")
    assert "Création d'entreprise" in html and "Nouveau groupe" in html
    assert "marie.tremblay@genivert-test.ca" in html
    rows = html.split("data-request-id=")[1:]
    late_badge = '<span class="badge badge-danger badge-late">En retard</span>'
    assert re.search(r'<td class="age"[^>]*>5 ' + re.escape(late_badge) + "</td>", rows[0])
    assert re.search(r'<td class="age"[^>]*>0</td>', rows[1])
    assert re.search(r'data-label="Reçue le">\d{1,2} \w+ \d{4}</td>', rows[0])  # dates in words, not ISO
    # Filters: nothing approved yet; by kind.
    approved = await client.get("/moderation/demandes?statut=approuvee", headers=tokens.headers())
    assert queue_ids(approved.text) == [] and "Aucune demande ne correspond" in approved.text
    only_groups = await client.get("/moderation/demandes?statut=toutes&type=new_group", headers=tokens.headers())
    assert queue_ids(only_groups.text) == [fresh.data["request_id"]]


async def test_the_dashboard_counts(client, tokens, consumer, clock):
    consumer(submitted("company_creation", clock.now() - timedelta(days=7)).to_json(), {})
    consumer(submitted("new_group").to_json(), {})
    html = (await client.get("/moderation/", headers=tokens.headers())).text
    assert '<strong class="count" id="count-pending">2</strong>' in html
    assert '<strong id="count-overdue">1</strong>' in html


async def test_a_refusal_without_reason_shows_the_error_next_to_the_field_and_changes_nothing(
        client, tokens, consumer, bundle):
    envelope = submitted("new_group")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    response = await client.post(f"/moderation/demandes/{request_id}/refuser",
                                 data={"reason": "   ", "csrf_token": "csrf-test-token"}, headers=tokens.headers())
    assert response.status_code == 422
    assert error_of(response.text, "reason") == (
        "Indiquez la raison du refus : la personne qui a fait la demande la recevra.")
    assert re.search(r'<textarea id="reason" name="reason"[^>]*aria-invalid="true"[^>]*'
                     r'aria-describedby="reason-hint reason-error"', response.text)
    assert 'name="csrf_token" value="csrf-test-token"' in response.text
    assert bundle.extras["views"].item(request_id).item.status == "en_attente"
    assert outbox_count(bundle) == 0


async def test_a_refusal_with_a_reason_is_recorded_and_shown(client, tokens, consumer, bundle):
    envelope = submitted("new_group")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    staff_id = str(uuid.uuid4())
    headers = tokens.headers(account_id=staff_id, email="sophie.belanger@oiq-test.ca")
    response = await client.post(f"/moderation/demandes/{request_id}/refuser",
                                 data={"reason": "Groupe déjà existant.", "csrf_token": "x"}, headers=headers)
    assert response.status_code == 303
    assert response.headers["location"] == f"/moderation/demandes/{request_id}?fait=refusee"
    page = await client.get(response.headers["location"], headers=headers)
    assert "La demande est refusée." in page.text
    assert '<dd id="decided-by">sophie.belanger@oiq-test.ca</dd>' in page.text
    assert '<dd id="decision-reason">Groupe déjà existant.</dd>' in page.text
    assert "Refuser la demande" not in page.text  # no more decision forms
    item = bundle.extras["views"].item(request_id).item
    assert (item.status, item.decided_by_account_id) == ("refusee", staff_id)
    again = await client.post(f"/moderation/demandes/{request_id}/approuver", data={}, headers=headers)
    assert again.status_code == 409 and "Cette demande a déjà été traitée" in again.text
    assert outbox_count(bundle) == 1


async def test_approving_a_company_creation_shows_company_portals_field_errors(client, tokens, consumer, bundle,
                                                                              portal):
    envelope = submitted("company_creation")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    page = await client.get(f"/moderation/demandes/{request_id}", headers=tokens.headers())
    for name in ("legal_name", "neq", "address", "city", "province", "postal_code", "country", "phone"):
        assert f'<label for="{name}">' in page.text and f'name="{name}"' in page.text
    fields = {**envelope.data["company"], "postal_code": "H3A", "neq": "12", "csrf_token": "x"}
    portal.reject_next = PortalRejected(422, "Le NEQ compte 10 chiffres.", "neq_format", {
        "neq": "Le NEQ compte 10 chiffres.", "postal_code": "Code postal canadien invalide."})
    response = await client.post(f"/moderation/demandes/{request_id}/approuver", data=fields,
                                 headers=tokens.headers())
    assert response.status_code == 422
    assert error_of(response.text, "postal_code") == "Code postal canadien invalide."
    assert error_of(response.text, "neq") == "Le NEQ compte 10 chiffres."
    assert error_of(response.text, "legal_name") is None
    assert 'value="H3A"' in response.text  # what staff typed is kept
    assert outbox_count(bundle) == 0
    (checked,) = [args[0] for name, _, args in portal.calls if name == "check_company"]
    assert (checked["neq"], checked["postal_code"]) == ("12", "H3A")  # sent as typed: company-portal judges
    fields.update(postal_code="H3A 3G4", neq="", legal_name="Génivert Solutions inc.", note="Vérifié au REQ.")
    response = await client.post(f"/moderation/demandes/{request_id}/approuver", data=fields,
                                 headers=tokens.headers())
    assert response.status_code == 303
    item = bundle.extras["views"].item(request_id).item
    assert item.status == "approuvee" and item.reason == "Vérifié au REQ."
    assert (item.approved_company.legal_name, item.approved_company.postal_code, item.approved_company.neq) == (
        "Génivert Solutions inc.", "H3A 3G4", None)
    page = await client.get(f"/moderation/demandes/{request_id}", headers=tokens.headers())
    assert "Renseignements approuvés" in page.text and "Génivert Solutions inc." in page.text


async def test_approving_while_company_portal_is_down_says_so_and_decides_nothing(client, tokens, consumer, bundle,
                                                                                 portal):
    envelope = submitted("company_creation")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    portal.down = True
    response = await client.post(f"/moderation/demandes/{request_id}/approuver",
                                 data={**envelope.data["company"], "csrf_token": "x"}, headers=tokens.headers())
    assert response.status_code == 503 and "ne répond pas" in response.text
    assert bundle.extras["views"].item(request_id).item.status == "en_attente" and outbox_count(bundle) == 0


async def test_unknown_requests_are_404(client, tokens):
    response = await client.get(f"/moderation/demandes/{uuid.uuid4()}", headers=tokens.headers())
    assert response.status_code == 404
    response = await client.post(f"/moderation/demandes/{uuid.uuid4()}/refuser", data={"reason": "x"},
                                 headers=tokens.headers())
    assert response.status_code == 404


async def test_pages_speak_english_when_asked(client, tokens, consumer):
    consumer(submitted("new_group").to_json(), {})
    headers = {**tokens.headers(), "Cookie": "lang=en"}
    html = (await client.get("/moderation/demandes", headers=headers)).text
    assert '<html lang="en"' in html
    assert "Account requests" in html and "New group" in html and "Pending approval" in html
    assert "Demandes de comptes" not in html
    html = (await client.get("/moderation/", headers={**tokens.headers(), "Accept-Language": "en-CA,en;q=0.9"})).text
    assert "Moderation" in html and "Overdue" in html


async def test_pages_keep_their_styles_under_the_gateways_csp(client, tokens):
    """The gateway's CSP says `style-src 'self'`: an inline <style> would be dropped by the browser."""
    page = await client.get("/moderation/", headers=tokens.headers("staff"))
    assert page.status_code == 200
    assert "<style" not in page.text and " style=" not in page.text
    # Only the shared design system's stylesheets (served by the gateway): no page-level CSS.
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text) == [
        "/static/vendor/pico.min.css", "/static/app.css"]


async def test_a_decision_form_sent_twice_decides_once_and_answers_alike(client, tokens, consumer, bundle):
    envelope = submitted("new_group")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    headers = tokens.headers()
    page = await client.get(f"/moderation/demandes/{request_id}", headers=headers)
    refuse_form = page.text[page.text.index(f'action="/moderation/demandes/{request_id}/refuser"'):]
    key = re.search(r'name="idempotency_key" value="([^"]+)"', refuse_form).group(1)
    data = {"reason": "Ce groupe existe déjà.", "csrf_token": "x", "idempotency_key": key}
    first = await client.post(f"/moderation/demandes/{request_id}/refuser", data=data, headers=headers)
    second = await client.post(f"/moderation/demandes/{request_id}/refuser", data=data, headers=headers)
    assert (first.status_code, second.status_code) == (303, 303)  # not "already decided" for the double click
    assert first.headers["location"] == second.headers["location"]
    assert outbox_count(bundle) == 1
    assert [e.action for e in bundle.extras["views"].item(request_id).item.journal] == ["refused"]
    changed = await client.post(f"/moderation/demandes/{request_id}/refuser",
                                data={**data, "reason": "Autre raison."}, headers=headers)
    assert changed.status_code == 409 and "Ce formulaire a déjà servi" in changed.text
