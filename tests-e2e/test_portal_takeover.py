"""A stranger cannot become principal of an existing company (issue 7), through the gateway.

A creation request that gives a known company's NEQ is not a creation: the wizard offers that
company instead; its author becomes a member only if the group's principal approves a join, or if
OIQ staff, shown the match, open a new group, and then the company's principals are emailed. One
account has one open request at a time, even when it sends two at once.
"""

from __future__ import annotations

import re
import threading

from portal_support import (
    ACCOUNT_EMAILS,
    API,
    APPROVED,
    JOIN_NOTICE,
    PENDING,
    REFUSED,
    about_you,
    assert_emails_exactly,
    follow,
    join_request_on_page,
    log_in,
    my_groups,
    new_employer,
    plain_text,
    post_form,
    principal_of_new_group,
    queue_row,
    search,
    submit,
    text_of,
    validate_company,
    wait_for_group,
)

from tests_e2e_support import Browser, forms_of, wait_for_email

GROUP_OPENED = "Un nouveau groupe dans votre entreprise"
PHONE = {"phone": "514 555-0123"}  # registry rows carry no phone: tab 2 asks for it


def creation_tab(employer, legal_name: str, neq: str = "", **extra: str):
    """Tab 1 → « demande de création », then tab 2 filled with these data; the answer."""
    page = search(employer, legal_name)
    creation = post_form(employer.browser, page, "/entreprises/demande/creation")
    tab2 = follow(employer.browser, creation, "/entreprises/demande/entreprise")
    return post_form(employer.browser, tab2, "/entreprises/demande/entreprise", {
        "legal_name": legal_name, "neq": neq, "phone": "514 555-0177", "country": "Canada",
        "address": "77, boulevard Inventé", "city": "Laval", "province": "QC", "postal_code": "H7N 1A1", **extra})


def post_exact(browser: Browser, page, action: str, values: dict[str, str] | None = None):
    """Submit the POST form whose action is exactly `action` (the page has look-alike actions)."""
    for form in forms_of(page.text):
        if form["action"] == action and form["method"].lower() == "post":
            return browser.post(action, data={**form["fields"], **(values or {})})
    raise AssertionError(f"no POST form to {action}")


def matches_section(staff_browser, request_id: str) -> str:
    page = staff_browser.get(f"/moderation/demandes/{request_id}")
    assert page.status_code == 200, text_of(page.text)[:500]
    return text_of(page.text.split('id="matches"')[1].split('id="decision"')[0])


def test_a_known_neq_leads_to_a_join_or_a_staff_approved_new_group_never_to_a_takeover(
        suite, mail_dir, registry, staff, staff_browser) -> None:
    company = registry.take()
    owner, group = principal_of_new_group(suite, mail_dir, staff_browser, company, "Émilie", "Gauthier")

    # A stranger asks for the "creation" of a company under another name, with the company's NEQ.
    stranger = new_employer(suite, mail_dir, "Xavier", "Intrus")
    refused = creation_tab(stranger, "Vert Génie Québec", company.neq)
    assert refused.status_code == 422
    told = text_of(refused.text)
    assert "Cette entreprise existe déjà" in told and company.legal_name in told and "Groupe 001" in told
    assert 'name="not_listed"' not in refused.text  # a NEQ match cannot be confirmed away
    assert stranger.browser.get("/entreprises/demande/vous").status_code == 303  # no way forward
    mine = text_of(stranger.browser.get("/entreprises/mes-demandes").text)
    assert "Vous n'avez encore envoyé aucune demande." in mine

    # The wizard offers the company: joining its group goes to its principal, who refuses.
    chosen = post_form(stranger.browser, refused, "/entreprises/demande/entreprise-choisie")
    tab3 = validate_company(stranger, follow(stranger.browser, chosen, "/entreprises/demande/entreprise"), PHONE)
    assert "Joindre le groupe existant « Groupe 001 »" in text_of(tab3.text) and "Nouveau groupe" in text_of(tab3.text)
    submit(stranger, about_you(stranger, tab3, phone="514 555-0178", function="Consultant", group=group["group_id"]))
    page, join_id = join_request_on_page(owner, stranger.email)
    refusal = post_form(owner.browser, page, f"/entreprises/demandes/{join_id}/refus",
                        {"reason": "Nous ne connaissons pas cette personne."})
    follow(owner.browser, refusal, "/entreprises/demandes?ok=refusee")
    wait_for_email(mail_dir, stranger.email, subject_contains=REFUSED)
    assert my_groups(stranger.browser) == []

    # Another one, offered the company the same way, asks for a new group: OIQ staff decide, and see
    # the company with its group and principal first.
    newcomer = new_employer(suite, mail_dir, "Yves", "Nouveau")
    offered = creation_tab(newcomer, "Génie Vert Laval", company.neq)
    chosen = post_form(newcomer.browser, offered, "/entreprises/demande/entreprise-choisie")
    tab3 = validate_company(newcomer, follow(newcomer.browser, chosen, "/entreprises/demande/entreprise"), PHONE)
    submit(newcomer, about_you(newcomer, tab3, phone="514 555-0179", function="Consultant", group="new"))
    request_id = queue_row(staff_browser, newcomer.email, "new_group")
    section = matches_section(staff_browser, request_id)
    assert company.legal_name in section and "Entreprise visée par la demande" in section and "Même NEQ" in section
    assert f"Groupe 001 (1) — Responsable(s) principal(e)(s) : Émilie Gauthier ({owner.email})" in section
    assert newcomer.email not in section
    detail = staff_browser.get(f"/moderation/demandes/{request_id}")
    decided = post_form(staff_browser, detail, f"/moderation/demandes/{request_id}/approuver")
    follow(staff_browser, decided, f"/moderation/demandes/{request_id}?fait=approuvee")

    # The newcomer leads a new group of the company, not the owner's; the owner is told who.
    opened = wait_for_group(newcomer.browser)
    assert (opened["company_id"], opened["group_name"], opened["role"]) == (group["company_id"], "Groupe 002",
                                                                            "principal")
    notice = plain_text(wait_for_email(mail_dir, owner.email, subject_contains=GROUP_OPENED))
    assert (f"a ouvert le groupe « Groupe 002 » de l’entreprise {company.legal_name} à la demande de Yves Nouveau "
            f"({newcomer.email}), Consultant, qui en est maintenant le ou la Responsable principal·e.") in notice
    members = owner.browser.get(f"{API}/groups/{group['group_id']}/members").json()["items"]
    assert [m["email"] for m in members] == [owner.email]
    assert owner.browser.get(f"{API}/groups/{group['group_id']}/permissions").json()["role"] == "principal"

    assert_emails_exactly(mail_dir, {
        owner.email: (*ACCOUNT_EMAILS, PENDING, APPROVED, JOIN_NOTICE, GROUP_OPENED),
        stranger.email: (*ACCOUNT_EMAILS, PENDING, REFUSED),
        newcomer.email: (*ACCOUNT_EMAILS, PENDING, APPROVED),
    })
    for person in (owner, stranger, newcomer):
        person.browser.close()


