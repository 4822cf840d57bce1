"""The portal's pages (/entreprises/…): sign-in, the wizard, decisions, users, Mon entreprise,
Mon profil, the group switcher and logo files, in French and English."""

from __future__ import annotations

import html
import re

import pytest
from portal_testkit import add_account, add_company, add_group, auth, image_bytes, new_id

from company_portal.service_layer import views

CSRF = {"csrf_token": "csrf-test-token"}
ENGLISH = {"lang": "en"}


@pytest.fixture
def genivert(bus):
    company_id = add_company(bus, neq="1165432109")
    people = {role: add_account(bus, f"{role}@genivert-test.ca", first=role.title(), last="Test")
              for role in ("principal", "affichage", "finances")}
    group_id = add_group(bus, company_id, members={people[r]: r for r in people})
    return company_id, group_id, people


def test_signed_out_visitors_go_to_the_login_page(client):
    response = client.get("/entreprises/demande?q=g%C3%A9nivert")
    assert response.status_code == 303
    assert response.headers["location"] == "/compte/connexion?next=/entreprises/demande%3Fq%3Dg%25C3%25A9nivert"
    assert client.post("/entreprises/mon-profil", data=CSRF).headers["location"] == (
        "/compte/connexion?next=/entreprises/mon-profil")


def test_only_employers_use_the_portal(client):
    for kind in ("member", "staff"):
        assert client.get("/entreprises/mon-profil", headers=auth(new_id(), kind=kind)).status_code == 403


def test_the_wizard_from_search_to_pending(client, bus, genivert):
    company_id, group_id, _ = genivert
    me = new_id()
    headers = auth(me, "luc@genivert-test.ca")
    assert client.get("/entreprises/", headers=headers).headers["location"] == "/entreprises/demande"
    found = client.get("/entreprises/demande", params={"q": "GENIVERT"}, headers=headers)
    assert found.status_code == 200 and "Génivert inc." in found.text and 'badge-info">Oui</span>' in found.text
    chosen = client.post("/entreprises/demande/entreprise-choisie", headers=headers,
                         data={**CSRF, "company_id": company_id})
    assert chosen.headers["location"] == "/entreprises/demande/entreprise"
    tab2 = client.get("/entreprises/demande/entreprise", headers=headers)
    assert 'value="Génivert inc."' in tab2.text and 'value="H2X 3J6"' in tab2.text
    saved = client.post("/entreprises/demande/entreprise", headers=headers, data={
        **CSRF, "legal_name": "Génivert inc.", "phone": "514 555-0100", "country": "Canada",
        "address": "1200, rue Saint-Denis", "city": "Montréal", "province": "QC", "postal_code": "h2x 3j6"})
    assert saved.headers["location"] == "/entreprises/demande/vous"
    tab3 = client.get("/entreprises/demande/vous", headers=headers)
    assert f'value="{group_id}"' in tab3.text and "Nouveau groupe" in tab3.text
    missing = client.post("/entreprises/demande/vous", headers=headers, data={
        **CSRF, "first_name": "Luc", "last_name": "Gagnon", "phone": "514 555-0199", "extension": "abc",
        "function": ""})
    assert missing.status_code == 422
    for field in ("extension", "function", "group"):
        assert f'id="e-{field}"' in missing.text
    client.post("/entreprises/demande/vous", headers=headers, data={
        **CSRF, "first_name": "Luc", "last_name": "Gagnon", "phone": "514 555-0199", "extension": "12",
        "function": "Chargé de projets", "group": group_id})
    review = client.get("/entreprises/demande/confirmation", headers=headers)
    assert "Joindre le groupe existant « Groupe 001 »" in review.text and "poste 12" in review.text
    sent = client.post("/entreprises/demande/confirmation", headers=headers, data=CSRF)
    assert sent.headers["location"] == "/entreprises/mes-demandes?ok=envoyee"
    mine = client.get(sent.headers["location"], headers=headers)
    assert "Votre demande est en attente d'approbation." in html.unescape(mine.text)
    assert "En attente d'approbation" in html.unescape(mine.text)
    english = client.get("/entreprises/mes-demandes?ok=envoyee", headers=headers, cookies=ENGLISH)
    assert "Your request is awaiting approval." in english.text and "Awaiting approval" in english.text


