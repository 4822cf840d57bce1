"""[staff] « Mes forfaits », « Historique des transactions », an invoice and its PDF, and the
principal's opt-in, through the Flask test client: every role of the group sees them, nobody
outside the group sees anything (404), only the principal sees the opt-in."""

from __future__ import annotations

import html
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from billing_testkit import T0, new_id
from pypdf import PdfReader
from records_testkit import CSRF, flask_client, genivert, headers, issue_invoice
from sqlalchemy import update

from catalog_billing.adapters import orm
from catalog_billing.domain.promo import PromoCode
from catalog_billing.service_layer import credits

ROLES = ("principal", "affichage", "finances")


@pytest.fixture
def company(bundle):
    return genivert(bundle)


@pytest.fixture
def web(bundle):
    return flask_client(bundle)


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_balances_the_ledger_and_the_history(web, bundle, company, role):
    invoice = issue_invoice(bundle, company)
    me = headers(company.people[role])
    mine = web.get("/employeur/forfaits/mes-forfaits", headers=me)
    assert mine.status_code == 200
    page = text(mine)
    assert 'id="balance-ing"' in page and ">5</strong>" in page
    assert f"Achat (facture n° {invoice.number})" in page
    history = web.get("/employeur/transactions", headers=me)
    assert history.status_code == 200
    listed = text(history)
    assert invoice.number in listed and "julie@genivert-test.ca" in listed and "1 437,19" in listed
    assert f'href="/employeur/transactions/{invoice.id}.pdf"' in listed
    shown = web.get(f"/employeur/transactions/{invoice.id}", headers=me)
    assert shown.status_code == 200
    detail = text(shown)
    for printed in (invoice.number, "BC-2026-17", "Projet Laviolette", "1200, rue Saint-Denis", "Visa •••• 4242",
                    "62,50", "124,69", "1 437,19", "TPS : 123456789 RT0001"):
        assert printed in detail, printed


def test_the_ledger_says_why_each_balance_moved_in_both_languages(web, bundle, company):
    issue_invoice(bundle, company)
    offer = "7d0c4b8e-0000-4000-8000-000000000001"
    with bundle.extras["bus"].new_uow() as uow:
        credits.reserve(uow, offer_id=offer, credit_type="ing", group_id=company.group_id,
                        actor_account_id=company.people["affichage"], now=T0 + timedelta(hours=1))
        credits.release(uow, offer_id=offer, credit_type="ing", actor_account_id=company.people["affichage"],
                        now=T0 + timedelta(hours=2))
        credits.transfer_credits(uow, from_group_id=company.group_id, to_group_id=company.other_group_id,
                                 credit_type="ing", quantity=2, actor_account_id=new_id(), now=T0 + timedelta(hours=3))
        uow.commit()
    page = text(web.get("/employeur/forfaits/mes-forfaits", headers=headers(company.people["finances"])))
    assert "Appliqué à l'offre 7d0c4b8e" in page and "Libéré de l'offre 7d0c4b8e" in page
    assert "Transfert par l'Ordre, vers le groupe Québec" in page
    assert ">3</strong>" in page  # 5 bought, 1 applied, 1 released, 2 transferred out
    web.set_cookie("lang", "en")
    page_en = text(web.get("/employeur/forfaits/mes-forfaits", headers=headers(company.people["finances"])))
    assert "My packages" in page_en and "Transferred by the Ordre, to group Québec" in page_en


def test_nobody_outside_the_group_sees_its_pages_invoices_or_pdfs(web, bundle, company):
    invoice = issue_invoice(bundle, company)
    outsider = headers(new_id())
    for path in (f"/employeur/transactions/{invoice.id}", f"/employeur/transactions/{invoice.id}.pdf",
                 f"/employeur/transactions?groupe={company.group_id}",
                 f"/employeur/forfaits/mes-forfaits?groupe={company.group_id}"):
        assert web.get(path, headers=outsider).status_code == 404, path
    # A member of the company's other group: the invoice of Groupe 001 is not theirs either.
    quebec = headers(company.people["quebec"])
    assert web.get(f"/employeur/transactions/{invoice.id}", headers=quebec).status_code == 404
    assert web.get(f"/employeur/transactions/{invoice.id}.pdf", headers=quebec).status_code == 404
    assert web.get(f"/employeur/transactions?groupe={company.group_id}", headers=quebec).status_code == 404
    assert web.get(f"/employeur/forfaits/mes-forfaits?groupe={company.group_id}", headers=quebec).status_code == 404
    assert "ING-" not in text(web.get("/employeur/forfaits/mes-forfaits", headers=quebec))
    assert invoice.number not in text(web.get("/employeur/transactions", headers=quebec))
    unknown = web.get(f"/employeur/transactions/{new_id()}", headers=headers(company.people["principal"]))
    assert unknown.status_code == 404


def test_signed_out_visitors_log_in_and_other_kinds_are_refused(web, company):
    signed_out = web.get("/employeur/transactions")
    assert signed_out.status_code == 303 and signed_out.headers["Location"].startswith("/compte/connexion?next=")
    for kind in ("member", "staff"):
        assert web.get("/employeur/forfaits/mes-forfaits", headers=headers(new_id(), kind)).status_code == 403
    for path in ("/employeur/forfaits/mes-forfaits", "/employeur/transactions"):  # no group yet: the portal
        assert web.get(path, headers=headers(new_id())).headers["Location"] == "/entreprises/"


