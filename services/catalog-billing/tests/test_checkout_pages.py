"""[checkout] The purchase pages through the Flask test client, on a real (SQLite) database: catalog
→ cart → caisse → the processor's card form → review → complete → confirmation, in French and
English, with errors next to their fields, and nothing for a stranger."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from billing_testkit import T0, make_settings, outbox
from checkout_fakes import FakeProcessor
from records_testkit import CSRF, genivert, headers

from catalog_billing.adapters import orm
from catalog_billing.bootstrap import bootstrap
from catalog_billing.domain.promo import PromoCode
from plumbing.clock import FixedClock

ADDRESS = {"address_id": "nouvelle", "name": "Génivert inc.", "street": "1200, rue Saint-Denis",
           "city": "Montréal", "province": "QC", "postal_code": "H2X 3J6", "country": "Canada"}


@pytest.fixture
def processor():
    return FakeProcessor()


@pytest.fixture
def shop(tmp_path: Path, processor):
    built = bootstrap(make_settings(tmp_path), clock=FixedClock(T0), payments=processor)
    orm.metadata.create_all(built.runtime.engine)
    with built.extras["bus"].new_uow() as uow:
        uow.promo_codes.add(PromoCode("PRINTEMPS10", "percent", Decimal("10")))
        uow.commit()
    yield built
    built.runtime.engine.dispose()


@pytest.fixture
def company(shop):
    return genivert(shop)


@pytest.fixture
def web(shop):
    return shop.extras["pages"].test_client()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")


def post(web, path, who, data):
    return web.post(path, headers=who, data={"csrf_token": CSRF, **data})


def add_and_checkout(web, company, who, **extra):
    added = post(web, "/employeur/panier", who, {"product_code": "ing-5", "group_id": company.group_id})
    assert added.status_code == 303
    response = post(web, "/employeur/caisse", who, {"group_id": company.group_id, **ADDRESS, **extra})
    assert response.status_code == 303, text(response)
    location = response.headers["Location"]
    checkout_id = re.search(r"state=([0-9a-f-]{36})", location).group(1)
    return checkout_id


def test_a_buyer_goes_from_the_catalog_to_the_confirmation(web, shop, company, processor):
    me = headers(company.people["finances"], email="julie@genivert-test.ca")
    catalog = web.get("/employeur/forfaits", headers=me)
    assert catalog.status_code == 200
    page = text(catalog)
    for expected in ("Acheter un forfait", "En savoir plus", 'href="/employeur/forfaits/ing-5"', "2 675,00 $",
                     'id="cart-link"'):
        assert expected in page, expected
    assert web.get("/employeur/forfaits/ing-5", headers=me).status_code == 200
    assert web.get("/employeur/forfaits/nope", headers=me).status_code == 404

    checkout_id = add_and_checkout(web, company, me, promo_code="printemps10", note="Projet", purchase_order="BC-1")
    cart = text(web.get("/employeur/panier", headers=me))
    assert "Forfait" in cart and "Passer à la caisse" in cart
    # The processor's form sends the browser back with a payment-method reference only.
    back = web.get(f"/employeur/caisse/{checkout_id}/carte", headers=me,
                   query_string={"payment_method": "pm_ok", "state": checkout_id})
    assert back.status_code == 303 and back.headers["Location"].endswith("/revision")
    review = text(web.get(f"/employeur/caisse/{checkout_id}/revision", headers=me))
    for expected in ("2 675,00 $", "−267,50 $", "120,38 $", "240,15 $", "2 768,03 $", "Visa •••• 4242",
                     "conditions d'utilisation", "Compléter l'achat"):
        assert expected in review, expected
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)

    refused = post(web, f"/employeur/caisse/{checkout_id}/revision", me,
                   {"idempotency_key": key, "accept_terms": "oui"})
    assert refused.status_code == 422
    assert 'id="accept_billing-error"' in text(refused)

    done = post(web, f"/employeur/caisse/{checkout_id}/revision", me,
                {"idempotency_key": key, "accept_terms": "oui", "accept_billing": "oui"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/confirmation")
    confirmation = text(web.get(done.headers["Location"], headers=me))
    assert "Facture n° ING-000001" in confirmation
    invoice_id = re.search(r'href="/employeur/transactions/([0-9a-f-]{36})"', confirmation).group(1)
    assert 'href="/employeur/"' in confirmation
    assert web.get(f"/employeur/transactions/{invoice_id}", headers=me).status_code == 200
    assert len(processor.charged) == 1 and processor.charged[0]["amount"] == 276803
    (issued,) = outbox(shop, "billing.invoice.issued")
    assert issued.data["total"] == "2768.03" and issued.data["buyer_email"] == "julie@genivert-test.ca"
    with shop.extras["bus"].new_uow() as uow:
        assert uow.credits.balances(company.group_id) == {"ing": 5}
    # Submitting the same form again (a double click) charges nothing more.
    again = post(web, f"/employeur/caisse/{checkout_id}/revision", me,
                 {"idempotency_key": key, "accept_terms": "oui", "accept_billing": "oui"})
    assert again.status_code == 303 and len(processor.charged) == 1


def test_a_declined_card_says_so_and_keeps_the_cart(web, shop, company, processor):
    me = headers(company.people["affichage"])
    checkout_id = add_and_checkout(web, company, me)
    web.get(f"/employeur/caisse/{checkout_id}/carte", headers=me,
            query_string={"payment_method": "pm_funds", "state": checkout_id})
    review = text(web.get(f"/employeur/caisse/{checkout_id}/revision", headers=me))
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)
    declined = post(web, f"/employeur/caisse/{checkout_id}/revision", me,
                    {"idempotency_key": key, "accept_terms": "oui", "accept_billing": "oui"})
    assert declined.status_code == 422
    assert "fonds insuffisants" in text(declined)
    assert "Forfait" in text(web.get("/employeur/panier", headers=me))
    with shop.extras["bus"].new_uow() as uow:
        assert uow.credits.balances(company.group_id) == {} and uow.invoices.count_for_group(company.group_id) == 0


def test_caisse_errors_sit_next_to_their_fields_in_english_too(web, company):
    me = headers(company.people["principal"])
    post(web, "/employeur/panier", me, {"product_code": "ing-1", "group_id": company.group_id})
    bad = post(web, "/employeur/caisse", me, {"group_id": company.group_id, **ADDRESS, "postal_code": "12345",
                                               "promo_code": "NOPE"})
    assert bad.status_code == 422
    page = text(bad)
    assert 'id="postal_code-error"' in page and "A1A 1A1" in page
    web.set_cookie("lang", "en")
    english = text(post(web, "/employeur/caisse", me, {"group_id": company.group_id, **ADDRESS, "promo_code": "NOPE"}))
    assert "This promo code does not exist" in english and 'id="promo_code-error"' in english
    assert "Check out" in text(web.get("/employeur/panier", headers=me))


def test_strangers_see_nothing_and_signed_out_visitors_are_sent_to_login(web, company):
    me = headers(company.people["finances"])
    checkout_id = add_and_checkout(web, company, me)
    stranger = headers("00000000-0000-4000-8000-00000000dead")
    for path in (f"/employeur/caisse/{checkout_id}/revision", f"/employeur/caisse/{checkout_id}/confirmation"):
        assert web.get(path, headers=stranger).status_code == 404
    assert post(web, "/employeur/panier", stranger, {"product_code": "ing-1",
                                                     "group_id": company.group_id}).status_code == 404
    login = web.get("/employeur/panier")
    assert login.status_code == 303 and login.headers["Location"] == "/compte/connexion?next=/employeur/panier"


def test_a_company_eligible_for_invoice_payment_buys_without_a_card(web, shop, company, processor):
    from catalog_billing.domain.staff import CompanyTerms

    me = headers(company.people["finances"])
    post(web, "/employeur/panier", me, {"product_code": "cpi-1", "group_id": company.group_id})
    assert "Paiement sur facture" not in text(web.get("/employeur/caisse", headers=me))
    with shop.extras["bus"].new_uow() as uow:
        uow.companies.save_terms(CompanyTerms(company.company_id, True, "staff", "staff@oiq.test", T0))
        uow.commit()
    assert "Paiement sur facture" in text(web.get("/employeur/caisse", headers=me))
    sent = post(web, "/employeur/caisse", me, {"group_id": company.group_id, **ADDRESS, "payment_mode": "invoice"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/revision")
    review = text(web.get(sent.headers["Location"], headers=me))
    assert "Paiement sur facture" in review and "Entrer une carte" not in review
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)
    done = post(web, sent.headers["Location"], me, {"idempotency_key": key, "accept_terms": "oui",
                                                    "accept_billing": "oui"})
    assert done.status_code == 303 and done.headers["Location"].endswith("/confirmation")
    (issued,) = outbox(shop, "billing.invoice.issued")
    assert issued.data["status"] == "unpaid" and issued.data["due_on"] == "2026-12-02"
    assert processor.calls == 0


def test_a_second_step_at_the_bank_then_back_to_the_confirmation(web, shop, company, processor):
    me = headers(company.people["principal"])
    checkout_id = add_and_checkout(web, company, me)
    web.get(f"/employeur/caisse/{checkout_id}/carte", headers=me,
            query_string={"payment_method": "pm_3ds", "state": checkout_id})
    review = text(web.get(f"/employeur/caisse/{checkout_id}/revision", headers=me))
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)
    sent = post(web, f"/employeur/caisse/{checkout_id}/revision", me,
                {"idempotency_key": key, "accept_terms": "oui", "accept_billing": "oui"})
    assert sent.status_code == 303 and sent.headers["Location"].startswith("https://processor.test/3ds/")
    early = web.get(f"/employeur/caisse/{checkout_id}/retour", headers=me)  # back before the bank's answer
    assert early.status_code == 303 and early.headers["Location"] == sent.headers["Location"]
    processor.authenticated.add(sent.headers["Location"].rsplit("/", 1)[1])
    back = web.get(f"/employeur/caisse/{checkout_id}/retour", headers=me)
    assert back.status_code == 303 and back.headers["Location"].endswith("/confirmation")
    assert len(processor.charged) == 1
