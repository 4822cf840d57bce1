"""[staff] Demo data for the embedded suite (suite/seed.py): the promo code BIENVENUE10 (10 %), the
demo company eligible for invoice payment, and two invoices with their credits for the demo group
(one paid by card with the promo code, one on invoice), so « Mes forfaits » and the history are not
empty. Idempotent: each part is skipped once it exists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from catalog_billing.domain.checkout import CheckoutLine, Invoice, InvoiceStatus
from catalog_billing.domain.pricing import PricedLineInput, price_cart
from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import CompanyTerms
from catalog_billing.service_layer import credits
from catalog_billing.service_layer.ports import Dependencies, UnitOfWork
from plumbing.messagebus import MessageBus

DEMO_PROMO = "BIENVENUE10"


@dataclass(frozen=True)
class DemoBuyer:
    group_id: str
    account_id: str
    email: str
    billing_address: tuple[str, ...]


def _invoice(uow: UnitOfWork, deps: Dependencies, buyer: DemoBuyer, items: list[tuple[str, int]],
             promo: PromoCode | None, *, days_ago: int, paid: bool) -> Invoice:
    group = uow.companies.group(buyer.group_id)
    assert group is not None
    products = [deps.catalog.get(code) for code, _ in items]
    quote = price_cart([PricedLineInput(p.code, qty, p.unit_price, p.name("fr")) for p, (_, qty) in
                        zip(products, items, strict=True)], promo)
    issued = deps.clock.now() - timedelta(days=days_ago)
    invoice = Invoice(
        id=str(uuid.uuid4()), number=uow.invoices.next_number(), group_id=group.id, company_id=group.company_id,
        company_name=group.company_name, group_name=group.name, checkout_id=str(uuid.uuid4()),
        buyer_account_id=buyer.account_id, buyer_email=buyer.email, issued_at=issued,
        status=InvoiceStatus.PAID if paid else InvoiceStatus.UNPAID,
        lines=tuple(CheckoutLine(line.product_code, line.description, line.unit_price, line.quantity, line.discount,
                                 product.credit_type, product.credits)
                    for line, product in zip(quote.lines, products, strict=True)),
        billing_address=buyer.billing_address, purchase_order="" if paid else "BC-2026-0042",
        note="Démonstration", promo_code=promo.code if promo else None,
        due_on=None if paid else issued.date() + timedelta(days=deps.config.invoice_terms_days),
        paid_at=issued if paid else None, card_brand="Visa" if paid else None, card_last4="4242" if paid else None,
        authorization="demo-auth" if paid else None)
    uow.invoices.add(invoice)
    for line in invoice.lines:
        credits.grant_purchase(uow, group_id=group.id, company_id=group.company_id, credit_type=line.credit_type,
                               quantity=line.credits * line.quantity, invoice_id=invoice.id,
                               actor_account_id=buyer.account_id, now=issued)
    if promo:
        uow.promo_codes.record_use(promo.code, invoice.checkout_id, group.id, issued)
    return invoice


def seed_demo(bus: MessageBus[Dependencies], buyer: DemoBuyer, *, staff_account_id: str,
              staff_email: str) -> dict[str, str]:
    """Create what does not exist yet; return what was created ({} when all was there)."""
    deps = bus.deps
    created: dict[str, str] = {}
    with bus.new_uow() as uow:
        group = uow.companies.group(buyer.group_id)
        if group is None:  # the membership projection has not heard of the group: nothing to attach to
            return {}
        today = deps.clock.now().date()
        if uow.promo_codes.get(DEMO_PROMO) is None:
            uow.promo_codes.add(PromoCode(DEMO_PROMO, "percent", Decimal("10"), starts_on=date(today.year, 1, 1),
                                          ends_on=date(today.year + 1, 12, 31), max_uses=1000))
            created["promo_code"] = DEMO_PROMO
        if uow.companies.terms(group.company_id) is None:
            uow.companies.save_terms(CompanyTerms(group.company_id, True, staff_account_id, staff_email,
                                                  deps.clock.now()))
            created["invoice_payment"] = group.company_id
        if uow.invoices.count_for_group(group.id) == 0:
            promo = uow.promo_codes.get(DEMO_PROMO)
            paid = _invoice(uow, deps, buyer, [("ing-5", 1)], promo, days_ago=20, paid=True)
            unpaid = _invoice(uow, deps, buyer, [("cpi-1", 2)], None, days_ago=3, paid=False)
            created.update(paid_invoice=paid.number, unpaid_invoice=unpaid.number)
        uow.commit()
    return created
