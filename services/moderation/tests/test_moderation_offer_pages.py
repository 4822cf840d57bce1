"""/moderation/offres: the queue and the offer page through the ASGI app, with a fake of offers'
staff API: each decision's success, offers' refusal, offers down, the CSRF field, non-staff, English."""

import html as html_lib
import re
import uuid
from datetime import timedelta

import pytest
from offers_testkit import content, staff_offer, status_changed

from moderation.service_layer.ports import OffersRejected

CSRF = 'name="csrf_token" value="csrf-test-token"'


def queue_ids(html: str) -> list[str]:
    return re.findall(r'data-offer-id="([^"]+)"', html)


def error_of(html: str, field: str) -> str | None:
    match = re.search(rf'<small id="{field}-error" class="field-error" role="alert">([^<]*)</small>', html)
    return html_lib.unescape(match.group(1)) if match else None


def refusal_of(html: str, form: str) -> str | None:
    match = re.search(rf'<p class="flash flash-error" role="alert" id="{form}-refusal">([^<]*)</p>', html)
    return html_lib.unescape(match.group(1)) if match else None


def form_key(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"') :]
    return re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)


@pytest.fixture()
def queued(consumer, offers, clock):
    """An offer sent 5 days ago (late), known to the fake offers service."""
    offer_id = str(uuid.uuid4())
    sent = clock.now() - timedelta(days=5)
    consumer(status_changed(offer_id, "in_validation", sent, submitted_at=sent).to_json(), {})
    offers.offers[offer_id] = staff_offer(offer_id)
    return offer_id


async def test_the_queue_lists_offers_oldest_first_with_ages(client, tokens, consumer, clock, queued):
    fresh = str(uuid.uuid4())
    consumer(
        status_changed(
            fresh, "in_validation", clock.now(), submitted_at=clock.now(), title="Chargée de projets"
        ).to_json(),
        {},
    )
    response = await client.get("/moderation/offres", headers=tokens.headers())
    assert response.status_code == 200
    assert queue_ids(response.text) == [queued, fresh]
    rows = response.text.split("data-offer-id=")[1:]
    assert re.search(
        r'<td class="age"[^>]*>3 <span class="badge badge-danger badge-late">En retard</span></td>', rows[0]
    )
    assert re.search(r'<td class="age"[^>]*>0</td>', rows[1]) and "Chargée de projets" in rows[1]
    # Linked from the staff navigation and the dashboard, with the counts.
    dashboard = (await client.get("/moderation/", headers=tokens.headers())).text
    assert 'href="/moderation/offres"' in dashboard
    assert '<strong class="count" id="count-offers">2</strong>' in dashboard
    assert '<span id="count-offers-overdue">1</span>' in dashboard


async def test_an_empty_queue_says_so(client, tokens):
    response = await client.get("/moderation/offres", headers=tokens.headers())
    assert "Aucune offre n'attend de validation." in response.text


async def test_non_staff_are_refused_and_anonymous_sent_to_sign_in(client, tokens, queued, offers):
    for kind in ("employer", "member"):
        for path in ("/moderation/offres", f"/moderation/offres/{queued}"):
            assert (await client.get(path, headers=tokens.headers(kind))).status_code == 403
        for action in ("approuver", "retourner", "retirer", "date-limite", "approuver-avec-modifications"):
            response = await client.post(
                f"/moderation/offres/{queued}/{action}",
                headers=tokens.headers(kind),
                data={"comment": "x", "csrf_token": "csrf-test-token"},
            )
            assert response.status_code == 403
    response = await client.get(f"/moderation/offres/{queued}")
    assert response.status_code == 303 and response.headers["location"].startswith("/compte/connexion?next=")
    assert offers.calls == []