def test_the_wizard_keeps_answers_between_tabs(client, bus):
    me = new_id()
    headers = auth(me)
    client.post("/entreprises/demande/creation", headers=headers, data=CSRF)
    client.post("/entreprises/demande/entreprise", headers=headers, data={
        **CSRF, "legal_name": "Hydro-Boréal Conseil inc.", "neq": "1187 654 321", "phone": "819 555 0175",
        "country": "Canada", "address": "88, 3e Avenue", "city": "Val-d'Or", "province": "QC",
        "postal_code": "J9P 1S4"})
    back = client.get("/entreprises/demande/entreprise", headers=headers)
    assert 'value="1187654321"' in back.text and 'value="Hydro-Boréal Conseil inc."' in back.text
    page = client.get("/entreprises/demande/vous", headers=headers, cookies=ENGLISH)
    assert "Groupe 001" in page.text and "About you" in page.text


def test_a_principal_decides_join_requests(client, bus, genivert):
    company_id, group_id, people = genivert
    requester = new_id()
    from portal_testkit import QC_INFO

    from company_portal.domain.model import AccountRequest, RequestKind
    with bus.new_uow() as uow:
        account = uow.accounts.get(add_account(bus, "olivier@genivert-test.ca", "Olivier", "Caron"))
        request = AccountRequest.submit(new_id(), RequestKind.JOIN_GROUP, account, QC_INFO, bus.deps.clock.now(),
                                        company_id=company_id, group_id=group_id, group_name="Groupe 001")
        uow.requests.add(request)
        uow.commit()
    requester = account.id
    principal = auth(people["principal"])
    listing = client.get("/entreprises/demandes", headers=principal)
    assert "Olivier Caron" in listing.text
    assert client.get("/entreprises/demandes", headers=auth(people["affichage"])).status_code == 403
    no_reason = client.post(f"/entreprises/demandes/{request.id}/refus", headers=principal,
                            data={**CSRF, "group_id": group_id, "reason": " "})
    assert no_reason.status_code == 422 and f'id="e-reason-{request.id}"' in no_reason.text
    approved = client.post(f"/entreprises/demandes/{request.id}/approbation", headers=principal,
                           data={**CSRF, "group_id": group_id, "role": "finances"})
    assert approved.headers["location"] == "/entreprises/demandes?ok=approuvee"
    mine = client.get("/entreprises/mes-demandes", headers=auth(requester))
    assert "Approuvée" in mine.text and "Responsable des finances" in mine.text


def test_users_and_roles_keep_a_principal(client, bus, genivert):
    _, group_id, people = genivert
    principal = auth(people["principal"])
    refused = client.post(f"/entreprises/utilisateurs/{people['principal']}/role", headers=principal,
                          data={**CSRF, "group_id": group_id, "role": "affichage"})
    assert refused.status_code == 409
    assert "au moins un ou une responsable principal·e" in refused.text
    assert f'id="e-user-{people["principal"]}"' in refused.text
    changed = client.post(f"/entreprises/utilisateurs/{people['finances']}/role", headers=principal,
                          data={**CSRF, "group_id": group_id, "role": "affichage"})
    assert changed.headers["location"] == "/entreprises/utilisateurs?ok=role"
    removed = client.post(f"/entreprises/utilisateurs/{people['affichage']}/retrait", headers=principal,
                          data={**CSRF, "group_id": group_id})
    assert removed.status_code == 303
    roles = {m["account_id"]: m["role"] for m in bus.query(views.members, people["principal"], group_id)}
    assert roles == {people["principal"]: "principal", people["finances"]: "affichage"}
    read_only = client.get("/entreprises/utilisateurs", headers=auth(people["finances"]))
    assert read_only.status_code == 200 and "Changer le rôle" not in read_only.text
    forbidden = client.post(f"/entreprises/utilisateurs/{people['principal']}/retrait",
                            headers=auth(people["finances"]), data={**CSRF, "group_id": group_id})
    assert forbidden.status_code == 403


