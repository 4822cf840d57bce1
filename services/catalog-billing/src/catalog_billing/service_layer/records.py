"""[staff] The group's records for its members: "Mes forfaits" (balances and ledger), the invoice
history, one invoice, and the Responsable principal.e's copy of every invoice.

Every view authorizes first: a caller who is not a member of the group gets `NotAMember` (the pages
answer 404, as if the group or invoice did not exist); any role of the group may read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from catalog_billing.config import BillingConfig
from catalog_billing.domain.checkout import Invoice
from catalog_billing.domain.invoice import InvoiceDocument, oiq_seller
from catalog_billing.domain.ledger import CREDIT_TYPES
from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import LedgerLine, running_balances
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer.access import Actor, authorize
from catalog_billing.service_layer.ports import Dependencies, UnitOfWork
from plumbing.auth.permissions import NotAMember, Permission, require
from plumbing.messagebus import Handler

#: Credit types « Mes forfaits » always shows (the forfaits); optimizations once the group had one.
ALWAYS_SHOWN = ("ing", "cpi")
#: Ledger entries read for the running balances (a group's whole history; far more than any has).
LEDGER_LIMIT = 10_000


@dataclass(frozen=True)
class MyCredits:
    balances: dict[str, int]
    ledger: list[LedgerLine]


@dataclass(frozen=True)
class PageOf:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def my_credits(uow: UnitOfWork, actor: Actor, group_id: str) -> MyCredits:
    """Balances (forfaits always, optimizations the group ever had) and the ledger, newest first,
    with running balances."""
    authorize(uow, actor, group_id, Permission.VIEW_TRANSACTIONS)
    found = uow.credits.balances(group_id)
    balances = {t: found.get(t, 0) for t in CREDIT_TYPES if t in ALWAYS_SHOWN or t in found}
    entries = list(uow.credits.entries(group_id, limit=LEDGER_LIMIT))
    invoice_ids = {e.invoice_id for e in entries if e.invoice_id}
    numbers = uow.invoices.numbers(invoice_ids) if invoice_ids else {}
    counterparts = {e.counterpart_group_id for e in entries if e.counterpart_group_id}
    names = {g: uow.companies.group(g) for g in counterparts}
    return MyCredits(balances, running_balances(
        entries, invoice_numbers=numbers, group_names={g: ref.name for g, ref in names.items() if ref}))


def invoice_history(uow: UnitOfWork, actor: Actor, group_id: str, page: int = 1, per_page: int = 20) -> PageOf:
    """The group's invoices, newest first, one page (a page past the end is the last one)."""
    authorize(uow, actor, group_id, Permission.VIEW_TRANSACTIONS)
    total = uow.invoices.count_for_group(group_id)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = list(uow.invoice_records.history(group_id, limit=per_page, offset=(page - 1) * per_page))
    return PageOf(items, page, per_page, total)


def group_invoice(uow: UnitOfWork, actor: Actor, invoice_id: str) -> Any:
    """The invoice, if the caller is a member of its group (else NotAMember: 404, like an unknown one)."""
    invoice = uow.invoices.get(invoice_id)
    if invoice is None:
        raise NotAMember(invoice_id)
    authorize(uow, actor, invoice.group_id, Permission.VIEW_TRANSACTIONS)
    return invoice


def document_of(invoice: Invoice, config: BillingConfig, catalog: Any, locale: str,
                promo: PromoCode | None = None) -> InvoiceDocument:
    """Everything printed on the invoice ([checkout]'s `Invoice.document` with the OIQ's tax numbers),
    plus the product names in both languages and the promo's label (`BIENVENUE10 (−10 %)`)."""
    names = {p.code: dict(p.names) for p in catalog} if isinstance(catalog, Iterable) else {}
    document = invoice.document(oiq_seller(config.gst_number, config.qst_number))
    return replace(document, product_names=names,
                   promo_label=promo.label(locale) if promo else document.promo_label)


def invoice_document(uow: UnitOfWork, actor: Actor, invoice_id: str, config: BillingConfig, catalog: Any,
                     locale: str) -> InvoiceDocument:
    """The printable invoice, for a member of its group (else NotAMember: 404)."""
    invoice = group_invoice(uow, actor, invoice_id)
    promo = uow.promo_codes.get(invoice.promo_code) if invoice.promo_code else None
    return document_of(invoice, config, catalog, locale, promo)


def receives_invoice_copies(uow: UnitOfWork, group_id: str, account_id: str) -> bool:
    return uow.invoice_copies.is_subscribed(group_id, account_id)


def set_invoice_copy(cmd: c.SetInvoiceCopy, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Only the Responsable principal.e opts in (PermissionDenied otherwise); idempotent."""
    require(uow.memberships, cmd.account_id, cmd.group_id, Permission.RECEIVE_INVOICE_COPIES)
    if cmd.subscribed:
        uow.invoice_copies.subscribe(cmd.group_id, cmd.account_id, cmd.email, deps.clock.now())
    else:
        uow.invoice_copies.unsubscribe(cmd.group_id, cmd.account_id)
    return cmd.subscribed


RECORDS_HANDLERS: dict[type, Handler] = {
    c.SetInvoiceCopy: set_invoice_copy,
}