async def test_the_offer_page_shows_content_hints_history_and_every_form_with_csrf(client, tokens, queued, offers):
    staff_token = tokens.token("staff")
    headers = {"Authorization": f"Bearer {staff_token}", "X-CSRF-Token": "csrf-test-token"}
    response = await client.get(f"/moderation/offres/{queued}", headers=headers)
    assert response.status_code == 200
    html = response.text
    assert "Génivert inc." in html and "Groupe 001" in html
    assert "Un courriel figure dans la description." in html  # the automatic hint
    assert "<li>Concevoir des ouvrages</li>" in html  # the description, as sanitized HTML
    assert 'data-action="submit"' in html and "Envoi en validation" in html  # history
    assert "Première version" in html  # never approved: no diff
    assert "Génie civil" in html  # codes shown with the reference's labels
    assert '<dd data-field="workplace">Montréal</dd>' in html
    assert '<dd data-field="application_deadline">15 décembre 2026</dd>' in html
    for action in ("approuver", "retourner", "approuver-avec-modifications", "date-limite"):
        form = html[html.index(f'action="/moderation/offres/{queued}/{action}"') :]
        form = form[: form.index("</form>")]
        assert CSRF in form and 'name="idempotency_key"' in form and 'name="version" value="3"' in form
    assert f"/moderation/offres/{queued}/retirer" not in html  # only for a published offer
    assert offers.calls[0][:3] == ("get_offer", staff_token, "fr")  # the staff member's own token


async def test_the_page_shows_the_changes_since_the_approved_version(client, tokens, queued, offers):
    live = content()
    offers.offers[queued] = staff_offer(
        queued,
        live=live,
        title_fr="Ingénieur·e de projets principal·e",
        engineering_domains=["civil", "mecanique"],
        description_fr="<p>Raison d'être du poste.</p><ul><li>Concevoir des ponts</li></ul>"
        "<p>Qualifications : membre de l'Ordre.</p>",
    )
    html = (await client.get(f"/moderation/offres/{queued}", headers=tokens.headers())).text
    changed = re.findall(r'<tr data-field="([^"]+)">', html)
    assert changed == ["title_fr", "engineering_domains"]
    assert "Génie civil, Génie mécanique" in html
    diff = html[html.index('id="diff-description_fr"') :]
    diff = diff[: diff.index("</ul>")]
    assert re.search(r"<del>.*• Concevoir des ouvrages</del>", diff)
    assert re.search(r"<ins>.*• Concevoir des ponts</ins>", diff)
    assert '<li class="diff-same">Raison d&#39;être du poste.</li>' in diff


async def test_approving_calls_offers_once_with_the_form_key_and_version(client, tokens, queued, offers):
    headers = tokens.headers()
    page = (await client.get(f"/moderation/offres/{queued}", headers=headers)).text
    key = form_key(page, f"/moderation/offres/{queued}/approuver")
    data = {"csrf_token": "csrf-test-token", "idempotency_key": key, "version": "3"}
    first = await client.post(f"/moderation/offres/{queued}/approuver", data=data, headers=headers)
    second = await client.post(f"/moderation/offres/{queued}/approuver", data=data, headers=headers)
    assert (first.status_code, second.status_code) == (303, 303)
    assert first.headers["location"] == f"/moderation/offres/{queued}?fait=approuvee"
    assert offers.decisions() == [("approve", (queued, 3, None), key)]  # the double click: one call
    done = (await client.get(first.headers["location"], headers=headers)).text
    assert "L&#39;offre est approuvée." in done


async def test_offers_refusal_is_shown_next_to_the_form(client, tokens, queued, offers):
    offers.reject_next = OffersRejected(409, "Cette offre n'est plus en validation.", "wrong_status")
    response = await client.post(
        f"/moderation/offres/{queued}/approuver", headers=tokens.headers(), data={"csrf_token": "x", "version": "3"}
    )
    assert response.status_code == 409
    assert refusal_of(response.text, "approve") == "Cette offre n'est plus en validation."
    stale = OffersRejected(409, "", "stale")
    offers.reject_next = stale
    response = await client.post(
        f"/moderation/offres/{queued}/approuver", headers=tokens.headers(), data={"csrf_token": "x", "version": "2"}
    )
    assert refusal_of(response.text, "approve").startswith("L'offre a changé depuis l'affichage")