def test_the_group_switcher(client, bus, genivert):
    company_id, group_id, people = genivert
    laval = add_group(bus, company_id, "Laval", members={people["affichage"]: "principal"})
    foreign = add_group(bus, add_company(bus), "Ailleurs", members={add_account(bus): "principal"})
    headers = auth(people["affichage"])
    page = client.get("/entreprises/mon-entreprise", headers=headers)
    assert 'id="group-switch"' in page.text and ">Laval</option>" in page.text
    switched = client.post("/entreprises/groupe-actif", headers=headers,
                           data={**CSRF, "group_id": laval, "next": "/entreprises/utilisateurs"})
    assert switched.headers["location"] == "/entreprises/utilisateurs"
    assert f"groupe={laval}" in switched.headers["set-cookie"] and "HttpOnly" in switched.headers["set-cookie"]
    now = client.get("/entreprises/mon-entreprise", headers=headers, cookies={"groupe": laval})
    assert re.search(rf'<option value="{laval}"\s+selected>', now.text)
    assert "Demandes d'adhésion" in html.unescape(now.text)  # principal of Laval
    assert client.post("/entreprises/groupe-actif", headers=headers,
                       data={**CSRF, "group_id": foreign}).status_code == 404
    evil = client.post("/entreprises/groupe-actif", headers=headers,
                       data={**CSRF, "group_id": laval, "next": "https://evil.example/"})
    assert evil.headers["location"] == "/entreprises/mon-entreprise"
    forged = client.get("/entreprises/mon-entreprise", headers=headers, cookies={"groupe": foreign})
    assert "Ailleurs" not in forged.text  # a cookie naming a foreign group falls back to one's own


def test_mon_entreprise_edit_and_logo(client, bus, genivert):
    _, group_id, people = genivert
    finances = client.get("/entreprises/mon-entreprise", headers=auth(people["finances"]))
    assert finances.status_code == 200 and 'action="/entreprises/mon-entreprise"' not in finances.text
    assert client.post("/entreprises/mon-entreprise", headers=auth(people["finances"]), data={
        **CSRF, "group_id": group_id, "group_name": "X", "company_name": "X", "address": "X"}).status_code == 403
    editor = auth(people["affichage"])
    saved = client.post("/entreprises/mon-entreprise", headers=editor, data={
        **CSRF, "group_id": group_id, "group_name": "Bureau de Montréal", "group_description": "",
        "company_name": "Génivert inc.", "address": "1200, rue Saint-Denis", "website": "genivert.ca",
        "phone": "", "description_html": "<p>Bonjour<script>alert(1)</script></p>"})
    assert saved.headers["location"] == "/entreprises/mon-entreprise?ok=entreprise"
    page = client.get("/entreprises/mon-entreprise", headers=editor)
    # The editor gets the sanitized HTML; the textarea (no JavaScript) the same as plain text.
    assert "<template data-rich-text-initial><p>Bonjour</p></template>" in page.text and "alert" not in page.text
    assert re.search(r'<textarea id="f-description_html" name="description_html"[^>]*>Bonjour</textarea>', page.text)
    bad = client.post("/entreprises/mon-entreprise", headers=editor, data={
        **CSRF, "group_id": group_id, "group_name": "Bureau", "company_name": "Génivert inc.",
        "address": "1200, rue Saint-Denis", "website": "javascript:alert(1)"})
    assert bad.status_code == 422 and 'id="e-website"' in bad.text and 'value="Bureau"' in bad.text
    uploaded = client.post("/entreprises/mon-entreprise/logo", headers=editor, data={**CSRF, "group_id": group_id},
                           files={"logo": ("logo.png", image_bytes(800, 400), "image/png")})
    assert uploaded.headers["location"] == "/entreprises/mon-entreprise?ok=logo"
    current = client.get(f"/entreprises/logos/{group_id}")  # public: no token
    assert current.status_code == 302
    logo_path = current.headers["location"]
    assert re.fullmatch(rf"/entreprises/logos/{group_id}/[0-9a-f]{{20}}\.png", logo_path)
    logo = client.get(logo_path)
    assert (logo.status_code, logo.headers["content-type"]) == (200, "image/png")
    assert "immutable" in logo.headers["cache-control"] and logo.content.startswith(b"\x89PNG")
    assert client.get(f"/entreprises/logos/{group_id}/0123456789abcdef0123.png").status_code == 302
    assert client.get(f"/entreprises/logos/{new_id()}").status_code == 404


