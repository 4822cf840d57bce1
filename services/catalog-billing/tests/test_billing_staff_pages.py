"""[staff] The OIQ staff billing pages (/moderation/facturation) through the Flask test client:
staff only, a company's groups and balances, invoice-payment eligibility, a credit transfer (a
too-large quantity: a clear message and nothing written), promo codes."""

from __future__ import annotations

import html

import pytest
from billing_testkit import new_id
from records_testkit import CSRF, flask_client, genivert, headers, issue_invoice

from catalog_billing.service_layer import credits

STAFF = new_id()
BASE = "/moderation/facturation"


@pytest.fixture
def company(bundle):
    return genivert(bundle)


@pytest.fixture
def web(bundle):
    return flask_client(bundle)


def staff() -> dict[str, str]:
    return headers(STAFF, kind="staff", email="sophie@oiq-test.ca")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ")


def balances(bundle, group_id: str) -> dict[str, int]:
    with bundle.extras["bus"].new_uow() as uow:
        return credits.balances(uow, group_id)


def test_staff_pages_are_for_staff_only(web, company):
    signed_out = web.get(f"{BASE}/codes-promo")
    assert signed_out.status_code == 303
    assert signed_out.headers["Location"] == "/compte/connexion?next=/moderation/facturation/codes-promo"
    for who in (headers(company.people["principal"]), headers(new_id(), kind="member")):
        assert web.get(f"{BASE}/", headers=who).status_code == 403
        assert web.get(f"{BASE}/entreprises/{company.company_id}", headers=who).status_code == 403
        refused = web.post(f"{BASE}/entreprises/{company.company_id}/transferts", headers=who, data={
            "csrf_token": CSRF, "from_group_id": company.group_id, "to_group_id": company.other_group_id,
            "credit_type": "ing", "quantity": "1"})
        assert refused.status_code == 403


def test_staff_finds_a_company_and_sees_its_groups_balances(web, bundle, company):
    issue_invoice(bundle, company)
    for query in ("Géni", "GENIVERT", "genivert inc"):  # case and accents do not matter
        found = text(web.get(f"{BASE}/?q={query}", headers=staff()))
        assert f'href="/moderation/facturation/entreprises/{company.company_id}"' in found, query
    assert text(web.get(f"{BASE}/?q=zzz", headers=staff())).count("Aucune entreprise trouvée.") == 1
    page = web.get(f"{BASE}/entreprises/{company.company_id}", headers=staff())
    assert page.status_code == 200
    shown = text(page)
    assert "Groupe 001" in shown and "Québec" in shown and 'class="numeric">5</td>' in shown
    assert web.get(f"{BASE}/entreprises/{new_id()}", headers=staff()).status_code == 404


def test_staff_marks_the_company_eligible_for_invoice_payment(web, bundle, company):
    page = text(web.get(f"{BASE}/entreprises/{company.company_id}", headers=staff()))
    assert "Paiement par carte seulement" in page
    saved = web.post(f"{BASE}/entreprises/{company.company_id}/paiement-sur-facture", headers=staff(),
                     data={"csrf_token": CSRF, "eligible": "oui", "idempotency_key": "terms-key-0001"})
    assert saved.status_code == 303
    after = text(web.get(saved.headers["Location"], headers=staff()))
    assert "Admissible au paiement sur facture" in after and "Décision de sophie@oiq-test.ca" in after
    with bundle.extras["bus"].new_uow() as uow:
        assert uow.companies.invoice_payment_eligible(company.company_id) is True
    bad = web.post(f"{BASE}/entreprises/{company.company_id}/paiement-sur-facture", headers=staff(),
                   data={"csrf_token": CSRF, "eligible": "peut-etre"})
    assert bad.status_code == 422 and 'id="eligible-error"' in bad.get_data(as_text=True)


def test_a_transfer_through_the_page_moves_credits_once_per_form(web, bundle, company):
    issue_invoice(bundle, company)
    form = {"csrf_token": CSRF, "from_group_id": company.group_id, "to_group_id": company.other_group_id,
            "credit_type": "ing", "quantity": "2", "idempotency_key": "transfer-key-0001"}
    url = f"{BASE}/entreprises/{company.company_id}/transferts"
    done = web.post(url, headers=staff(), data=form)
    assert done.status_code == 303 and done.headers["Location"].endswith("fait=transfert")
    assert web.post(url, headers=staff(), data=form).status_code == 303  # the same form again: done once
    assert balances(bundle, company.group_id) == {"ing": 3}
    assert balances(bundle, company.other_group_id) == {"ing": 2}
    assert "Les crédits sont transférés." in text(web.get(done.headers["Location"], headers=staff()))


