"""The decision page shows the known companies a request may be about, with their groups and principals
(company-portal's staff API), and a creation cannot be approved onto a registered NEQ (issue 7)."""

import uuid
from datetime import UTC, datetime

from moderation_testkit import demo_company, portal_outcome, submitted
from test_moderation_pages import error_of, outbox_count

from moderation.adapters.portal_client import Match


async def test_the_decision_page_shows_every_match_with_groups_and_principals(client, tokens, consumer, portal):
    envelope = submitted("company_creation")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    genivert = demo_company()
    portal.matches[request_id] = [Match(("neq", "email_domain"), genivert)]
    headers = tokens.headers()
    page = await client.get(f"/moderation/demandes/{request_id}", headers=headers)
    assert page.status_code == 200
    assert ("request_matches", headers["Authorization"][7:], (request_id,)) in portal.calls
    section = page.text.split('id="matches"')[1].split('id="decision"')[0]
    assert f'href="/moderation/entreprises/{genivert.id}">Génivert inc.</a>' in section
    assert "Même NEQ" in section and "Même domaine de courriel" in section
    assert "Groupe 001" in section and "Marie Tremblay (marie.tremblay@genivert-test.ca)" in section
    assert "luc.gagnon" not in section  # only principals are named
    assert "aucun·e responsable principal·e" in section  # « Bureau de Québec » has none


async def test_no_match_and_a_portal_down_are_said(client, tokens, consumer, portal):
    envelope = submitted("new_group")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    page = await client.get(f"/moderation/demandes/{request_id}", headers=tokens.headers())
    assert "Aucune entreprise connue ne correspond à cette demande." in page.text
    portal.down = True
    page = await client.get(f"/moderation/demandes/{request_id}", headers=tokens.headers())
    assert page.status_code == 200  # the decision stays possible; the page says the check failed
    assert "ne peut pas dire pour le moment quelles entreprises correspondent" in page.text


async def test_a_creation_cannot_be_approved_onto_a_registered_neq(client, tokens, consumer, portal, bundle):
    envelope = submitted("company_creation")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    genivert = demo_company()
    portal.companies[genivert.id] = genivert
    fields = {**envelope.data["company"], "neq": genivert.neq, "csrf_token": "x"}
    response = await client.post(f"/moderation/demandes/{request_id}/approuver", data=fields,
                                 headers=tokens.headers())
    assert response.status_code == 422
    assert error_of(response.text, "neq").startswith("Ce NEQ est celui de l&#39;entreprise « Génivert inc. »")
    assert bundle.extras["views"].item(request_id).item.status == "en_attente"
    assert outbox_count(bundle) == 0
    response = await client.post(f"/moderation/demandes/{request_id}/approuver",
                                 data={**fields, "neq": "1199999999"}, headers=tokens.headers())
    assert response.status_code == 303


async def test_the_client_reads_the_matches_tolerantly():
    from moderation.adapters.portal_client import read_match

    match = read_match({"reasons": ["target"], "company": {"id": str(uuid.uuid4()), "legal_name": "X",
                                                           "groups": [{"id": "g", "name": "G", "user_count": 1,
                                                                       "members": [{"email": "p@x.ca",
                                                                                    "role": "principal"}]}]}})
    assert match.reasons == ("target",) and match.company.groups[0].members[0].role == "principal"
    assert read_match({"company": None}).reasons == ()


async def test_an_approval_the_portal_refused_on_apply_is_said_on_the_page(client, tokens, consumer):
    envelope = submitted("new_group")
    consumer(envelope.to_json(), {})
    request_id = envelope.data["request_id"]
    response = await client.post(f"/moderation/demandes/{request_id}/approuver", data={"csrf_token": "x"},
                                 headers=tokens.headers())
    assert response.status_code == 303
    consumer(portal_outcome(request_id, False, datetime(2026, 11, 5, tzinfo=UTC),
                            decided_by={"account_id": str(uuid.uuid4()), "email": "s@oiq.qc.ca",
                                        "kind": "staff"}).to_json(), {})
    page = await client.get(f"/moderation/demandes/{request_id}", headers=tokens.headers())
    assert 'id="portal-outcome"' in page.text and "Doublon d&#39;une demande précédente." in page.text
