"""What catalog-billing's handlers need from outside, as protocols; bootstrap plugs the adapters in
(`adapters.unit_of_work.SqlBillingUnitOfWork`), unit tests fakes (tests/billing_fakes.py).

Each part of the service adds its own repositories to `UnitOfWork` (DESIGN.md, "Interfaces").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from catalog_billing.config import BillingConfig
from catalog_billing.domain.cart import Cart
from catalog_billing.domain.catalog import Catalog
from catalog_billing.domain.checkout import BillingAddress, Checkout, Invoice
from catalog_billing.domain.ledger import CreditBank, CreditEntry, Reservation
from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import CompanyRef, CompanyTerms, GroupRef, InvoiceRow
from catalog_billing.service_layer.payments import PaymentProcessor
from plumbing.clock import Clock
from plumbing.ports import UnitOfWork as BaseUnitOfWork


class CreditRepository(Protocol):
    """The ledger: banks (the rows writers lock), entries, reservations."""

    def lock_bank(self, group_id: str) -> CreditBank | None:
        """The group's bank, locked until the transaction ends (SELECT … FOR UPDATE); None if it has none."""

    def ensure_bank(self, group_id: str, company_id: str, now: datetime) -> CreditBank:
        """The group's bank, created if missing, locked until the transaction ends."""

    def balance(self, group_id: str, credit_type: str) -> int: ...

    def balances(self, group_id: str) -> dict[str, int]:
        """SUM(delta) per credit type of the group (only the types it ever had)."""

    def add_entry(self, entry: CreditEntry) -> None: ...

    def entries(self, group_id: str, *, limit: int = 200, offset: int = 0) -> Sequence[CreditEntry]:
        """Newest first."""

    def get_reservation(self, offer_id: str, credit_type: str, *, lock: bool = False) -> Reservation | None: ...

    def add_reservation(self, reservation: Reservation) -> None: ...

    def save_reservation(self, reservation: Reservation) -> None: ...


@dataclass(frozen=True)
class Quote:
    """A price set for one quoted product (envoi personnalisé) for one offer."""

    id: str
    group_id: str
    offer_id: str
    product_code: str
    persons: int
    amount_cents: int
    created_at: datetime
    actor_account_id: str
    checkout_id: str | None = None


class QuoteRepository(Protocol):
    def add(self, quote: Quote) -> None: ...

    def get(self, quote_id: str) -> Quote | None: ...

    def mark_bought(self, quote_id: str, checkout_id: str) -> None:
        """[checkout] The quote was paid by this checkout (it cannot be bought again)."""


class MembershipLookup(Protocol):
    """This service's projection of company-portal's memberships (plumbing.auth.memberships)."""

    def role_of(self, account_id: str, group_id: str) -> str | None: ...

    def groups_of(self, account_id: str) -> list[dict[str, str]]: ...


# [staff] -----------------------------------------------------------------------------------------
class CompanyRepository(Protocol):
    """Companies and groups as the membership projection names them, and their billing terms."""

    def terms(self, company_id: str) -> CompanyTerms | None: ...

    def invoice_payment_eligible(self, company_id: str) -> bool:
        """True when staff marked the company eligible for invoice payment (no row: False)."""

    def save_terms(self, terms: CompanyTerms) -> None: ...

    def search(self, query: str, *, limit: int = 50) -> list[CompanyRef]:
        """Companies whose name contains `query` (case-insensitive; all when empty), by name."""

    def get(self, company_id: str) -> CompanyRef | None: ...

    def groups(self, company_id: str) -> list[GroupRef]: ...

    def group(self, group_id: str) -> GroupRef | None: ...


class InvoiceCopyRepository(Protocol):
    """The Responsable principal.e's opt-in to a copy of every invoice of the group."""

    def subscribe(self, group_id: str, account_id: str, email: str, now: datetime) -> None: ...

    def unsubscribe(self, group_id: str, account_id: str) -> None: ...

    def is_subscribed(self, group_id: str, account_id: str) -> bool: ...

    def emails_for(self, group_id: str) -> list[str]:
        """Emails of the subscribed accounts that are still principal of the group (projection)."""


class InvoiceRecords(Protocol):
    """The history page's rows, over [checkout]'s invoices (its summaries carry no buyer)."""

    def history(self, group_id: str, *, limit: int = 20, offset: int = 0) -> list[InvoiceRow]:
        """Newest first."""


# [checkout] --------------------------------------------------------------------------------------
class CartRepository(Protocol):
    def get(self, group_id: str) -> Cart | None: ...

    def save(self, cart: Cart) -> None:
        """Write the cart whole (created if new)."""


class CheckoutRepository(Protocol):
    def get(self, checkout_id: str, *, lock: bool = False) -> Checkout | None:
        """`lock`: the row stays locked until the transaction ends (SELECT … FOR UPDATE)."""

    def by_intent(self, intent_reference: str) -> Checkout | None: ...

    def add(self, checkout: Checkout) -> None: ...

    def save(self, checkout: Checkout) -> None: ...


class BillingAddressRepository(Protocol):
    def for_company(self, company_id: str) -> list[BillingAddress]: ...

    def get(self, address_id: str) -> BillingAddress | None: ...

    def add(self, address: BillingAddress) -> None: ...


class PromoCodeRepository(Protocol):
    def get(self, code: str, *, lock: bool = False) -> PromoCode | None:
        """The code with its `uses` counted; None when nobody knows it."""

    def add(self, promo: PromoCode) -> None: ...

    def list(self) -> list[PromoCode]: ...

    def record_use(self, code: str, checkout_id: str, group_id: str, now: datetime) -> None: ...


class InvoiceRepository(Protocol):
    def next_number(self) -> str:
        """The next number of the series, its counter locked until the transaction ends (no gaps)."""

    def add(self, invoice: Invoice) -> None: ...

    def get(self, invoice_id: str) -> Invoice | None: ...

    def for_group(self, group_id: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Summaries (id, number, issued_at, status, due_on, totals as Decimal), newest first."""

    def count_for_group(self, group_id: str) -> int: ...

    def numbers(self, invoice_ids: Iterable[str]) -> dict[str, str]:
        """{invoice id: number} of those that exist."""


class PaymentEventRepository(Protocol):
    def add(self, processor: str, event_id: str, event_type: str, checkout_id: str | None, created: int,
            now: datetime) -> bool:
        """Record a processed webhook; False when it was already processed."""


class UnitOfWork(BaseUnitOfWork, Protocol):
    credits: CreditRepository
    quotes: QuoteRepository
    memberships: MembershipLookup
    # [staff]
    companies: CompanyRepository
    invoice_copies: InvoiceCopyRepository
    invoice_records: InvoiceRecords
    # [checkout]
    carts: CartRepository
    checkouts: CheckoutRepository
    addresses: BillingAddressRepository
    promo_codes: PromoCodeRepository
    invoices: InvoiceRepository
    payment_events: PaymentEventRepository


@dataclass(frozen=True)
class Dependencies:
    """Everything a handler may use besides its unit of work."""

    clock: Clock
    config: BillingConfig
    catalog: Catalog
    payments: PaymentProcessor
