"""Everything printed on a Québec invoice, in one plain value (InvoiceDocument) the page and the PDF share.

The invoice itself (its number, its storage, its status changes) is checkout's `Invoice`; this is
its printable view: seller with its tax numbers, buyer, lines and totals (a priced `Quote`), and
how it was paid. Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from catalog_billing.domain.formatting import format_date
from catalog_billing.domain.pricing import PricedLine, Quote

STATUSES = ("paid", "unpaid")


def _english(locale: str) -> bool:
    return (locale or "").lower().startswith("en")


@dataclass(frozen=True)
class Seller:
    name: str
    address: tuple[str, ...]
    gst_number: str
    qst_number: str
    email: str = ""
    website: str = ""


#: The Ordre's postal address as printed on its invoices (the tax numbers come from configuration).
OIQ_NAME = "Ordre des ingénieurs du Québec"
OIQ_ADDRESS = ("1801, avenue McGill College, bureau 800", "Montréal (Québec)  H3A 2N4", "Canada")


def oiq_seller(gst_number: str, qst_number: str, *, email: str = "", website: str = "ingemplois.ca") -> Seller:
    """The OIQ as the seller, with its GST and QST registration numbers (BillingConfig)."""
    return Seller(name=OIQ_NAME, address=OIQ_ADDRESS, gst_number=gst_number, qst_number=qst_number,
                  email=email, website=website)


PAYMENT_ON_INVOICE = ("Paiement sur facture", "Payment on invoice")


@dataclass(frozen=True)
class InvoiceDocument:
    number: str
    issued_at: datetime
    #: "paid" (card, at purchase) or "unpaid" (invoice payment: due by `due_on`).
    status: str
    seller: Seller
    company_name: str
    group_name: str
    #: The billing address as printed, one line each (name or attention, street, city…).
    billing_address: tuple[str, ...]
    quote: Quote
    purchase_order: str | None = None
    note: str | None = None
    due_on: date | None = None
    paid_at: datetime | None = None
    #: Card brand and last four digits when paid by card; both None for a payment on invoice.
    card_brand: str | None = None
    card_last4: str | None = None
    #: The promo code's label (`PRINTEMPS25 (−25 %)`) when a promo was used; else the code alone.
    promo_label: str | None = None
    currency: str = "CAD"
    buyer_name: str | None = None
    buyer_email: str | None = None
    #: Product names in each language, by product code (`{p.code: p.names for p in catalog}`), so
    #: the French and English invoices name each line in their language; else `line.description`.
    product_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"invoice status must be one of {STATUSES}")
        if not self.number:
            raise ValueError("an invoice has a number")

    # What the totals block prints ---------------------------------------------------------

    @property
    def lines(self) -> tuple[PricedLine, ...]:
        return self.quote.lines

    @property
    def subtotal(self) -> Decimal:
        return self.quote.subtotal

    @property
    def discount(self) -> Decimal:
        return self.quote.discount

    @property
    def net(self) -> Decimal:
        return self.quote.net

    @property
    def gst(self) -> Decimal:
        return self.quote.gst

    @property
    def qst(self) -> Decimal:
        return self.quote.qst

    @property
    def total(self) -> Decimal:
        return self.quote.total

    @property
    def promo_code(self) -> str | None:
        return self.quote.promo_code

    # Words that depend on the language ----------------------------------------------------

    def line_title(self, line: PricedLine, locale: str) -> str:
        """The product's name in this language (or the line's description when it is not known)."""
        names = self.product_names.get(line.product_code) or {}
        return names.get("en" if _english(locale) else "fr") or names.get("fr") or line.description \
            or line.product_code

    def line_detail(self, line: PricedLine) -> str | None:
        """The line's own description under its name (e.g. a quote's offer and audience), if it says more."""
        names = self.product_names.get(line.product_code) or {}
        if not names or not line.description or line.description in names.values():
            return None
        return line.description

    def payment_label(self, locale: str) -> str:
        """`Visa •••• 4242`, or `Paiement sur facture` / `Payment on invoice`."""
        if self.card_last4:
            return f"{self.card_brand or ('Card' if _english(locale) else 'Carte')} •••• {self.card_last4}"
        return PAYMENT_ON_INVOICE[1] if _english(locale) else PAYMENT_ON_INVOICE[0]

    def status_label(self, locale: str) -> str:
        """`Payée` / `Paid`, or `À payer avant le 15 janvier 2027` / `Due by January 15, 2027`."""
        if self.status == "paid":
            return "Paid" if _english(locale) else "Payée"
        if self.due_on is None:
            return "Unpaid" if _english(locale) else "À payer"
        when = format_date(self.due_on, locale)
        return f"Due by {when}" if _english(locale) else f"À payer avant le {when}"
