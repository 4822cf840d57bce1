"""[staff] in-memory repositories (companies and their terms, invoice copies, promo codes, invoices)
on top of core's FakeBillingUnitOfWork, for unit tests of the staff tools and the records views."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from billing_fakes import FakeBillingUnitOfWork, deps

from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import CompanyRef, CompanyTerms, GroupRef
from catalog_billing.service_layer.handlers import COMMAND_HANDLERS
from catalog_billing.service_layer.ports import Dependencies
from plumbing.clock import FixedClock
from plumbing.messagebus import MessageBus


class FakeCompanies:
    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.group_rows: dict[str, GroupRef] = {}
        self.saved: dict[str, CompanyTerms] = {}

    def add_group(self, company_id: str, company_name: str, group_id: str, group_name: str) -> None:
        self.names[company_id] = company_name
        self.group_rows[group_id] = GroupRef(group_id, group_name, company_id, company_name)

    def terms(self, company_id: str) -> CompanyTerms | None:
        return self.saved.get(company_id)

    def invoice_payment_eligible(self, company_id: str) -> bool:
        terms = self.saved.get(company_id)
        return bool(terms and terms.invoice_payment_eligible)

    def save_terms(self, terms: CompanyTerms) -> None:
        self.saved[terms.company_id] = terms

    def search(self, query: str, *, limit: int = 50) -> list[CompanyRef]:
        found = [CompanyRef(i, n) for i, n in self.names.items() if query.lower() in n.lower()]
        return sorted(found, key=lambda c: c.name)[:limit]

    def get(self, company_id: str) -> CompanyRef | None:
        return CompanyRef(company_id, self.names[company_id]) if company_id in self.names else None

    def groups(self, company_id: str) -> list[GroupRef]:
        return sorted((g for g in self.group_rows.values() if g.company_id == company_id), key=lambda g: g.name)

    def group(self, group_id: str) -> GroupRef | None:
        return self.group_rows.get(group_id)


class FakeInvoiceCopies:
    def __init__(self, memberships: Any) -> None:
        self.memberships = memberships
        self.rows: dict[tuple[str, str], str] = {}

    def subscribe(self, group_id: str, account_id: str, email: str, now: datetime) -> None:
        self.rows[(group_id, account_id)] = email

    def unsubscribe(self, group_id: str, account_id: str) -> None:
        self.rows.pop((group_id, account_id), None)

    def is_subscribed(self, group_id: str, account_id: str) -> bool:
        return (group_id, account_id) in self.rows

    def emails_for(self, group_id: str) -> list[str]:
        return sorted(email for (g, a), email in self.rows.items()
                      if g == group_id and self.memberships.role_of(a, g) == "principal")


class FakePromoCodes:
    def __init__(self) -> None:
        self.rows: dict[str, PromoCode] = {}

    def get(self, code: str) -> PromoCode | None:
        return self.rows.get(code)

    def add(self, promo: PromoCode) -> None:
        self.rows[promo.code] = promo

    def list(self) -> list[PromoCode]:
        return sorted(self.rows.values(), key=lambda p: p.code)


@dataclass
class FakeInvoice:
    id: str
    group_id: str
    number: str
    document: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


class FakeInvoices:
    def __init__(self) -> None:
        self.rows: dict[str, FakeInvoice] = {}

    def get(self, invoice_id: str) -> FakeInvoice | None:
        return self.rows.get(invoice_id)

    def numbers(self, invoice_ids: Iterable[str]) -> dict[str, str]:
        return {i: self.rows[i].number for i in invoice_ids if i in self.rows}


class FakeStaffUnitOfWork(FakeBillingUnitOfWork):
    def __init__(self, dispatch: Any = None) -> None:
        super().__init__(dispatch)
        self.companies = FakeCompanies()
        self.invoice_copies = FakeInvoiceCopies(self.memberships)
        self.promo_codes = FakePromoCodes()
        self.invoices = FakeInvoices()


def staff_bus(uow: FakeStaffUnitOfWork | None = None,
              clock: FixedClock | None = None) -> tuple[MessageBus[Dependencies], FakeStaffUnitOfWork]:
    uow = uow or FakeStaffUnitOfWork()
    return MessageBus(lambda dispatch: uow, deps(clock), commands=COMMAND_HANDLERS), uow
