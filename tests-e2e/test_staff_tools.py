"""OIQ staff tools (moderation's `/moderation/entreprises…` pages, backed by company-portal's staff
API) through the gateway, as a browser: find a company and its users, fix its data, create a group,
move a user between groups; what the employers then see; who may not use the tools; and the
gateway refusing every state-changing staff form that lacks its CSRF field.

Every staff action below is first sent without the CSRF field (and with another session's token),
with otherwise the same values: the gateway answers 403 and nothing changes; the same form with its
field then succeeds, so the refusal is the CSRF check and nothing else.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from portal_support import (
    API,
    ask_for_new_group,
    ask_to_join,
    csrf_of,
    follow,
    join_request_on_page,
    my_groups,
    new_employer,
    post_form,
    queue_row,
    search,
    staff_approves_new_group,
    text_of,
    wait_for_group,
)

from tests_e2e_support import Browser, forms_of

GATEWAY_CSRF_TITLE = "Formulaire expiré"  # the gateway's own 403 page, not the service's


# Staff pages ------------------------------------------------------------------------------
def section(html: str, section_id: str) -> str:
    found = re.search(rf'<section id="{section_id}">(.*?)</section>', html, flags=re.S)
    assert found, f"no section #{section_id} in:\n{text_of(html)[:1500]}"
    return found.group(1)


def staff_search(staff_browser: Browser, q: str) -> httpx.Response:
    page = staff_browser.get("/moderation/entreprises", params={"q": q})
    assert page.status_code == 200, (page.status_code, text_of(page.text)[:1000])
    return page


def company_results(page: httpx.Response) -> list[tuple[str, list[str]]]:
    """(company id, cells) of each row of « Entreprises »: name, NEQ, city, postal code, groups, users."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section(page.text, "company-results"), flags=re.S):
        link = re.search(r'href="/moderation/entreprises/([^"]+)"', row)
        if link:
            rows.append((link.group(1), [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]))
    return rows


def user_results(page: httpx.Response) -> list[list[str]]:
    """The cells of each row of « Utilisateurs »: name, email, groups and roles."""
    rows = re.findall(r"<tr>(.*?)</tr>", section(page.text, "user-results"), flags=re.S)
    return [[text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)] for row in rows if "<td" in row]


def company_page(staff_browser: Browser, company_id: str) -> httpx.Response:
    page = staff_browser.get(f"/moderation/entreprises/{company_id}")
    assert page.status_code == 200, (page.status_code, text_of(page.text)[:1000])
    return page