async def test_offers_down_says_so_next_to_the_form_and_on_the_page(client, tokens, queued, offers):
    offers.down = True
    response = await client.post(
        f"/moderation/offres/{queued}/retourner",
        headers=tokens.headers(),
        data={"csrf_token": "x", "comment": "Ajoutez les qualifications."},
    )
    assert response.status_code == 503
    assert "Le service des offres ne répond pas pour le moment." in response.text
    page = await client.get(f"/moderation/offres/{queued}", headers=tokens.headers())
    assert page.status_code == 503
    assert 'id="portal-problem"' in page.text and "Le service des offres ne répond pas" in page.text
    assert "Ingénieur·e de projets" in page.text  # what the queue knows is still shown


async def test_returning_needs_a_comment_and_sends_it(client, tokens, queued, offers):
    headers = tokens.headers()
    empty = await client.post(
        f"/moderation/offres/{queued}/retourner", headers=headers, data={"csrf_token": "x", "comment": "  "}
    )
    assert empty.status_code == 422
    assert error_of(empty.text, "comment").startswith("Indiquez ce que l'employeur doit réviser")
    assert offers.decisions() == []
    too_long = await client.post(
        f"/moderation/offres/{queued}/retourner", headers=headers, data={"csrf_token": "x", "comment": "x" * 5001}
    )
    assert too_long.status_code == 422 and error_of(too_long.text, "comment") == (
        "Ce texte ne peut pas dépasser 5000 caractères."
    )
    done = await client.post(
        f"/moderation/offres/{queued}/retourner",
        headers=headers,
        data={"csrf_token": "x", "comment": " Ajoutez les qualifications. ", "version": "3"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("fait=retournee")
    ((name, args, _key),) = offers.decisions()
    assert (name, args) == ("return_for_revision", (queued, 3, "Ajoutez les qualifications."))


async def test_approving_with_changes_sends_only_what_staff_changed(client, tokens, queued, offers):
    headers = tokens.headers()
    form = {
        **{k: v for k, v in content().items() if isinstance(v, str)},
        "csrf_token": "x",
        "version": "3",
        "engineering_domains": ["civil", "mecanique"],
        "title_fr": "Ingénieur·e de projets (Montréal)",
    }
    response = await client.post(
        f"/moderation/offres/{queued}/approuver-avec-modifications", headers=headers, data=form
    )
    assert response.status_code == 303 and response.headers["location"].endswith("fait=modifiee")
    ((name, args, _key),) = offers.decisions()
    assert name == "approve" and args[:2] == (queued, 3)
    assert args[2] == {"title_fr": "Ingénieur·e de projets (Montréal)", "engineering_domains": ["civil", "mecanique"]}


async def test_approving_with_changes_checks_the_form_and_shows_offers_field_errors(client, tokens, queued, offers):
    headers = tokens.headers()
    base = {
        **{k: v for k, v in content().items() if isinstance(v, str)},
        "csrf_token": "x",
        "engineering_domains": ["civil"],
    }
    unchanged = await client.post(
        f"/moderation/offres/{queued}/approuver-avec-modifications", headers=headers, data=base
    )
    assert unchanged.status_code == 422 and refusal_of(unchanged.text, "edit").startswith("Vous n'avez rien modifié")
    bad = await client.post(
        f"/moderation/offres/{queued}/approuver-avec-modifications",
        headers=headers,
        data={**base, "title_fr": "", "engineering_domains": [], "application_deadline": "15/12"},
    )
    assert bad.status_code == 422
    assert error_of(bad.text, "edit-title_fr") == "Ce champ est obligatoire."
    assert error_of(bad.text, "edit-engineering_domains") == "Choisissez de 1 à 5 domaines de génie."
    assert error_of(bad.text, "edit-application_deadline") == "Indiquez une date valide (AAAA-MM-JJ)."
    assert 'value="15/12"' in bad.text  # what staff typed is kept
    offers.reject_next = OffersRejected(
        422, "Le contenu est incomplet.", "incomplete", {"function_type": "Code inconnu."}
    )
    refused = await client.post(
        f"/moderation/offres/{queued}/approuver-avec-modifications",
        headers=headers,
        data={**base, "function_type": "gestion"},
    )
    assert refused.status_code == 422
    assert refusal_of(refused.text, "edit") == "Le contenu est incomplet."
    assert error_of(refused.text, "edit-function_type") == "Code inconnu."


async def test_withdrawing_a_published_offer_needs_a_reason(client, tokens, offers):
    offer_id = str(uuid.uuid4())
    offers.offers[offer_id] = staff_offer(offer_id, "published", live=content())
    headers = tokens.headers()
    page = (await client.get(f"/moderation/offres/{offer_id}", headers=headers)).text
    assert f'action="/moderation/offres/{offer_id}/retirer"' in page and "approuver" not in page.split('id="decision"')[
        1
    ].split('id="history"')[0].replace("date-limite", "")
    empty = await client.post(
        f"/moderation/offres/{offer_id}/retirer", headers=headers, data={"csrf_token": "x", "withdraw_reason": ""}
    )
    assert empty.status_code == 422
    assert error_of(empty.text, "withdraw_reason").startswith("Indiquez la raison du retrait")
    offers.reject_next = OffersRejected(422, "Raison trop longue.", "invalid", {"reason": "Au plus 5000."})
    refused = await client.post(
        f"/moderation/offres/{offer_id}/retirer",
        headers=headers,
        data={"csrf_token": "x", "withdraw_reason": "Offre non conforme."},
    )
    assert refused.status_code == 422 and error_of(refused.text, "withdraw_reason") == "Au plus 5000."
    done = await client.post(
        f"/moderation/offres/{offer_id}/retirer",
        headers=headers,
        data={"csrf_token": "x", "withdraw_reason": "Offre non conforme.", "version": "3"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("fait=retiree")
    assert offers.decisions()[-1][:2] == ("withdraw", (offer_id, 3, "Offre non conforme."))
    assert "Aucun crédit n&#39;est remboursé." in (await client.get(done.headers["location"], headers=headers)).text


async def test_moving_the_deadline(client, tokens, queued, offers, clock):
    headers = tokens.headers()
    past = await client.post(
        f"/moderation/offres/{queued}/date-limite", headers=headers, data={"csrf_token": "x", "deadline": "2026-11-01"}
    )
    assert past.status_code == 422 and error_of(past.text, "deadline") == "La date doit être aujourd'hui ou plus tard."
    garbage = await client.post(
        f"/moderation/offres/{queued}/date-limite", headers=headers, data={"csrf_token": "x", "deadline": "demain"}
    )
    assert garbage.status_code == 422 and error_of(garbage.text, "deadline").startswith("Indiquez une date valide")
    offers.reject_next = OffersRejected(409, "Une offre archivée ne change plus.", "wrong_status")
    refused = await client.post(
        f"/moderation/offres/{queued}/date-limite", headers=headers, data={"csrf_token": "x", "deadline": "2026-12-20"}
    )
    assert refused.status_code == 409 and refusal_of(refused.text, "deadline") == "Une offre archivée ne change plus."
    offers.down = True
    down = await client.post(
        f"/moderation/offres/{queued}/date-limite", headers=headers, data={"csrf_token": "x", "deadline": "2026-12-20"}
    )
    assert down.status_code == 503 and "Le service des offres ne répond pas" in down.text
    offers.down = False
    done = await client.post(
        f"/moderation/offres/{queued}/date-limite",
        headers=headers,
        data={"csrf_token": "x", "deadline": "2026-12-20", "version": "3"},
    )
    assert done.status_code == 303 and done.headers["location"].endswith("fait=date")
    name, args, _key = offers.decisions()[-1]
    assert name == "move_application_deadline" and args[0] == queued and str(args[2]) == "2026-12-20"


async def test_unknown_offers_are_404(client, tokens, offers):
    missing = str(uuid.uuid4())
    assert (await client.get(f"/moderation/offres/{missing}", headers=tokens.headers())).status_code == 404
    response = await client.post(
        f"/moderation/offres/{missing}/approuver", headers=tokens.headers(), data={"csrf_token": "x"}
    )
    assert response.status_code == 404


async def test_the_reference_lists_down_leave_the_codes_editable(client, tokens, queued, offers):
    offers.reference_down = True
    html = (await client.get(f"/moderation/offres/{queued}", headers=tokens.headers())).text
    assert "Les listes de choix ne sont pas disponibles" in html
    assert '<input id="edit-function_type" name="function_type" type="text"' in html


async def test_offer_pages_speak_english(client, tokens, queued, offers):
    headers = {**tokens.headers(), "Cookie": "lang=en"}
    queue = (await client.get("/moderation/offres", headers=headers)).text
    assert "Offers to review" in queue and "Overdue" in queue and "Offres à valider" not in queue
    page = (await client.get(f"/moderation/offres/{queued}", headers=headers)).text
    assert "An email address is in the description." in page  # the hint in the staff member's language
    assert "Return for revision" in page and "Civil engineering" in page
    assert offers.calls[-1][2] == "en"  # offers answers in English too
    offers.down = True
    down = await client.post(f"/moderation/offres/{queued}/approuver", headers=headers, data={"csrf_token": "x"})
    assert "The offers service is not responding right now." in down.text


async def test_any_offer_opens_by_its_identifier_or_a_link(client, tokens):
    offer_id = str(uuid.uuid4())
    by_link = await client.get(
        f"/moderation/offres?offre=https://emplois.oiq.qc.ca/emplois/{offer_id.upper()}", headers=tokens.headers()
    )
    assert by_link.status_code == 303 and by_link.headers["location"] == f"/moderation/offres/{offer_id}"
    nothing = await client.get("/moderation/offres?offre=ingenieur", headers=tokens.headers())
    assert nothing.status_code == 422
    assert error_of(nothing.text, "offre") == "Collez l'identifiant d'une offre ou un lien vers elle."


@pytest.mark.parametrize(
    ("action", "form", "data"),
    [
        ("approuver", "approve", {}),
        ("retourner", "return", {"comment": "Précisez les tâches."}),
        ("retirer", "withdraw", {"withdraw_reason": "Non conforme."}),
        ("date-limite", "deadline", {"deadline": "2026-12-20"}),
    ],
)
async def test_each_decision_shows_offers_refusal_and_unavailability_next_to_its_form(
    client, tokens, queued, offers, action, form, data
):
    url = f"/moderation/offres/{queued}/{action}"
    offers.reject_next = OffersRejected(409, "Action impossible pour cette offre.", "wrong_status")
    refused = await client.post(url, headers=tokens.headers(), data={**data, "csrf_token": "x"})
    assert refused.status_code == 409 and refusal_of(refused.text, form) == "Action impossible pour cette offre."
    offers.fail_decisions = True  # offers stops answering after the page was read
    down = await client.post(url, headers=tokens.headers(), data={**data, "csrf_token": "x"})
    assert down.status_code == 503
    assert refusal_of(down.text, form).startswith("Le service des offres ne répond pas pour le moment.")
    offers.down = True  # and the page cannot even be read again: the message is at the top
    dead = await client.post(url, headers=tokens.headers(), data={**data, "csrf_token": "x"})
    assert dead.status_code == 503 and 'id="portal-problem"' in dead.text
    assert "Le service des offres ne répond pas pour le moment." in dead.text
