"""[staff] Arrange steps of the records and staff page tests: a company with a group and a member in
each role (the membership projection), credits, issued invoices, and the Flask test client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from billing_testkit import T0, add_member, new_id, token

from catalog_billing.domain.checkout import CheckoutLine, Invoice, InvoiceStatus
from catalog_billing.service_layer import credits
from plumbing.service import ServiceBundle

CSRF = "csrf-test-token"


def headers(account_id: str, kind: str = "employer", email: str = "") -> dict[str, str]:
    """What the gateway adds: the bearer token and the CSRF token (the gateway checks it)."""
    return {"Authorization": f"Bearer {token(account_id, email, kind)}", "X-CSRF-Token": CSRF}


@dataclass(frozen=True)
class Company:
    company_id: str
    group_id: str
    other_group_id: str
    people: dict[str, str]  # role → account id


def genivert(bundle: ServiceBundle) -> Company:
    """Génivert inc. with « Groupe 001 » (a principal, an affichage, a finances) and « Québec » (a principal)."""
    company_id, group_id, other_group_id = new_id(), new_id(), new_id()
    people = {role: new_id() for role in ("principal", "affichage", "finances", "quebec")}
    for role in ("principal", "affichage", "finances"):
        add_member(bundle, people[role], group_id, role, company_id=company_id)
    add_member(bundle, people["quebec"], other_group_id, "principal", company_id=company_id, group_name="Québec")
    return Company(company_id, group_id, other_group_id, people)


def issue_invoice(bundle: ServiceBundle, company: Company, *, group_id: str | None = None, quantity: int = 1,
                  days: int = 0, status: str = "paid", credit: bool = True, promo_code: str | None = None,
                  discount: str = "0.00") -> Invoice:
    """A Forfait ing. 5 invoice as checkout issues one (its number from the series), with its credits."""
    group_id = group_id or company.group_id
    bus = bundle.extras["bus"]
    with bus.new_uow() as uow:
        now = T0 + timedelta(days=days)
        invoice = Invoice(
            id=new_id(), number=uow.invoices.next_number(), group_id=group_id, company_id=company.company_id,
            company_name="Génivert inc.", group_name="Groupe 001", checkout_id=new_id(),
            buyer_account_id=company.people["finances"], buyer_email="julie@genivert-test.ca", issued_at=now,
            status=InvoiceStatus(status),
            lines=(CheckoutLine("ing-5", "Forfait 5 offres d'emploi", Decimal("1250.00"), quantity, Decimal(discount),
                                "ing", 5),),
            billing_address=("Génivert inc.", "1200, rue Saint-Denis", "Montréal (QC)  H2X 3J6", "Canada"),
            purchase_order="BC-2026-17", note="Projet Laviolette", promo_code=promo_code,
            due_on=date(2026, 12, 2) if status == "unpaid" else None, paid_at=now if status == "paid" else None,
            card_brand="Visa" if status == "paid" else None, card_last4="4242" if status == "paid" else None)
        uow.invoices.add(invoice)
        if credit:
            credits.grant_purchase(uow, group_id=group_id, company_id=company.company_id, credit_type="ing",
                                   quantity=5 * quantity, invoice_id=invoice.id,
                                   actor_account_id=invoice.buyer_account_id, now=now)
        uow.commit()
    return invoice


def flask_client(bundle: ServiceBundle) -> Any:
    return bundle.extras["pages"].test_client()