def test_a_name_match_is_confirmed_and_staff_see_it_before_deciding(
        suite, mail_dir, registry, staff, staff_browser) -> None:
    company = registry.take()
    owner, _ = principal_of_new_group(suite, mail_dir, staff_browser, company, "Rachel", "Bouchard")
    requester = new_employer(suite, mail_dir, "Samuel", "Noël")
    typed = company.legal_name.removesuffix(" inc.").upper()  # the same name, normalized
    asked = creation_tab(requester, typed)
    assert asked.status_code == 422 and "Votre entreprise existe peut-être déjà" in text_of(asked.text)
    tab3 = follow(requester.browser, post_exact(requester.browser, asked, "/entreprises/demande/entreprise",
                                                {"not_listed": "on"}), "/entreprises/demande/vous")
    submit(requester, about_you(requester, tab3, phone="514 555-0179", function="Président", group="new"))

    request_id = queue_row(staff_browser, requester.email, "company_creation")
    section = matches_section(staff_browser, request_id)
    assert company.legal_name in section and "Même nom" in section and owner.email in section
    # Approving it onto the company's NEQ is refused next to the field; staff refuse instead.
    detail = staff_browser.get(f"/moderation/demandes/{request_id}")
    onto = post_form(staff_browser, detail, f"/moderation/demandes/{request_id}/approuver", {"neq": company.neq})
    assert onto.status_code == 422
    assert f"Ce NEQ est celui de l'entreprise « {company.legal_name} »" in text_of(onto.text)
    refused = post_form(staff_browser, detail, f"/moderation/demandes/{request_id}/refuser",
                        {"reason": "Votre entreprise est déjà inscrite : demandez à joindre son groupe."})
    follow(staff_browser, refused, f"/moderation/demandes/{request_id}?fait=refusee")
    wait_for_email(mail_dir, requester.email, subject_contains=REFUSED)
    assert my_groups(requester.browser) == []
    for person in (owner, requester):
        person.browser.close()


def test_two_submissions_at_once_by_one_account_leave_one_open_request(
        suite, mail_dir, registry, staff, staff_browser) -> None:
    company = registry.take()
    employer = new_employer(suite, mail_dir, "Maude", "Pelletier")
    second = Browser(suite.gateway_url)  # the same account, signed in a second time
    log_in(second, employer.email)
    tab2 = post_form(employer.browser, search(employer, company.neq), "/entreprises/demande/entreprise-choisie")
    tab3 = validate_company(employer, follow(employer.browser, tab2, "/entreprises/demande/entreprise"), PHONE)
    confirmations = [about_you(employer, tab3, phone="514 555-0180", function="Ingénieure", group="new"),
                     second.get("/entreprises/demande/confirmation")]
    assert confirmations[1].status_code == 200
    start = threading.Barrier(2)
    answers: list[str] = []

    def send(browser: Browser, page) -> None:
        start.wait(10)
        answer = post_form(browser, page, "/entreprises/demande/confirmation")
        answers.append(answer.headers.get("location", str(answer.status_code)))

    threads = [threading.Thread(target=send, args=pair) for pair in zip((employer.browser, second), confirmations,
                                                                         strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # One is sent; the other is refused (409), or sent back to tab 1 if the draft was already consumed.
    sent = "/entreprises/mes-demandes?ok=envoyee"
    assert sent in answers and len(answers) == 2, answers
    assert answers[1 - answers.index(sent)] in {"409", "/entreprises/demande"}, answers
    mine = employer.browser.get("/entreprises/mes-demandes").text
    assert len(re.findall(r"En attente d'approbation", text_of(mine))) == 1
    # Nor can a third one be started while it is open.
    found = second.get("/entreprises/demande", params={"q": company.neq})
    again = post_form(second, found, "/entreprises/demande/entreprise-choisie")
    assert again.status_code == 409 and "déjà une demande en attente" in text_of(again.text)
    queue_row(staff_browser, employer.email, "new_group")
    every = staff_browser.get("/moderation/demandes", params={"statut": "toutes"})
    assert every.text.count(employer.email) == 1
    assert_emails_exactly(mail_dir, {employer.email: (*ACCOUNT_EMAILS, PENDING)})
    employer.browser.close()
    second.close()