def groups_shown(html: str) -> dict[str, list[tuple[str, str, str]]]:
    """Group name → its members (name, email, role) as the staff company page lists them."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for article in re.findall(r"<article>(.*?)</article>", section(html, "groups"), flags=re.S):
        name = re.search(r"<h3>(.*?)</h3>", article, flags=re.S)
        assert name, article
        rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", article, flags=re.S)
        groups[text_of(name.group(1))] = [(text_of(n), text_of(e), text_of(r)) for n, e, r in rows]
    return groups


def company_form(html: str) -> dict[str, str]:
    return dict(staff_form(html, "")["fields"])


def staff_form(html: str, suffix: str) -> dict[str, Any]:
    """The POST form of a staff company page whose action ends with `suffix` ("" = the company data)."""
    matching = [f for f in forms_of(html) if f["method"].lower() == "post"
                and re.fullmatch(r"/moderation/entreprises/[^/]+" + re.escape(suffix), f["action"])]
    assert len(matching) == 1, (suffix, [f["action"] for f in forms_of(html)])
    return matching[0]


def options(html: str, select_name: str) -> dict[str, str]:
    """Label → value of a <select>'s choices."""
    found = re.search(rf'<select id="{select_name}" name="{select_name}"[^>]*>(.*?)</select>', html, flags=re.S)
    assert found, f"no select {select_name}"
    return {text_of(label): value
            for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', found.group(1), re.S)}


def journal(html: str) -> str:
    return text_of(section(html, "journal"))


def state_of(staff_browser: Browser, company_id: str) -> tuple[dict[str, str], dict[str, Any], str]:
    """What a staff action could change: the company data, its groups and members, the journal."""
    html = company_page(staff_browser, company_id).text
    data = {k: v for k, v in company_form(html).items() if k not in ("csrf_token", "idempotency_key")}
    return data, groups_shown(html), journal(html)


def refused_without_csrf(browser: Browser, action: str, fields: dict[str, str], other_token: str) -> None:
    """The form's values without its CSRF field, then with another session's token: 403 from the gateway."""
    values = {k: v for k, v in fields.items() if k != "csrf_token"}
    for data in (values, {**values, "csrf_token": other_token}):
        response = browser.post(action, data=data)
        assert response.status_code == 403, (action, response.status_code, text_of(response.text)[:500])
        assert GATEWAY_CSRF_TITLE in text_of(response.text), text_of(response.text)[:500]


def submit_staff_form(staff_browser: Browser, page: httpx.Response, suffix: str, values: dict[str, str],
                      other_token: str) -> httpx.Response:
    """Refused without CSRF (state unchanged), then sent as the browser does; the answer."""
    company_id = re.search(r"/moderation/entreprises/([^/?]+)", str(page.url))
    assert company_id
    form = staff_form(page.text, suffix)
    before = state_of(staff_browser, company_id.group(1))
    refused_without_csrf(staff_browser, form["action"], {**form["fields"], **values}, other_token)
    assert state_of(staff_browser, company_id.group(1)) == before
    return staff_browser.post(form["action"], data={**form["fields"], **values})


# The journey ------------------------------------------------------------------------------
def test_staff_find_fix_regroup_and_move_users_of_a_company(suite, mail_dir, registry, staff, staff_browser) -> None:
    company = registry.take()
    token = uuid.uuid4().hex[:6].upper()

    # A first user asks for a new group. Before staff approve it: the decision forms without CSRF are refused.
    principal = new_employer(suite, mail_dir, "Émilie", "Bélanger")
    ask_for_new_group(principal, company)
    request_id = queue_row(staff_browser, principal.email, "new_group")
    detail = staff_browser.get(f"/moderation/demandes/{request_id}")
    for decision, values in (("approuver", {"note": "Sans jeton"}), ("refuser", {"reason": "Sans jeton"})):
        form = next(f for f in forms_of(detail.text) if f["action"].endswith(f"/{request_id}/{decision}"))
        refused_without_csrf(staff_browser, form["action"], {**form["fields"], **values}, csrf_of(principal.browser))
    assert queue_row(staff_browser, principal.email, "new_group") == request_id  # still pending
    assert "En attente" in text_of(staff_browser.get(f"/moderation/demandes/{request_id}").text)
    assert my_groups(principal.browser) == []
    # Then staff approve it (with the field): the user is the principal of « Groupe 001 ».
    staff_approves_new_group(staff_browser, principal)
    group1 = wait_for_group(principal.browser)
    assert (group1["group_name"], group1["role"]) == ("Groupe 001", "principal"), group1

    # A colleague joins « Groupe 001 » as finance manager (the principal approves).
    colleague = new_employer(suite, mail_dir, "François", "Lévesque")
    ask_to_join(colleague, company, group1["group_id"], "Groupe 001")
    requests_page, join_id = join_request_on_page(principal, colleague.email)
    approval = post_form(principal.browser, requests_page, f"/entreprises/demandes/{join_id}/approbation",
                         {"role": "finances"})
    follow(principal.browser, approval, "/entreprises/demandes?ok=approuvee")
    assert wait_for_group(colleague.browser)["role"] == "finances"
    other_token = csrf_of(principal.browser)  # a real token, of another session

    # (1) Staff find the company by its NEQ (typed with spaces), with its group and users…
    by_neq = staff_search(staff_browser, f"{company.neq[:4]} {company.neq[4:7]} {company.neq[7:]}")
    assert company_results(by_neq) == [(group1["company_id"], [
        company.legal_name, company.neq, company.city, company.postal_code, "Groupe 001 (2)", "2"])]
    company_id = group1["company_id"]
    # … by words of its name typed without accents (« Génie-Conseil … » as « genie conseil … »)…
    by_name = staff_search(staff_browser, f"genie-conseil {company.legal_name.split()[-2].lower()}")
    assert company_results(by_name)[0][0] == company_id, company_results(by_name)
    # … and the principal by email (case does not matter), with company, group and role.
    by_email = staff_search(staff_browser, principal.email.upper())
    assert user_results(by_email) == [
        [principal.full_name, principal.email, f"{company.legal_name} · Groupe 001 · Responsable principal·e"]]
    assert company_results(by_email) == []
    nothing = staff_search(staff_browser, f"introuvable {token}")
    assert "Aucune entreprise trouvée." in text_of(nothing.text) and company_results(nothing) == []

    page = company_page(staff_browser, company_id)
    assert groups_shown(page.text) == {"Groupe 001": [  # by last name
        (principal.full_name, principal.email, "Responsable principal·e"),
        (colleague.full_name, colleague.email, "Responsable des finances"),
    ]}
    assert company_form(page.text)["neq"] == company.neq
    assert journal(page.text).startswith("Interventions du personnel de l'Ordre Demande approuvée — ")
    assert journal(page.text).endswith(f"— par {staff.email}")  # the approval of the new group, only

    # (2) Staff fix the legal name and the phone; an invalid phone is refused next to its field first.
    new_name = f"Ingénierie Bécancour-Lévis {token} ltée"
    wrong = submit_staff_form(staff_browser, page, "", {"legal_name": new_name, "phone": "555"}, other_token)
    assert wrong.status_code == 422 and re.search(r'id="phone"[^>]*aria-invalid="true"', wrong.text)
    assert company_form(company_page(staff_browser, company_id).text)["legal_name"] == company.legal_name
    fixed = submit_staff_form(staff_browser, page, "", {"legal_name": new_name, "phone": "418 555 0199"}, other_token)
    page = follow(staff_browser, fixed, f"/moderation/entreprises/{company_id}?fait=entreprise")
    assert "Les renseignements de l'entreprise sont enregistrés." in text_of(page.text)
    data = company_form(page.text)
    assert (data["legal_name"], data["phone"], data["neq"]) == (new_name, "418-555-0199", company.neq), data
    assert "Renseignements de l'entreprise corrigés — " in journal(page.text)
    assert f"par {staff.email}" in journal(page.text)
    # The search follows the new name, typed without accents.
    renamed = staff_search(staff_browser, f"ingenierie becancour-levis {token.lower()}")
    assert company_results(renamed)[0] == (company_id, [
        new_name, company.neq, company.city, company.postal_code, "Groupe 001 (2)", "2"])
    # The principal sees the fixed name: API, the portal's menu on « Mon entreprise », « Mon profil ».
    assert my_groups(principal.browser)[0]["company_name"] == new_name
    assert f"{new_name} — Groupe 001 Responsable principal·e" in text_of(
        principal.browser.get("/entreprises/mon-entreprise").text)
    assert f"Utilisateur·trice·s de {new_name}" in text_of(principal.browser.get("/entreprises/mon-profil").text)

    # (3) Staff create a second group; a name the company already uses is refused.
    taken = submit_staff_form(staff_browser, page, "/groupes", {"name": "groupe 001"}, other_token)
    assert taken.status_code == 422, (taken.status_code, text_of(taken.text)[:800])
    assert "Un autre groupe de l'entreprise porte déjà ce nom." in text_of(taken.text)
    assert re.search(r'id="group-name"[^>]*aria-invalid="true"', taken.text)
    new_group = f"Groupe Laval {token}"
    created = submit_staff_form(staff_browser, page, "/groupes", {"name": f"  Groupe   Laval {token} "}, other_token)
    page = follow(staff_browser, created, f"/moderation/entreprises/{company_id}?fait=groupe")
    assert "Le groupe est créé." in text_of(page.text)
    groups = groups_shown(page.text)
    assert set(groups) == {"Groupe 001", new_group} and groups[new_group] == [], groups
    assert "Aucun·e utilisateur·trice dans ce groupe." in text_of(page.text)
    assert "Groupe créé — " in journal(page.text)
    listed = company_results(staff_search(staff_browser, company.neq))
    assert listed[0][1][4:] == [f"Groupe 001 (2), {new_group} (0)", "2"], listed

    # (4) Moving the only principal out of « Groupe 001 » is refused: a group keeps a principal.
    members = options(page.text, "member")
    targets = options(page.text, "to_group_id")
    assert set(targets) == {"Choisir…", "Groupe 001", new_group}, targets
    principal_choice = members[f"{principal.full_name} ({principal.email}) — Groupe 001"]
    colleague_choice = members[f"{colleague.full_name} ({colleague.email}) — Groupe 001"]
    kept = submit_staff_form(staff_browser, page, "/deplacements",
                             {"member": principal_choice, "to_group_id": targets[new_group], "role": "principal"},
                             other_token)
    assert kept.status_code == 422, (kept.status_code, text_of(kept.text)[:800])
    assert "Le groupe doit toujours avoir au moins un ou une responsable principal·e" in text_of(kept.text)
    assert my_groups(principal.browser) == [{**group1, "company_name": new_name}]

    # The finance manager is moved to the new group as its principal.
    moved = submit_staff_form(staff_browser, page, "/deplacements",
                              {"member": colleague_choice, "to_group_id": targets[new_group], "role": "principal"},
                              other_token)
    page = follow(staff_browser, moved, f"/moderation/entreprises/{company_id}?fait=deplacement")
    assert "L'utilisateur·trice a été déplacé·e." in text_of(page.text)
    assert groups_shown(page.text) == {
        "Groupe 001": [(principal.full_name, principal.email, "Responsable principal·e")],
        new_group: [(colleague.full_name, colleague.email, "Responsable principal·e")],
    }
    assert "Utilisateur·trice déplacé·e — " in journal(page.text)
    # The moved user: only the new group, with the new role, which is effective…
    mine = my_groups(colleague.browser)
    assert [(g["group_name"], g["company_name"], g["role"]) for g in mine] == [(new_group, new_name, "principal")]
    new_group_id = mine[0]["group_id"]
    assert targets[new_group] == new_group_id
    assert colleague.browser.get(f"{API}/groups/{new_group_id}/permissions").json()["role"] == "principal"
    assert colleague.browser.get(f"{API}/groups/{group1['group_id']}/members").status_code == 404
    assert colleague.browser.get("/entreprises/demandes").status_code == 200  # a principal's page now
    assert f"{new_name} — {new_group} Responsable principal·e" in text_of(
        colleague.browser.get("/entreprises/mon-profil").text)
    # … and the principal of « Groupe 001 » no longer lists them.
    users = principal.browser.get("/entreprises/utilisateurs")
    assert users.status_code == 200 and principal.email in users.text and colleague.email not in users.text
    members_api = principal.browser.get(f"{API}/groups/{group1['group_id']}/members").json()["items"]
    assert [m["email"] for m in members_api] == [principal.email], members_api
    found = user_results(staff_search(staff_browser, colleague.email))
    assert found == [[colleague.full_name, colleague.email, f"{new_name} · {new_group} · Responsable principal·e"]]

    # The employer cannot use the staff tools (nor the staff API) on their own company.
    for path in ("/moderation/entreprises", f"/moderation/entreprises/{company_id}"):
        assert principal.browser.get(path, params={"q": company.neq}).status_code == 403
    assert principal.browser.get(f"{API}/staff/companies", params={"q": company.neq}).status_code == 403

    principal.browser.close()
    colleague.browser.close()


def test_staff_tools_are_for_staff_only(suite, mail_dir, registry, staff_browser) -> None:
    company = registry.take()
    employer = new_employer(suite, mail_dir, "Noémie", "Pelletier")
    row = re.search(r'name="company_id" value="([^"]+)"', search(employer, company.neq).text)
    assert row
    company_id = row.group(1)
    before = state_of(staff_browser, company_id)
    assert before[0]["legal_name"] == company.legal_name

    # (5) A signed-in employer gets 403 on every staff page, with the company's data nowhere…
    for path, params in (("/moderation/entreprises", {"q": company.neq}), (f"/moderation/entreprises/{company_id}", {}),
                         ("/moderation/", {}), ("/moderation/demandes", {})):
        page = employer.browser.get(path, params=params)
        assert page.status_code == 403, (path, page.status_code)
        assert company.legal_name not in page.text
    # … and on the staff forms even with a valid CSRF field (moderation refuses, not the gateway).
    token = csrf_of(employer.browser)
    for suffix, values in (("", {"legal_name": "Piratée inc.", "phone": "514 555 0100"}),
                           ("/groupes", {"name": "Groupe pirate"}),
                           ("/deplacements", {"member": f"{uuid.uuid4()}|{uuid.uuid4()}",
                                              "to_group_id": str(uuid.uuid4()), "role": "principal"})):
        response = employer.browser.post(f"/moderation/entreprises/{company_id}{suffix}",
                                         data={"csrf_token": token, **values})
        assert response.status_code == 403, (suffix, response.status_code)
        assert GATEWAY_CSRF_TITLE not in text_of(response.text)
    # The staff API answers 403 to the employer's session too.
    staff_api = [("GET", "/staff/companies?q=genie", None), ("GET", f"/staff/companies/{company_id}", None),
                 ("GET", "/staff/users?q=e2e", None),
                 ("PATCH", f"/staff/companies/{company_id}", {"legal_name": "Piratée inc."}),
                 ("POST", f"/staff/companies/{company_id}/groups", {"name": "Groupe pirate"})]
    for method, path, body in staff_api:
        response = employer.browser.request(method, API + path, json=body,
                                            headers={"X-CSRF-Token": token, "Idempotency-Key": str(uuid.uuid4())})
        assert response.status_code == 403, (method, path, response.status_code, response.text[:300])
    # Signed out, the staff pages send to the sign-in page.
    with Browser(suite.gateway_url) as anonymous:
        to_login = anonymous.get("/moderation/entreprises", params={"q": company.neq})
        assert to_login.status_code == 303
        assert to_login.headers["location"] == f"/compte/connexion?next=/moderation/entreprises%3Fq%3D{company.neq}"

    # Nothing changed.
    assert state_of(staff_browser, company_id) == before
    employer.browser.close()


def test_company_portal_judges_corrections_and_a_double_submit_creates_one_group(registry, staff_browser) -> None:
    """moderation holds no company rule: a bad NEQ is refused by company-portal, whose message shows
    next to the field; each rendered form carries one idempotency key, so the same « create a group »
    form sent twice (one after the other, then twice at once) creates one group, journaled once."""
    company = registry.take()
    token = uuid.uuid4().hex[:6].upper()
    ((company_id, _),) = company_results(staff_search(staff_browser, company.neq))
    page = company_page(staff_browser, company_id)

    form = staff_form(page.text, "")
    wrong = staff_browser.post(form["action"], data={**form["fields"], "neq": "12 34"})
    assert wrong.status_code == 422, (wrong.status_code, text_of(wrong.text)[:800])
    error = re.search(r'<small id="neq-error" class="field-error" role="alert">([^<]*)</small>', wrong.text)
    assert error and error.group(1) == "Le NEQ doit compter exactement 10 chiffres (par exemple 1234567890).", \
        text_of(wrong.text)[:800]  # company-portal's own words (domain/validation.py), not a copy in moderation
    assert company_form(company_page(staff_browser, company_id).text)["neq"] == company.neq

    for name, at_once in ((f"Groupe Double {token}", False), (f"Groupe Simultané {token}", True)):
        page = company_page(staff_browser, company_id)
        form = staff_form(page.text, "/groupes")
        data = {**form["fields"], "name": name}
        if at_once:
            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(lambda _: staff_browser.post(form["action"], data=data), range(2)))
        else:
            answers = [staff_browser.post(form["action"], data=data) for _ in range(2)]
        assert [a.status_code for a in answers] == [303, 303], [(a.status_code, text_of(a.text)[:300]) for a in answers]
        html = company_page(staff_browser, company_id).text
        assert list(groups_shown(html)).count(name) == 1, groups_shown(html)
        assert journal(html).count("Groupe créé — ") == (2 if at_once else 1), journal(html)
