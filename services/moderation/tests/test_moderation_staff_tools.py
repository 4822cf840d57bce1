"""Staff tools through the pages, with a fake company-portal, a failing one and a dead server."""

import re
import socket
from dataclasses import replace

import httpx
from moderation_testkit import demo_company, demo_user, make_settings

from moderation.adapters.portal_client import HttpPortalClient, PortalRejected
from moderation.bootstrap import bootstrap

DOWN_MESSAGE = "Le Portail des entreprises ne répond pas pour le moment."


def error_of(html: str, field_id: str) -> str | None:
    match = re.search(rf'<small id="{field_id}-error" class="field-error" role="alert">([^<]*)</small>', html)
    return match.group(1) if match else None


def bearer(headers: dict[str, str]) -> str:
    return headers["Authorization"][7:]


async def test_search_finds_companies_and_users_with_the_staff_token(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    portal.users.append(demo_user(company))
    headers = tokens.headers()
    response = await client.get("/moderation/entreprises", params={"q": "génivert"}, headers=headers)
    assert response.status_code == 200
    html = response.text
    assert f'href="/moderation/entreprises/{company.id}">Génivert inc.</a>' in html
    assert "Groupe 001 (2)" in html and "Bureau de Québec (0)" in html
    assert "marie.tremblay@genivert-test.ca" in html and "Responsable principal·e" in html
    assert [(name, token) for name, token, _ in portal.calls] == [
        ("search_companies", bearer(headers)), ("search_users", bearer(headers))]
    empty = await client.get("/moderation/entreprises", headers=headers)
    assert empty.status_code == 200 and len(portal.calls) == 2  # no query, no call


def form_key(html: str, action: str) -> str:
    """The idempotency key of the form posting to `action` (one per rendered form)."""
    form = html[html.index(f'action="{action}"'):]
    return re.search(r'name="idempotency_key" value="([^"]+)"', form[:form.index("</form>")]).group(1)


async def test_a_correction_with_a_bad_neq_shows_company_portals_field_error(client, tokens, portal):
    """moderation checks no company rule: it sends the fields as typed and shows what company-portal says."""
    company = demo_company()
    portal.companies[company.id] = company
    headers = {**tokens.headers(email="sophie.belanger@oiq-test.ca"), "Cookie": "lang=en"}
    page = await client.get(f"/moderation/entreprises/{company.id}", headers=headers)
    assert page.status_code == 200
    assert 'value="Génivert inc."' in page.text and "Luc Gagnon" in page.text
    form = {**company.as_form(), "neq": "12AB", "csrf_token": "x",
            "idempotency_key": form_key(page.text, f"/moderation/entreprises/{company.id}")}
    portal.reject_next = PortalRejected(422, "The NEQ has exactly 10 digits.", "neq_format",
                                        {"neq": "The NEQ has exactly 10 digits."})
    response = await client.post(f"/moderation/entreprises/{company.id}", data=form, headers=headers)
    assert response.status_code == 422
    assert error_of(response.text, "neq") == "The NEQ has exactly 10 digits."
    assert 'value="12AB"' in response.text  # what staff typed is kept
    (update,) = [args for name, _, args in portal.calls if name == "update_company"]
    assert update[1]["neq"] == "12AB" and portal.locales[-1] == "en"  # sent as typed, in staff's language
    assert "entreprise corrigés" not in response.text[response.text.index('id="journal"'):]  # nothing journaled


async def test_a_correction_goes_through_company_portal_and_is_journaled(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    headers = tokens.headers(email="sophie.belanger@oiq-test.ca")
    form = {**company.as_form(), "neq": "", "legal_name": "Génivert Solutions inc.", "csrf_token": "x"}
    response = await client.post(f"/moderation/entreprises/{company.id}", data=form, headers=headers)
    assert response.status_code == 303
    assert response.headers["location"] == f"/moderation/entreprises/{company.id}?fait=entreprise"
    (update,) = [args for name, _, args in portal.calls if name == "update_company"]
    assert update[1]["neq"] == "" and update[1]["legal_name"] == "Génivert Solutions inc."  # "" clears a wrong NEQ
    page = await client.get(response.headers["location"], headers=headers)
    assert "Les renseignements de l&#39;entreprise sont enregistrés." in page.text
    journal = page.text[page.text.index('id="journal"'):]
    assert "entreprise corrigés" in journal and "sophie.belanger@oiq-test.ca" in journal


async def test_a_double_submitted_create_group_form_creates_one_group(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    headers = tokens.headers()
    action = f"/moderation/entreprises/{company.id}/groupes"
    page = await client.get(f"/moderation/entreprises/{company.id}", headers=headers)
    data = {"name": "Bureau de Sherbrooke", "csrf_token": "x", "idempotency_key": form_key(page.text, action)}
    first = await client.post(action, data=data, headers=headers)
    second = await client.post(action, data=data, headers=headers)
    assert first.status_code == second.status_code == 303 and first.headers["location"] == second.headers["location"]
    assert [g.name for g in portal.companies[company.id].groups].count("Bureau de Sherbrooke") == 1
    assert [name for name, _, _ in portal.calls].count("create_group") == 1
    assert portal.keys == [data["idempotency_key"]]  # company-portal got the form's key too
    journal = (await client.get(f"/moderation/entreprises/{company.id}", headers=headers)).text
    assert journal[journal.index('id="journal"'):].count("Groupe créé") == 1
    # A new rendering of the form is a new key: the same name can be asked again (company-portal decides).
    again = await client.get(f"/moderation/entreprises/{company.id}", headers=headers)
    assert form_key(again.text, action) != data["idempotency_key"]


async def test_a_form_key_reused_for_another_action_is_refused(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    headers = tokens.headers()
    action = f"/moderation/entreprises/{company.id}/groupes"
    key = "k" * 32
    first = await client.post(action, data={"name": "Laval", "idempotency_key": key}, headers=headers)
    assert first.status_code == 303
    other = await client.post(action, data={"name": "Québec", "idempotency_key": key}, headers=headers)
    assert other.status_code == 422 and "Ce formulaire a déjà servi" in other.text
    assert [name for name, _, _ in portal.calls].count("create_group") == 1


async def test_a_registry_company_without_phone_can_be_fixed(client, tokens, portal):
    company = replace(demo_company(), phone="", neq=None)
    portal.companies[company.id] = company
    form = {**company.as_form(), "city": "Laval", "csrf_token": "x"}
    response = await client.post(f"/moderation/entreprises/{company.id}", data=form, headers=tokens.headers())
    assert response.status_code == 303
    assert portal.companies[company.id].city == "Laval"


async def test_creating_a_group(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    headers = tokens.headers()
    response = await client.post(f"/moderation/entreprises/{company.id}/groupes", data={"name": "  "},
                                 headers=headers)
    assert response.status_code == 422 and error_of(response.text, "group-name") == "Ce champ est obligatoire."
    response = await client.post(f"/moderation/entreprises/{company.id}/groupes",
                                 data={"name": "Bureau de Sherbrooke", "csrf_token": "x"}, headers=headers)
    assert response.status_code == 303
    assert [g.name for g in portal.companies[company.id].groups][-1] == "Bureau de Sherbrooke"
    # company-portal refuses a duplicate name: its message shows next to the field.
    portal.reject_next = PortalRejected(409, "Un autre groupe de l'entreprise porte déjà ce nom.",
                                        "group_name_taken", {"name": "Un autre groupe porte déjà ce nom."})
    response = await client.post(f"/moderation/entreprises/{company.id}/groupes",
                                 data={"name": "Groupe 001"}, headers=headers)
    assert response.status_code == 422
    assert error_of(response.text, "group-name") == "Un autre groupe porte déjà ce nom."
    assert 'value="Groupe 001"' in response.text


async def test_moving_a_user_between_groups(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    source, target = company.groups
    luc = source.members[1]
    headers = tokens.headers()
    page = await client.get(f"/moderation/entreprises/{company.id}", headers=headers)
    assert f'<option value="{luc.account_id}|{source.id}">' in page.text
    same = await client.post(f"/moderation/entreprises/{company.id}/deplacements",
                             data={"member": f"{luc.account_id}|{source.id}", "to_group_id": source.id,
                                   "role": "affichage"}, headers=headers)
    assert same.status_code == 422
    assert error_of(same.text, "to_group_id") == "Choisissez un groupe différent du groupe actuel."
    bad_role = await client.post(f"/moderation/entreprises/{company.id}/deplacements",
                                 data={"member": f"{luc.account_id}|{source.id}", "to_group_id": target.id,
                                       "role": "admin"}, headers=headers)
    assert bad_role.status_code == 422 and error_of(bad_role.text, "role") == "Choisissez une option de la liste."
    moved = await client.post(f"/moderation/entreprises/{company.id}/deplacements",
                              data={"member": f"{luc.account_id}|{source.id}", "to_group_id": target.id,
                                    "role": "finances", "csrf_token": "x"}, headers=headers)
    assert moved.status_code == 303
    assert ("move_membership", bearer(headers), (luc.account_id, source.id, target.id, "finances")) in portal.calls
    journal = (await client.get(f"/moderation/entreprises/{company.id}", headers=headers)).text
    assert "déplacé" in journal[journal.index('id="journal"'):]


async def test_an_unknown_company_is_404(client, tokens):
    response = await client.get("/moderation/entreprises/nope", headers=tokens.headers())
    assert response.status_code == 404


async def test_when_company_portal_is_down_the_pages_say_so(client, tokens, portal):
    company = demo_company()
    portal.companies[company.id] = company
    portal.down = True
    headers = tokens.headers()
    search = await client.get("/moderation/entreprises", params={"q": "gen"}, headers=headers)
    assert search.status_code == 503 and DOWN_MESSAGE in search.text
    page = await client.get(f"/moderation/entreprises/{company.id}", headers=headers)
    assert page.status_code == 503 and DOWN_MESSAGE in page.text
    post = await client.post(f"/moderation/entreprises/{company.id}/groupes", data={"name": "Bureau"},
                             headers=headers)
    assert post.status_code == 503 and DOWN_MESSAGE in post.text
    english = await client.get("/moderation/entreprises", params={"q": "gen"},
                               headers={**headers, "Cookie": "lang=en"})
    assert english.status_code == 503 and "The Company portal is not answering right now." in english.text


def closed_port() -> int:
    """A local port with nothing listening (connection refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_with_a_real_client_and_no_server_the_page_says_so(tmp_path, contracts_dir, clock, tokens):
    dead = HttpPortalClient(f"http://127.0.0.1:{closed_port()}", backoff=0)
    service = bootstrap(make_settings(tmp_path, contracts_dir), clock=clock, portal_client=dead)
    service.migrate()
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.asgi),
                                     base_url="http://testserver") as http:
            search = await http.get("/moderation/entreprises", params={"q": "gen"}, headers=tokens.headers())
            assert search.status_code == 503 and DOWN_MESSAGE in search.text
            move = await http.post("/moderation/entreprises/c-1/deplacements",
                                   data={"member": "a|g1", "to_group_id": "g2", "role": "principal"},
                                   headers=tokens.headers())
            assert move.status_code == 503 and DOWN_MESSAGE in move.text
    finally:
        service.runtime.engine.dispose()


def test_the_default_client_goes_through_the_gateway_with_a_5_second_timeout(tmp_path, contracts_dir, monkeypatch):
    monkeypatch.delenv("COMPANY_PORTAL_URL", raising=False)
    settings = make_settings(tmp_path, contracts_dir)
    service = bootstrap(settings)
    client = service.extras["portal_client"]
    assert isinstance(client, HttpPortalClient)
    assert client.base_url == f"{settings.public_url}/api/company-portal/v1/staff"
    assert (client.timeout, client.connect_timeout) == (5.0, 2.0)
    monkeypatch.setenv("COMPANY_PORTAL_URL", "http://company-portal:8000/")
    other = bootstrap(settings).extras["portal_client"]
    assert other.base_url == "http://company-portal:8000/api/company-portal/v1/staff"
