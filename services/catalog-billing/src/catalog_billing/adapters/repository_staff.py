"""[staff] repositories over SQLAlchemy Core: `uow.companies` (companies and groups as the membership
projection names them, and their billing terms), `uow.invoice_copies`, and `uow.invoice_records` (the
read side of [checkout]'s invoice tables for the records pages)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog_billing.adapters.orm import memberships
from catalog_billing.adapters.orm_checkout import invoices
from catalog_billing.adapters.orm_staff import company_billing_terms, invoice_copy_subscriptions
from catalog_billing.domain.staff import CompanyRef, CompanyTerms, GroupRef, InvoiceRow
from plumbing.auth.permissions import Role

_TERMS_FIELDS = ("company_id", "invoice_payment_eligible", "updated_by_account_id", "updated_by_email", "updated_at")


def _folded(text: str) -> str:
    """Lower case, accents removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


class SqlCompanyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Billing terms ------------------------------------------------------------------------------
    def terms(self, company_id: str) -> CompanyTerms | None:
        t = company_billing_terms.c
        row = self.session.execute(select(*(getattr(t, f) for f in _TERMS_FIELDS))
                                   .where(t.company_id == company_id)).mappings().first()
        return CompanyTerms(**row) if row else None

    def invoice_payment_eligible(self, company_id: str) -> bool:
        terms = self.terms(company_id)
        return bool(terms and terms.invoice_payment_eligible)

    def save_terms(self, terms: CompanyTerms) -> None:
        values = {f: getattr(terms, f) for f in _TERMS_FIELDS}
        t = company_billing_terms.c
        statement = update(company_billing_terms).where(t.company_id == terms.company_id).values(values)
        if self.session.execute(statement).rowcount:
            return
        try:
            with self.session.begin_nested():  # another staff member may decide at the same moment
                self.session.execute(insert(company_billing_terms).values(values))
        except IntegrityError:
            self.session.execute(statement)  # the latest decision wins

    # Companies and groups, from the membership projection ----------------------------------------
    def search(self, query: str, *, limit: int = 50) -> list[CompanyRef]:
        """Names compared without case or accents (« genivert » finds « Génivert inc. »), in Python:
        one row per company, a few thousand at most."""
        t = memberships.c
        name = func.max(t.company_name)
        rows = self.session.execute(select(t.company_id, name).where(t.company_id != "")
                                    .group_by(t.company_id).order_by(name)).all()
        wanted = _folded(query)
        found = [CompanyRef(company_id, company_name or company_id) for company_id, company_name in rows
                 if wanted in _folded(company_name or "")]
        return found[:limit]

    def get(self, company_id: str) -> CompanyRef | None:
        t = memberships.c
        row = self.session.execute(select(func.max(t.company_name), func.count())
                                   .where(t.company_id == company_id)).first()
        if not company_id or row is None or not row[1]:
            return None
        return CompanyRef(company_id, row[0] or company_id)

    def groups(self, company_id: str) -> list[GroupRef]:
        t = memberships.c
        rows = self.session.execute(
            select(t.group_id, func.max(t.group_name), func.max(t.company_name))
            .where(t.company_id == company_id).group_by(t.group_id).order_by(func.max(t.group_name))).all()
        return [GroupRef(group_id, name or group_id, company_id, company_name or "")
                for group_id, name, company_name in rows]

    def group(self, group_id: str) -> GroupRef | None:
        t = memberships.c
        row = self.session.execute(
            select(func.max(t.group_name), func.max(t.company_id), func.max(t.company_name), func.count())
            .where(t.group_id == group_id)).first()
        if row is None or not row[3]:
            return None
        return GroupRef(group_id, row[0] or group_id, row[1] or "", row[2] or "")


class SqlInvoiceCopyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def subscribe(self, group_id: str, account_id: str, email: str, now: datetime) -> None:
        t = invoice_copy_subscriptions.c
        key = (t.group_id == group_id) & (t.account_id == account_id)
        if self.session.execute(update(invoice_copy_subscriptions).where(key).values(email=email)).rowcount:
            return
        try:
            with self.session.begin_nested():  # a double submit: the other one subscribed already
                self.session.execute(insert(invoice_copy_subscriptions).values(
                    group_id=group_id, account_id=account_id, email=email, created_at=now))
        except IntegrityError:
            pass

    def unsubscribe(self, group_id: str, account_id: str) -> None:
        t = invoice_copy_subscriptions.c
        self.session.execute(delete(invoice_copy_subscriptions)
                             .where((t.group_id == group_id) & (t.account_id == account_id)))

    def is_subscribed(self, group_id: str, account_id: str) -> bool:
        t = invoice_copy_subscriptions.c
        return self.session.execute(select(t.account_id).where(
            (t.group_id == group_id) & (t.account_id == account_id))).first() is not None

    def emails_for(self, group_id: str) -> list[str]:
        """The subscribed accounts' emails, for those still principal of the group (projection)."""
        s, m = invoice_copy_subscriptions.c, memberships.c
        rows = self.session.execute(
            select(s.email).join_from(invoice_copy_subscriptions, memberships,
                                      (m.account_id == s.account_id) & (m.group_id == s.group_id))
            .where((s.group_id == group_id) & (m.role == Role.PRINCIPAL.value)).order_by(s.email)).all()
        return [email for (email,) in rows]


def _money(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class SqlInvoiceRecords:
    """The history page's rows, over [checkout]'s invoice table."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def history(self, group_id: str, *, limit: int = 20, offset: int = 0) -> list[InvoiceRow]:
        """Newest first (issued_at, then number), with the buyer."""
        t = invoices.c
        rows = self.session.execute(
            select(t.id, t.number, t.issued_at, t.buyer_email, t.total_cents, t.status, t.due_on)
            .where(t.group_id == group_id).order_by(t.issued_at.desc(), t.number.desc())
            .limit(limit).offset(offset)).all()
        return [InvoiceRow(r.id, r.number, r.issued_at, r.buyer_email, _money(r.total_cents), r.status, r.due_on)
                for r in rows]