def test_mon_profil(client, bus, genivert):
    _, group_id, people = genivert
    headers = auth(people["finances"], "finances@genivert-test.ca")
    page = client.get("/entreprises/mon-profil", headers=headers)
    assert "L'adresse courriel sert d'identifiant et ne peut pas être modifiée." in html.unescape(page.text)
    assert 'value="finances@genivert-test.ca" readonly' in page.text
    assert 'href="/compte/mot-de-passe"' in page.text
    assert page.text.count("@genivert-test.ca</td>") == 3  # the company's users, with role and group
    assert "Responsable de l'affichage" in html.unescape(page.text)
    assert 'data-label="Groupe">Groupe 001</td>' in page.text
    bad = client.post("/entreprises/mon-profil", headers=headers, data={
        **CSRF, "first_name": "Julie", "last_name": "Lavoie", "function": "Contrôleuse", "phone": "123"})
    assert bad.status_code == 422 and 'id="e-phone"' in bad.text
    good = client.post("/entreprises/mon-profil", headers=headers, data={
        **CSRF, "first_name": "Julie", "last_name": "Lavoie", "function": "Contrôleuse", "phone": "514 555 0103",
        "extension": "7", "email": "pirate@evil.example"})
    assert good.headers["location"] == "/entreprises/mon-profil?ok=profil"
    account = bus.query(views.account, people["finances"])
    assert (account["first_name"], account["phone"], account["email"]) == (
        "Julie", "514-555-0103", "finances@genivert-test.ca")
    english = client.get("/entreprises/mon-profil", headers=headers, cookies=ENGLISH)
    assert "The email address is your login and cannot be changed." in english.text


def test_every_form_carries_the_csrf_token(client, bus, genivert):
    company_id, group_id, people = genivert
    headers = auth(people["principal"])
    client.post("/entreprises/demande/entreprise-choisie", headers=headers, data={**CSRF, "company_id": company_id})
    pages = ["/entreprises/mon-entreprise", "/entreprises/utilisateurs", "/entreprises/demandes",
             "/entreprises/mon-profil", "/entreprises/demande?q=genivert", "/entreprises/demande/entreprise"]
    seen = 0
    for path in pages:
        text = client.get(path, headers=headers).text
        for form in re.findall(r'<form method="post".*?</form>', text, flags=re.S):
            assert 'name="csrf_token" value="csrf-test-token"' in form, (path, form[:120])
            seen += 1
    assert seen >= 10


def test_company_description_without_javascript_keeps_paragraphs(client, bus, genivert):
    """The textarea sends plain text (`description_html_format=text`): blank lines make paragraphs,
    markup typed there is text, and the editor's HTML still goes through the sanitizer."""
    _, group_id, people = genivert
    editor = auth(people["affichage"])
    base = {**CSRF, "group_id": group_id, "group_name": "Groupe 001", "company_name": "Génivert inc.",
            "address": "1200, rue Saint-Denis"}
    saved = client.post("/entreprises/mon-entreprise", headers=editor, data={
        **base, "description_html_format": "text",
        "description_html": "Premier paragraphe.\r\n\r\nDeuxième <script>x</script> ligne\r\nsuite"})
    assert saved.status_code == 303
    page = client.get("/entreprises/mon-entreprise", headers=editor).text
    assert ("<template data-rich-text-initial><p>Premier paragraphe.</p>"
            "<p>Deuxième &lt;script&gt;x&lt;/script&gt; ligne<br>suite</p></template>") in page
    client.post("/entreprises/mon-entreprise", headers=editor, data={
        **base, "description_html_format": "html",
        "description_html": '<p><strong>Gras</strong> <a href="https://genivert.ca" onclick="x()">site</a></p>'})
    page = client.get("/entreprises/mon-entreprise", headers=editor).text
    assert ('<p><strong>Gras</strong> <a href="https://genivert.ca" target="_blank" rel="noopener noreferrer">site</a>'
            "</p>") in page and "onclick" not in page