def test_a_transfer_above_the_balance_says_so_and_writes_nothing(web, bundle, company):
    issue_invoice(bundle, company)
    refused = web.post(f"{BASE}/entreprises/{company.company_id}/transferts", headers=staff(), data={
        "csrf_token": CSRF, "from_group_id": company.group_id, "to_group_id": company.other_group_id,
        "credit_type": "ing", "quantity": "6", "idempotency_key": "transfer-key-0002"})
    assert refused.status_code == 409
    assert ("Le groupe d'origine n'a que 5 crédit(s) « Offres d'emploi ing. » : impossible d'en transférer 6. "
            "Rien n'a été transféré.") in text(refused)
    assert balances(bundle, company.group_id) == {"ing": 5} and balances(bundle, company.other_group_id) == {}
    for bad in ({"quantity": "0"}, {"quantity": "abc"}, {"to_group_id": company.group_id},
                {"credit_type": "diamant"}, {"to_group_id": new_id()}):
        answer = web.post(f"{BASE}/entreprises/{company.company_id}/transferts", headers=staff(), data={
            "csrf_token": CSRF, "from_group_id": company.group_id, "to_group_id": company.other_group_id,
            "credit_type": "ing", "quantity": "1", **bad})
        assert answer.status_code == 422, bad
        assert "field-error" in answer.get_data(as_text=True)
    assert balances(bundle, company.group_id) == {"ing": 5}


def test_staff_lists_and_creates_promo_codes(web, bundle, company):
    empty = text(web.get(f"{BASE}/codes-promo", headers=staff()))
    assert "Aucun code promotionnel pour l'instant." in empty and 'value="ing-5"' in empty
    created = web.post(f"{BASE}/codes-promo", headers=staff(), data={
        "csrf_token": CSRF, "code": "bienvenue10", "kind": "percent", "value": "10", "starts_on": "2026-11-01",
        "ends_on": "2027-01-31", "max_uses": "100", "product_codes": ["ing-5", "ing-10"],
        "idempotency_key": "promo-key-0001"})
    assert created.status_code == 303
    listed = text(web.get(created.headers["Location"], headers=staff()))
    assert "BIENVENUE10" in listed and "Le code promotionnel est créé." in listed and "0 / 100" in listed
    with bundle.extras["bus"].new_uow() as uow:
        promo = uow.promo_codes.get("BIENVENUE10")
    assert promo.product_codes == frozenset({"ing-5", "ing-10"}) and promo.max_uses == 100
    again = web.post(f"{BASE}/codes-promo", headers=staff(), data={
        "csrf_token": CSRF, "code": "BIENVENUE10", "kind": "amount", "value": "50", "idempotency_key": "promo-key-2"})
    assert again.status_code == 422 and "Ce code promotionnel existe déjà" in text(again)
    bad = web.post(f"{BASE}/codes-promo", headers=staff(), data={
        "csrf_token": CSRF, "code": "", "kind": "percent", "value": "120", "ends_on": "hier"})
    assert bad.status_code == 422
    page = text(bad)
    assert "Un pourcentage ne peut pas dépasser 100." in page and "Entrez une date au format AAAA-MM-JJ." in page


@pytest.mark.parametrize("quantity", ["²", "１２", "9" * 5000, "-1", "1.5", " "])
def test_odd_quantities_are_a_message_never_a_500(web, bundle, company, quantity):
    answer = web.post(f"{BASE}/entreprises/{company.company_id}/transferts", headers=staff(), data={
        "csrf_token": CSRF, "from_group_id": company.group_id, "to_group_id": company.other_group_id,
        "credit_type": "ing", "quantity": quantity})
    assert answer.status_code == 422 and 'id="quantity-error"' in answer.get_data(as_text=True)


@pytest.mark.parametrize("fields", [{"value": "1e999999"}, {"value": "NaN"}, {"value": "-5"},
                                    {"max_uses": "9" * 5000}, {"max_uses": "²"}, {"starts_on": "2026-02-30"},
                                    {"code": "é" * 300}, {"product_codes": "diamant"}])
def test_odd_promo_fields_are_a_message_never_a_500(web, fields):
    answer = web.post(f"{BASE}/codes-promo", headers=staff(), data={
        "csrf_token": CSRF, "code": "ODD1", "kind": "amount", "value": "10", **fields})
    assert answer.status_code == 422 and "field-error" in answer.get_data(as_text=True)
