"""The Portail des entreprises' journeys (docs/portal-flows.md) through the gateway on the distributed
suite, as a browser would: pages and forms, with the emails read from the SMTP sink.

A request crosses RabbitMQ twice before the requester sees its group: company-portal →
`portal.request.submitted` → moderation (queue) ; staff decide → `moderation.request.approved` →
company-portal (group, membership) → `portal.request.approved` → mailer.
"""

from __future__ import annotations

import re

from portal_support import (
    ACCOUNT_EMAILS,
    API,
    APPROVED,
    JOIN_NOTICE,
    PENDING,
    REFUSED,
    about_you,
    ask_for_new_group,
    ask_to_join,
    assert_emails_exactly,
    choose_company_by_neq,
    csrf_of,
    follow,
    html_text,
    join_request_on_page,
    my_groups,
    new_employer,
    plain_text,
    post_form,
    principal_of_new_group,
    queue_row,
    result_row,
    search,
    staff_approves_new_group,
    submit,
    text_of,
    validate_company,
    wait_for_group,
)

from plumbing.testing import wait_until
from tests_e2e_support import wait_for_email


def member_row(page_html: str, email: str) -> list[str]:
    """The cells of the « Utilisateurs et rôles » row of `email`."""
    for row in re.findall(r'<tr id="utilisateur-[^"]+">(.*?)</tr>', page_html, flags=re.S):
        if email in row:
            return [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
    raise AssertionError(f"{email} is not listed:\n{text_of(page_html)[-1500:]}")


def member_id(page_html: str, email: str) -> str:
    for account_id, row in re.findall(r'<tr id="utilisateur-([^"]+)">(.*?)</tr>', page_html, flags=re.S):
        if email in row:
            return account_id
    raise AssertionError(f"{email} is not listed")


def test_first_user_gets_a_new_group_then_a_colleague_joins_as_finance_manager(
        suite, mail_dir, registry, staff, staff_browser) -> None:
    company = registry.take()

    # (a) The first user finds the company by its NEQ: nobody uses it yet, so only « Nouveau groupe ».
    principal = new_employer(suite, mail_dir, "Émilie", "Gauthier")
    landing = principal.browser.get("/entreprises/")
    assert landing.status_code == 303 and landing.headers["location"] == "/entreprises/demande"
    ask_for_new_group(principal, company)
    mine = principal.browser.get("/entreprises/mes-demandes")
    assert f"{company.legal_name} Nouveau groupe" in text_of(mine.text)
    assert "En attente d'approbation" in text_of(mine.text)
    assert wait_for_email(mail_dir, principal.email, subject_contains=PENDING)
    assert my_groups(principal.browser) == []

    # OIQ staff approve it in the moderation pages.
    request_id = queue_row(staff_browser, principal.email, "new_group")
    queue = staff_browser.get("/moderation/demandes")
    row = re.search(rf'<tr data-request-id="{request_id}">(.*?)</tr>', queue.text, flags=re.S)
    assert row and "Nouveau groupe" in text_of(row.group(1)) and company.legal_name in row.group(1)
    staff_approves_new_group(staff_browser, principal, note="Bienvenue dans ingemplois.")
    detail = text_of(staff_browser.get(f"/moderation/demandes/{request_id}").text)
    assert f"Par {staff.email}" in detail and "Motif Bienvenue dans ingemplois." in detail

    # The user is now Responsable principal·e of « Groupe 001 », and is told so by email.
    group = wait_for_group(principal.browser)
    assert group == {"group_id": group["group_id"], "group_name": "Groupe 001", "company_id": group["company_id"],
                     "company_name": company.legal_name, "role": "principal"}
    approved = plain_text(wait_for_email(mail_dir, principal.email, subject_contains=APPROVED))
    assert f"« Groupe 001 » de l’entreprise {company.legal_name}" in approved
    assert "avec le rôle de Responsable principal·e" in approved
    assert f"{suite.gateway_url}/entreprises/mon-entreprise" in approved
    landing = principal.browser.get("/entreprises/")
    assert landing.status_code == 303 and landing.headers["location"] == "/entreprises/mon-entreprise"
    company_page = text_of(principal.browser.get("/entreprises/mon-entreprise").text)
    assert f"{company.legal_name} — Groupe 001 Responsable principal·e" in company_page
    decided = text_of(principal.browser.get("/entreprises/mes-demandes").text)
    assert "Approuvée" in decided and "par l'Ordre" in decided and "Raison : Bienvenue dans ingemplois." in decided

    # (b) A colleague finds the same company (« Utilisateur existant » : Oui) and asks to join « Groupe 001 ».
    colleague = new_employer(suite, mail_dir, "Marc-André", "Tremblay")
    ask_to_join(colleague, company, group["group_id"], "Groupe 001")
    assert wait_for_email(mail_dir, colleague.email, subject_contains=PENDING)
    notice = plain_text(wait_for_email(mail_dir, principal.email, subject_contains=JOIN_NOTICE))
    assert f"Marc-André Tremblay ({colleague.email}) demande à joindre le groupe « Groupe 001 »" in notice
    assert f"{suite.gateway_url}/entreprises/demandes" in notice

    # The principal decides in « Demandes d'adhésion »: approved with the role « Responsable des finances ».
    page, join_id = join_request_on_page(principal, colleague.email)
    assert "Contrôleuse financière" in text_of(page.text)
    approval = post_form(principal.browser, page, f"/entreprises/demandes/{join_id}/approbation", {"role": "finances"})
    after = follow(principal.browser, approval, "/entreprises/demandes?ok=approuvee")
    assert "La demande est approuvée." in text_of(after.text) and colleague.email not in after.text

    # The colleague sees the group with that role, in the API, the menu and « Mon profil ».
    joined = wait_for_group(colleague.browser)
    assert (joined["group_id"], joined["role"]) == (group["group_id"], "finances")
    profile = colleague.browser.get("/entreprises/mon-profil")
    assert profile.status_code == 200
    assert f"{company.legal_name} — Groupe 001 Responsable des finances" in text_of(profile.text)
    assert f"Marc-André Tremblay {colleague.email} Responsable des finances Groupe 001" in text_of(profile.text)
    mine = text_of(colleague.browser.get("/entreprises/mes-demandes").text)
    assert "Approuvée" in mine and "Rôle : Responsable des finances" in mine
    welcome = plain_text(wait_for_email(mail_dir, colleague.email, subject_contains=APPROVED))
    assert "approuvée par le ou la Responsable principal·e du groupe" in welcome
    assert "avec le rôle de Responsable des finances" in welcome
    # … and the principal sees it in « Utilisateurs et rôles ».
    users = principal.browser.get("/entreprises/utilisateurs")
    assert member_row(users.text, colleague.email)[:4] == [
        "Marc-André Tremblay", colleague.email, "Contrôleuse financière", "Responsable des finances"]
    assert member_row(users.text, principal.email)[3] == "Responsable principal·e"

    # A finance manager may not decide join requests (403, page and API) and is not offered the page.
    assert colleague.browser.get("/entreprises/demandes").status_code == 403
    assert colleague.browser.get(f"{API}/groups/{group['group_id']}/join-requests").status_code == 403
    assert 'href="/entreprises/demandes"' not in profile.text
    # Join requests are the principals' business, never in the staff queue.
    every = staff_browser.get("/moderation/demandes", params={"statut": "toutes"})
    assert join_id not in every.text and request_id in every.text

    assert_emails_exactly(mail_dir, {
        principal.email: (*ACCOUNT_EMAILS, PENDING, APPROVED, JOIN_NOTICE),
        colleague.email: (*ACCOUNT_EMAILS, PENDING, APPROVED),
    })
    principal.browser.close()
    colleague.browser.close()


def test_staff_create_a_missing_company_and_the_account_is_linked_to_it(
        suite, mail_dir, registry, staff, staff_browser) -> None:
    requester = new_employer(suite, mail_dir, "Sophie", "Lavoie")
    token = re.sub(r"\W", "", requester.email.split("@")[0])[-6:].upper()
    typed_name = f"Hydro Lavoie {token}"

    # Nothing matches: the user asks for the company's creation from the search tab.
    page = search(requester, typed_name)
    assert f"Aucune entreprise ne correspond à « {typed_name} »." in text_of(page.text)
    creation = post_form(requester.browser, page, "/entreprises/demande/creation")
    tab2 = follow(requester.browser, creation, "/entreprises/demande/entreprise")
    assert "Demande de création d'entreprise" in text_of(tab2.text)
    # A Canadian postal code is checked on the way.
    refused = post_form(requester.browser, tab2, "/entreprises/demande/entreprise", {
        "legal_name": typed_name, "neq": "", "phone": "418 555-0100", "country": "Canada",
        "address": "10, rue du Port", "city": "Québec", "province": "QC", "postal_code": "12345"})
    assert refused.status_code == 422 and 'id="f-postal_code"' in refused.text
    assert re.search(r'id="f-postal_code"[^>]*aria-invalid="true"', refused.text)
    tab3 = validate_company(requester, refused, {"postal_code": "g1k4a1"})
    assert "Groupe 001" in text_of(tab3.text)
    confirmation = about_you(requester, tab3, phone="418-555-0101", function="Présidente", group="new")
    assert "Création d'entreprise (approbation par l'Ordre)" in text_of(confirmation.text)
    assert "G1K 4A1" in text_of(confirmation.text)
    submit(requester, confirmation)
    assert wait_for_email(mail_dir, requester.email, subject_contains=PENDING)

    # Staff validate the company against the Registraire: they fix its legal name and add its NEQ.
    request_id = queue_row(staff_browser, requester.email, "company_creation")
    detail = staff_browser.get(f"/moderation/demandes/{request_id}")
    neq = f"22{int(token, 16) % 10**8:08d}"
    legal_name = f"Hydro Lavoie {token} inc."
    form = {f: v for f, v in re.findall(r'<input id="([a-z_]+)" name="\1" type="\w+" value="([^"]*)"', detail.text)}
    assert form["legal_name"] == typed_name and form["postal_code"] == "G1K 4A1" and form["neq"] == ""
    decided = post_form(staff_browser, detail, f"/moderation/demandes/{request_id}/approuver",
                        {"legal_name": legal_name, "neq": neq})
    approved_page = text_of(follow(staff_browser, decided, f"/moderation/demandes/{request_id}?fait=").text)
    assert "Renseignements approuvés" in approved_page and legal_name in approved_page

    # The account is linked: the company (as staff wrote it) and its « Groupe 001 ».
    group = wait_for_group(requester.browser)
    assert (group["company_name"], group["group_name"], group["role"]) == (legal_name, "Groupe 001", "principal")
    company_page = text_of(requester.browser.get("/entreprises/mon-entreprise").text)
    assert f"{legal_name} — Groupe 001 Responsable principal·e" in company_page
    approved = plain_text(wait_for_email(mail_dir, requester.email, subject_contains=APPROVED))
    # The email speaks of the name the requester typed, and of the one staff registered (issue 7).
    assert f"Votre demande de création de l’entreprise {typed_name} a été approuvée" in approved
    assert f"L’Ordre a inscrit l’entreprise sous le nom « {legal_name} »" in approved
    assert "« Groupe 001 »" in approved

    # The company is in the registry now: staff find it by NEQ with its user, another employer too.
    found = staff_browser.get("/moderation/entreprises", params={"q": neq})
    assert found.status_code == 200
    assert f"{legal_name} {neq} Québec G1K 4A1 Groupe 001 (1) 1" in text_of(found.text)
    users = text_of(staff_browser.get("/moderation/entreprises", params={"q": requester.email}).text)
    assert f"{legal_name} · Groupe 001 ·" in users
    other = new_employer(suite, mail_dir, "Nadia", "Ouellet")
    cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", result_row(search(other, neq), neq), flags=re.S)]
    assert cells[0] == legal_name and cells[4] == "Oui", cells

    assert_emails_exactly(mail_dir, {requester.email: (*ACCOUNT_EMAILS, PENDING, APPROVED),
                                     other.email: ACCOUNT_EMAILS})
    requester.browser.close()
    other.browser.close()


def test_staff_refusal_needs_a_reason_and_emails_it(suite, mail_dir, registry, staff, staff_browser) -> None:
    company = registry.take()
    requester = new_employer(suite, mail_dir, "Jean-François", "Côté")
    ask_for_new_group(requester, company)
    request_id = queue_row(staff_browser, requester.email, "new_group")
    detail = staff_browser.get(f"/moderation/demandes/{request_id}")

    # No reason: refused next to the field, nothing decided.
    blank = post_form(staff_browser, detail, f"/moderation/demandes/{request_id}/refuser", {"reason": "  "})
    assert blank.status_code == 422
    assert re.search(r'<textarea id="reason"[^>]*aria-invalid="true"[^>]*aria-describedby="reason-hint reason-error"',
                     blank.text)
    reason = ("L'adresse courriel n'appartient pas au domaine de l'entreprise <Génie & Cie>.\n"
              "Écrivez-nous depuis votre adresse professionnelle.")
    refused = post_form(staff_browser, blank, f"/moderation/demandes/{request_id}/refuser", {"reason": reason})
    page = text_of(follow(staff_browser, refused, f"/moderation/demandes/{request_id}?fait=refusee").text)
    assert "Refusée" in page and "<Génie & Cie>" in page

    # The reason reaches the requester: quoted in the text part, escaped in the HTML part, and on the page.
    message = wait_for_email(mail_dir, requester.email, subject_contains=REFUSED)
    text = plain_text(message)
    assert "a été refusée par l’Ordre des ingénieurs du Québec" in text
    assert ("> L'adresse courriel n'appartient pas au domaine de l'entreprise <Génie & Cie>.\n"
            "> Écrivez-nous depuis votre adresse professionnelle.") in text
    assert "&lt;Génie &amp; Cie&gt;" in html_text(message) and "<Génie & Cie>" not in html_text(message)
    mine = text_of(requester.browser.get("/entreprises/mes-demandes").text)
    assert "Refusée" in mine and "par l'Ordre" in mine and "<Génie & Cie>" in mine
    assert my_groups(requester.browser) == []
    landing = requester.browser.get("/entreprises/")
    assert landing.status_code == 303 and landing.headers["location"] == "/entreprises/mes-demandes"
    # A decided request cannot be decided again.
    again = post_form(staff_browser, blank, f"/moderation/demandes/{request_id}/approuver")
    assert again.status_code == 409

    assert_emails_exactly(mail_dir, {requester.email: (*ACCOUNT_EMAILS, PENDING, REFUSED)})
    requester.browser.close()


def test_a_group_member_cannot_reach_another_group(suite, mail_dir, registry, staff, staff_browser) -> None:
    company_a, company_b = registry.take(), registry.take()
    alice, group_a = principal_of_new_group(suite, mail_dir, staff_browser, company_a, "Alice", "Bergeron")
    bruno, group_b = principal_of_new_group(suite, mail_dir, staff_browser, company_b, "Bruno", "Simard")
    a, b = group_a["group_id"], group_b["group_id"]
    # Group B has a pending join request.
    joiner = new_employer(suite, mail_dir, "Chloé", "Poirier")
    ask_to_join(joiner, company_b, b, "Groupe 001")
    _, join_id = join_request_on_page(bruno, joiner.email)
    bruno_id = member_id(bruno.browser.get("/entreprises/utilisateurs").text, bruno.email)

    # The JSON resources of group B answer 404 to Alice, as if B did not exist…
    csrf = {"X-CSRF-Token": csrf_of(alice.browser)}
    calls = [
        ("GET", f"/groups/{b}", None), ("GET", f"/groups/{b}/permissions", None),
        ("GET", f"/groups/{b}/members", None), ("GET", f"/groups/{b}/join-requests", None),
        ("GET", f"/groups/{b}/branding", None),
        ("PUT", f"/groups/{b}/branding", {"group_name": "Pris", "company_name": "Pris", "address": "1, rue X"}),
        ("PUT", f"/groups/{b}/members/{bruno_id}/role", {"role": "affichage"}),
        ("DELETE", f"/groups/{b}/members/{bruno_id}", None),
        ("POST", f"/groups/{b}/join-requests/{join_id}/approval", {"role": "principal"}),
        ("POST", f"/groups/{b}/join-requests/{join_id}/refusal", {"reason": "Non"}),
    ]
    for method, path, body in calls:
        response = alice.browser.request(method, API + path, json=body, headers=csrf)
        assert response.status_code == 404, (method, path, response.status_code, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")
        assert company_b.legal_name not in response.text
    logo = alice.browser.put(f"{API}/groups/{b}/logo", headers=csrf, files={"file": ("l.png", b"\x89PNG", "image/png")})
    assert logo.status_code == 404
    # … while the same resources of her own group answer (the paths are right).
    assert alice.browser.get(f"{API}/groups/{a}/members").status_code == 200
    assert alice.browser.get(f"{API}/groups/{a}/join-requests").json() == {"items": []}
    assert bruno.browser.get(f"{API}/groups/{b}/permissions").json()["role"] == "principal"

    # The pages act on the caller's own groups only: B cannot be made active, nor named in a form.
    token = csrf["X-CSRF-Token"]
    switch = alice.browser.post("/entreprises/groupe-actif", data={"csrf_token": token, "group_id": b})
    assert switch.status_code == 404
    alice.browser.cookies.set("groupe", b)  # a forged preference cookie falls back to her own group…
    for path in ("/entreprises/mon-entreprise", "/entreprises/utilisateurs", "/entreprises/mon-profil"):
        page = alice.browser.get(path)
        assert page.status_code == 200, (path, page.status_code)
        assert company_b.legal_name not in page.text and bruno.email not in page.text and joiner.email not in page.text
        assert company_a.legal_name in page.text
    for path in (f"/entreprises/utilisateurs?groupe={b}", f"/entreprises/demandes?groupe={b}"):
        page = alice.browser.get(path)  # … but naming group B is refused, never redirected to her own
        assert page.status_code == 404, (path, page.status_code)
        assert company_b.legal_name not in page.text and bruno.email not in page.text
    approve = alice.browser.post(f"/entreprises/demandes/{join_id}/approbation",
                                 data={"csrf_token": token, "group_id": b, "role": "principal"})
    assert approve.status_code == 404, (approve.status_code, text_of(approve.text)[:500])
    demote = alice.browser.post(f"/entreprises/utilisateurs/{bruno_id}/role",
                                data={"csrf_token": token, "group_id": b, "role": "affichage"})
    remove = alice.browser.post(f"/entreprises/utilisateurs/{bruno_id}/retrait",
                                data={"csrf_token": token, "group_id": b})
    assert demote.status_code == 404 and remove.status_code == 404, (demote.status_code, remove.status_code)
    alice_before = alice.browser.get(f"{API}/groups/{a}/branding").json()
    rebrand = alice.browser.post("/entreprises/mon-entreprise", data={
        "csrf_token": token, "group_id": b, "group_name": "Piraté", "company_name": "Piraté inc.",
        "address": "1, rue Principale"})
    assert rebrand.status_code == 404  # refused: neither B nor her own group changed (issue 7)
    assert bruno.browser.get(f"{API}/groups/{b}/branding").json()["company_name"] == company_b.legal_name
    assert alice.browser.get(f"{API}/groups/{a}/branding").json() == alice_before

    # Nothing happened to group B: Bruno is still principal and still has the request to decide…
    assert bruno.browser.get(f"{API}/groups/{b}/permissions").json()["role"] == "principal"
    page, still_pending = join_request_on_page(bruno, joiner.email)
    assert still_pending == join_id
    # … which he refuses, with a reason the joiner receives.
    refusal = post_form(bruno.browser, page, f"/entreprises/demandes/{join_id}/refus",
                        {"reason": "Nous ne connaissons pas cette personne."})
    follow(bruno.browser, refusal, "/entreprises/demandes?ok=refusee")
    text = plain_text(wait_for_email(mail_dir, joiner.email, subject_contains=REFUSED))
    assert "refusée par le ou la Responsable principal·e du groupe" in text
    assert "> Nous ne connaissons pas cette personne." in text
    assert wait_until(lambda: my_groups(joiner.browser) == [] and "Refusée" in text_of(
        joiner.browser.get("/entreprises/mes-demandes").text))

    assert_emails_exactly(mail_dir, {
        alice.email: (*ACCOUNT_EMAILS, PENDING, APPROVED),
        bruno.email: (*ACCOUNT_EMAILS, PENDING, APPROVED, JOIN_NOTICE),
        joiner.email: (*ACCOUNT_EMAILS, PENDING, REFUSED),
    })
    for person in (alice, bruno, joiner):
        person.browser.close()


def test_wizard_keeps_answers_between_tabs(suite, mail_dir, registry) -> None:
    company = registry.take()
    employer = new_employer(suite, mail_dir, "Hélène", "Dubé")
    tab2 = choose_company_by_neq(employer, company, has_users=False)
    tab3 = validate_company(employer, tab2, {"phone": "819 555 0111", "address": "5, rue Modifiée"})
    back = employer.browser.get("/entreprises/demande/entreprise")
    assert 'value="819-555-0111"' in back.text and 'value="5, rue Modifiée"' in back.text
    wrong = post_form(employer.browser, tab3, "/entreprises/demande/vous",
                      {"phone": "123", "function": "", "group": ""})
    assert wrong.status_code == 422
    for name in ("phone", "function"):
        assert re.search(rf'id="f-{name}"[^>]*aria-invalid="true"', wrong.text), name
    assert 'id="e-group"' in wrong.text
    employer.browser.close()
