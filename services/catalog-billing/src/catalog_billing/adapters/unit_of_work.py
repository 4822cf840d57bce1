"""catalog-billing's unit of work on SQLAlchemy: its repositories, the outbox and inbox, one transaction.

Each part of the service opens its repositories in `_open_repositories` (DESIGN.md, "Interfaces").
"""

from __future__ import annotations

from catalog_billing.adapters.orm import memberships
from catalog_billing.adapters.repository import SqlCreditRepository, SqlQuoteRepository
from catalog_billing.adapters.repository_api_keys import SqlApiKeyProjection
from catalog_billing.adapters.repository_checkout import (
    SqlBillingAddressRepository,
    SqlCartRepository,
    SqlCheckoutRepository,
    SqlInvoiceRepository,
    SqlPaymentEventRepository,
    SqlPromoCodeRepository,
)
from catalog_billing.adapters.repository_staff import (
    SqlCompanyRepository,
    SqlInvoiceCopyRepository,
    SqlInvoiceRecords,
)
from plumbing.auth.memberships import SqlMembershipLookup
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlBillingUnitOfWork(SqlAlchemyUnitOfWork):
    def _open_repositories(self) -> None:
        # [core]
        self.credits = SqlCreditRepository(self.session)
        self.quotes = SqlQuoteRepository(self.session)
        self.memberships = SqlMembershipLookup(self.session, memberships)
        # [staff]
        self.companies = SqlCompanyRepository(self.session)
        self.invoice_copies = SqlInvoiceCopyRepository(self.session)
        self.invoice_records = SqlInvoiceRecords(self.session)
        # [checkout]
        self.carts = SqlCartRepository(self.session)
        self.checkouts = SqlCheckoutRepository(self.session)
        self.addresses = SqlBillingAddressRepository(self.session)
        self.promo_codes = SqlPromoCodeRepository(self.session)
        self.invoices = SqlInvoiceRepository(self.session)
        self.payment_events = SqlPaymentEventRepository(self.session)
        # [api keys] offers' keys, accepted on credit reservations
        self.api_keys = SqlApiKeyProjection(self.session)