def test_the_pdf_is_an_attachment_whose_text_has_the_invoice_number_and_totals(web, bundle, company):
    invoice = issue_invoice(bundle, company)
    response = web.get(f"/employeur/transactions/{invoice.id}.pdf", headers=headers(company.people["affichage"]))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert invoice.number in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"%PDF")
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert invoice.number in pdf_text and "1 437,19" in pdf_text.replace("\u00a0", " ")


def test_the_history_is_paginated_newest_first(web, bundle, company):
    issued = [issue_invoice(bundle, company, days=day, credit=False) for day in range(23)]
    me = headers(company.people["affichage"])
    first = text(web.get("/employeur/transactions", headers=me))
    assert issued[-1].number in first and issued[3].number in first and issued[2].number not in first
    assert first.index(issued[-1].number) < first.index(issued[-2].number)
    assert 'href="/employeur/transactions?page=2"' in first and "Page 1 de 2" in first
    second = text(web.get("/employeur/transactions?page=2", headers=me))
    assert issued[0].number in second and issued[-1].number not in second
    assert text(web.get("/employeur/transactions?page=99", headers=me)).count(issued[0].number) >= 1
    assert web.get("/employeur/transactions?page=abc", headers=me).status_code == 200


def test_only_the_principal_sees_and_uses_the_opt_in(web, bundle, company):
    principal = headers(company.people["principal"], email="marie@genivert-test.ca")
    form = "Recevoir une copie de chaque facture du groupe"
    assert form in text(web.get("/employeur/transactions", headers=principal))
    for role in ("affichage", "finances"):
        assert form not in text(web.get("/employeur/transactions", headers=headers(company.people[role])))
        refused = web.post("/employeur/transactions/copie-des-factures", headers=headers(company.people[role]),
                           data={"csrf_token": CSRF, "group_id": company.group_id, "copy": "oui"})
        assert refused.status_code == 403
    saved = web.post("/employeur/transactions/copie-des-factures", headers=principal,
                     data={"csrf_token": CSRF, "group_id": company.group_id, "copy": "oui"})
    assert saved.status_code == 303 and saved.headers["Location"] == "/employeur/transactions?ok=copie"
    after = text(web.get("/employeur/transactions?ok=copie", headers=principal))
    assert "Vous recevrez une copie de chaque facture du groupe." in after and 'value="oui" checked' in after
    with bundle.extras["bus"].new_uow() as uow:
        assert uow.invoice_copies.emails_for(company.group_id) == ["marie@genivert-test.ca"]
    with bundle.runtime.engine.begin() as db:  # no longer principal (a role_changed event): no more copies
        db.execute(update(orm.memberships).where(orm.memberships.c.account_id == company.people["principal"])
                   .values(role="finances"))
    with bundle.extras["bus"].new_uow() as uow:
        assert uow.invoice_copies.emails_for(company.group_id) == []
    with bundle.runtime.engine.begin() as db:
        db.execute(update(orm.memberships).where(orm.memberships.c.account_id == company.people["principal"])
                   .values(role="principal"))
    foreign = web.post("/employeur/transactions/copie-des-factures", headers=principal,
                       data={"csrf_token": CSRF, "group_id": company.other_group_id, "copy": "oui"})
    assert foreign.status_code == 404
    web.post("/employeur/transactions/copie-des-factures", headers=principal,
             data={"csrf_token": CSRF, "group_id": company.group_id})
    with bundle.extras["bus"].new_uow() as uow:
        assert uow.invoice_copies.emails_for(company.group_id) == []
    assert web.get("/employeur/transactions/copie-des-factures", headers=principal).status_code == 303


def test_the_invoice_page_names_the_promo_and_an_unpaid_invoice_its_due_date(web, bundle, company):
    with bundle.extras["bus"].new_uow() as uow:
        uow.promo_codes.add(PromoCode("BIENVENUE10", "percent", Decimal("10")))
        uow.commit()
    invoice = issue_invoice(bundle, company, promo_code="BIENVENUE10", discount="125.00", status="unpaid")
    me = headers(company.people["finances"])
    page = text(web.get(f"/employeur/transactions/{invoice.id}", headers=me))
    assert "BIENVENUE10 (−10 %)" in page and "−125,00 $" in page
    assert "À payer avant le 2 décembre 2026" in page and "Paiement sur facture" in page
    web.set_cookie("lang", "en")
    english = text(web.get(f"/employeur/transactions/{invoice.id}", headers=me))
    assert "Due by December 2, 2026" in english and "Payment on invoice" in english and "Invoice ING-" in english
    assert "Unpaid" in text(web.get("/employeur/transactions", headers=me))


@pytest.mark.parametrize("page", ["²", "9" * 5000, "-3", "0", ""])
def test_odd_page_numbers_show_the_first_page(web, bundle, company, page):
    issue_invoice(bundle, company)
    for path in ("/employeur/transactions", "/employeur/forfaits/mes-forfaits"):
        answer = web.get(f"{path}?page={page}", headers=headers(company.people["affichage"]))
        assert answer.status_code == 200 and "ING-000001" in answer.get_data(as_text=True)
