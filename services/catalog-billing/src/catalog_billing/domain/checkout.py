"""Checkout: a snapshot of a group's cart being paid, its billing address, and the invoice it issues.

Status machine (DESIGN.md, "Checkout and payment"):

    open ──charge──► paid                       (card accepted: invoice, credits)
      │  ├─────────► awaiting_action ──return──► paid | open   (3-D Secure step at the processor)
      │  ├─────────► processing ──retry/webhook─► paid | open (timeout: outcome unknown)
      │  └─declined/failed─► open               (attempt recorded; another card may be tried)
      └──invoice payment──► paid                (invoice issued unpaid, with its due date)

A checkout is finalized once (`finalize_paid_checkout` checks the status under a row lock); a
paid checkout never changes again. Amounts are Decimal here and cents in the database.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from catalog_billing.domain.errors import BillingError, Conflict, InvalidInput
from catalog_billing.domain.invoice import InvoiceDocument, Seller
from catalog_billing.domain.pricing import PricedLine, Quote

NOTE_MAX = 500
PURCHASE_ORDER_MAX = 50
NAME_MAX, STREET_MAX, CITY_MAX = 200, 200, 100
PROVINCES = ("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")
COUNTRY = "Canada"
#: A1A 1A1 (no D, F, I, O, Q, U; no W or Z first), with or without the space.
POSTAL_CODE = re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$")


class CheckoutStatus(StrEnum):
    OPEN = "open"
    AWAITING_ACTION = "awaiting_action"
    PROCESSING = "processing"
    PAID = "paid"


class PaymentMode(StrEnum):
    CARD = "card"
    INVOICE = "invoice"


# Billing addresses ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BillingAddress:
    id: str
    company_id: str
    #: The group that added it (the address is offered to every group of the company).
    group_id: str
    name: str
    street: str
    city: str
    province: str
    postal_code: str
    country: str
    created_at: datetime

    def lines(self) -> tuple[str, ...]:
        """As printed on an invoice."""
        return (self.name, self.street, f"{self.city} ({self.province})  {self.postal_code}", self.country)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "street": self.street, "city": self.city, "province": self.province,
                "postal_code": self.postal_code, "country": self.country}


def normalize_postal_code(text: str) -> str:
    compact = "".join((text or "").split()).upper()
    return f"{compact[:3]} {compact[3:]}" if len(compact) == 6 else compact


def new_billing_address(*, address_id: str, company_id: str, group_id: str, name: str, street: str, city: str,
                        province: str, postal_code: str, country: str, now: datetime) -> BillingAddress:
    """Check every field (all the errors at once, each next to its field) and build the address."""
    values = {"name": (name or "").strip(), "street": (street or "").strip(), "city": (city or "").strip(),
              "province": (province or "").strip().upper(), "postal_code": normalize_postal_code(postal_code),
              "country": (country or COUNTRY).strip() or COUNTRY}
    problems: dict[str, tuple[str, str]] = {}
    for key, limit, fr, en in (("name", NAME_MAX, "le nom", "the name"),
                               ("street", STREET_MAX, "l'adresse", "the street"),
                               ("city", CITY_MAX, "la ville", "the city")):
        if not values[key]:
            problems[key] = (f"Indiquez {fr}.", f"Enter {en}.")
        elif len(values[key]) > limit:
            problems[key] = (f"{limit} caractères au plus.", f"{limit} characters at most.")
    if values["province"] not in PROVINCES:
        problems["province"] = ("Choisissez une province ou un territoire.", "Choose a province or territory.")
    if not POSTAL_CODE.match(values["postal_code"]):
        problems["postal_code"] = ("Le code postal doit avoir la forme A1A 1A1.",
                                   "The postal code must look like A1A 1A1.")
    if values["country"] != COUNTRY:
        problems["country"] = ("La facturation se fait au Canada seulement.", "Billing is in Canada only.")
    if problems:
        raise InvalidAddress(problems)
    return BillingAddress(address_id, company_id, group_id, values["name"], values["street"], values["city"],
                          values["province"], values["postal_code"], values["country"], now)


class InvalidAddress(InvalidInput):
    """Several fields of a new address are wrong: `problems` = {field: (French, English)}."""

    def __init__(self, problems: dict[str, tuple[str, str]]) -> None:
        first = next(iter(problems.items()))
        super().__init__("invalid_address", first[1][0], first[1][1], field=first[0])
        self.problems = problems

    def by_field(self, locale: str) -> dict[str, str]:
        return {key: (en if locale == "en" else fr) for key, (fr, en) in self.problems.items()}


# Checkout ------------------------------------------------------------------------------------
#: Processors name brands in lower case (`visa`); invoices and pages print them as cards do.
BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "American Express", "discover": "Discover",
          "diners": "Diners Club", "jcb": "JCB", "unionpay": "UnionPay", "interac": "Interac"}


def brand_name(brand: str) -> str:
    return BRANDS.get((brand or "").lower(), (brand or "").strip().title() or "Carte")


@dataclass(frozen=True)
class CheckoutLine:
    """One line of the snapshot: what is printed (price, discount, taxes) and what is granted."""

    product_code: str
    description: str
    unit_price: Decimal
    quantity: int
    discount: Decimal
    #: What the purchase puts in the bank (`ing`, `cpi`, `vedette`…) and how many per unit.
    credit_type: str
    credits: int
    quote_id: str | None = None

    def priced(self) -> PricedLine:
        return PricedLine.build(self.product_code, self.description, self.unit_price, self.quantity, self.discount)

    def to_json(self) -> dict[str, Any]:
        return {"product_code": self.product_code, "description": self.description,
                "unit_price": str(self.unit_price), "quantity": self.quantity, "discount": str(self.discount),
                "credit_type": self.credit_type, "credits": self.credits, "quote_id": self.quote_id}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckoutLine:
        return cls(data["product_code"], data["description"], Decimal(data["unit_price"]), int(data["quantity"]),
                   Decimal(data["discount"]), data["credit_type"], int(data["credits"]), data.get("quote_id"))


@dataclass
class Attempt:
    """One try to pay (kept, failed ones included: support reads them)."""

    at: datetime
    status: str
    code: str | None = None
    intent_reference: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "status": self.status, "code": self.code,
                "intent_reference": self.intent_reference}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attempt:
        return cls(datetime.fromisoformat(data["at"]), data["status"], data.get("code"), data.get("intent_reference"))


@dataclass
class Checkout:
    id: str
    group_id: str
    company_id: str
    buyer_account_id: str
    buyer_email: str
    locale: str
    lines: list[CheckoutLine]
    created_at: datetime
    updated_at: datetime
    status: CheckoutStatus = CheckoutStatus.OPEN
    #: The processor's idempotency key for the current payment attempt (renewed with a new card
    #: after a decline: the processor answers the same key with the same decline).
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    promo_code: str | None = None
    address: BillingAddress | None = None
    note: str = ""
    purchase_order: str = ""
    payment_mode: PaymentMode = PaymentMode.CARD
    method_reference: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    intent_reference: str | None = None
    authorization: str | None = None
    failure_code: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    invoice_id: str | None = None
    paid_at: datetime | None = None

    # What it costs --------------------------------------------------------------------------
    def quote(self) -> Quote:
        return Quote(lines=tuple(line.priced() for line in self.lines), promo_code=self.promo_code)

    @property
    def total_cents(self) -> int:
        return self.quote().total_cents

    @property
    def is_paid(self) -> bool:
        return self.status == CheckoutStatus.PAID

    # Changes before payment -----------------------------------------------------------------
    def ensure_changeable(self) -> None:
        if self.status != CheckoutStatus.OPEN:
            raise checkout_not_open(self.status)

    def set_details(self, *, note: str, purchase_order: str, now: datetime) -> None:
        note, purchase_order = (note or "").strip(), (purchase_order or "").strip()
        if len(note) > NOTE_MAX:
            raise InvalidInput("note_too_long", f"La note compte {NOTE_MAX} caractères au plus.",
                               f"The note has {NOTE_MAX} characters at most.", field="note")
        if len(purchase_order) > PURCHASE_ORDER_MAX:
            raise InvalidInput("purchase_order_too_long",
                               f"Le numéro de bon de commande compte {PURCHASE_ORDER_MAX} caractères au plus.",
                               f"The purchase order number has {PURCHASE_ORDER_MAX} characters at most.",
                               field="purchase_order")
        self.note, self.purchase_order, self.updated_at = note, purchase_order, now

    def attach_method(self, reference: str, brand: str, last4: str, now: datetime) -> None:
        """A card from the processor's form. After a failed attempt, a new idempotency key: the new
        card is a new payment (the old key would replay the old answer)."""
        self.ensure_changeable()
        if self.attempts and self.attempts[-1].status in ("declined", "failed"):
            self.idempotency_key = str(uuid.uuid4())
        self.method_reference, self.card_brand, self.card_last4 = reference, brand_name(brand), last4
        self.payment_mode, self.updated_at = PaymentMode.CARD, now

    # Payment outcomes -----------------------------------------------------------------------
    def record_attempt(self, status: str, now: datetime, *, code: str | None = None,
                       intent_reference: str | None = None) -> None:
        self.attempts = [*self.attempts, Attempt(now, status, code, intent_reference)]
        if intent_reference:
            self.intent_reference = intent_reference
        self.updated_at = now

    def start_payment(self, now: datetime) -> None:
        """Before the charge: `processing` (a timeout leaves it so; a retry uses the same key)."""
        if self.status == CheckoutStatus.PAID:
            raise already_paid()
        self.status, self.updated_at = CheckoutStatus.PROCESSING, now

    def payment_refused(self, status: str, code: str | None, now: datetime,
                        intent_reference: str | None = None) -> None:
        """Declined or failed: back to open for another card; nothing else changes."""
        if self.status == CheckoutStatus.PAID:
            return
        self.record_attempt(status, now, code=code, intent_reference=intent_reference)
        self.status, self.failure_code = CheckoutStatus.OPEN, code or status

    def awaiting_action(self, intent_reference: str | None, now: datetime) -> None:
        if self.status == CheckoutStatus.PAID:
            return
        self.record_attempt("requires_action", now, intent_reference=intent_reference)
        self.status = CheckoutStatus.AWAITING_ACTION

    def mark_paid(self, *, invoice_id: str, authorization: str | None, intent_reference: str | None,
                  now: datetime) -> None:
        if self.status == CheckoutStatus.PAID:
            raise already_paid()
        self.record_attempt("succeeded", now, intent_reference=intent_reference)
        self.status, self.invoice_id, self.paid_at = CheckoutStatus.PAID, invoice_id, now
        self.authorization, self.failure_code = authorization, None


# Invoices ------------------------------------------------------------------------------------
class InvoiceStatus(StrEnum):
    PAID = "paid"
    UNPAID = "unpaid"


@dataclass(frozen=True)
class Invoice:
    """An issued invoice: its number, the checkout's snapshot, the address and how it was paid.
    What is printed comes from here ([pricing]'s InvoiceDocument is built from it)."""

    id: str
    number: str
    group_id: str
    company_id: str
    company_name: str
    group_name: str
    checkout_id: str
    buyer_account_id: str
    buyer_email: str
    issued_at: datetime
    status: InvoiceStatus
    lines: tuple[CheckoutLine, ...]
    billing_address: tuple[str, ...]
    purchase_order: str = ""
    note: str = ""
    promo_code: str | None = None
    due_on: date | None = None
    paid_at: datetime | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    authorization: str | None = None
    currency: str = "CAD"

    def quote(self) -> Quote:
        return Quote(lines=tuple(line.priced() for line in self.lines), promo_code=self.promo_code)

    def document(self, seller: Seller) -> InvoiceDocument:
        """What is printed (page and PDF): [pricing]'s InvoiceDocument."""
        return InvoiceDocument(
            number=self.number, issued_at=self.issued_at, status=str(self.status), seller=seller,
            company_name=self.company_name, group_name=self.group_name, billing_address=self.billing_address,
            quote=self.quote(), purchase_order=self.purchase_order or None, note=self.note or None,
            due_on=self.due_on, paid_at=self.paid_at, card_brand=self.card_brand, card_last4=self.card_last4,
            promo_label=self.promo_code, currency=self.currency, buyer_email=self.buyer_email)


def format_invoice_number(sequence: int) -> str:
    """`ING-000042`: one series, no gaps (the counter row is locked while a number is taken)."""
    return f"ING-{sequence:06d}"


# Errors ----------------------------------------------------------------------------------------
def checkout_not_found() -> BillingError:
    from catalog_billing.domain.errors import NotFound

    return NotFound("checkout_not_found", "Cette commande est introuvable.", "This order cannot be found.")


def checkout_not_open(status: str) -> Conflict:
    return Conflict("checkout_not_open",
                    "Le paiement de cette commande est déjà en cours ou terminé : elle ne peut plus être modifiée.",
                    "This order's payment is already under way or done: it can no longer be changed.")


def already_paid() -> Conflict:
    return Conflict("already_paid", "Cette commande est déjà payée.", "This order is already paid.")


def terms_not_accepted(field_name: str) -> InvalidInput:
    return InvalidInput("terms_not_accepted", "Vous devez accepter ces conditions pour compléter l'achat.",
                        "You must accept these terms to complete the purchase.", field=field_name)


def no_card() -> InvalidInput:
    return InvalidInput("no_payment_method", "Entrez une carte de crédit avant de compléter l'achat.",
                        "Enter a credit card before completing the purchase.", field="payment")


def no_address() -> InvalidInput:
    return InvalidInput("no_address", "Choisissez ou ajoutez une adresse de facturation.",
                        "Choose or add a billing address.", field="address_id")


def invoice_payment_not_allowed() -> InvalidInput:
    return InvalidInput("invoice_payment_not_allowed",
                        "Le paiement sur facture n'est pas offert à votre entreprise : payez par carte.",
                        "Payment on invoice is not offered to your company: pay by card.", field="payment_mode")


def stale_form() -> Conflict:
    return Conflict("stale_form", "Cette page n'était plus à jour : vérifiez la commande et confirmez de nouveau.",
                    "This page was out of date: check the order and confirm again.")


def unknown_card() -> InvalidInput:
    return InvalidInput("unknown_payment_method",
                        "Le processeur de paiement ne reconnaît pas cette carte : entrez-la de nouveau.",
                        "The payment processor does not recognise this card: enter it again.", field="payment")


#: Why a payment did not go through, as the buyer reads it.
DECLINE_MESSAGES: dict[str, tuple[str, str]] = {
    "declined": ("Votre carte a été refusée. Aucun montant n'a été prélevé : essayez une autre carte.",
                 "Your card was declined. Nothing was charged: try another card."),
    "insufficient_funds": ("Votre carte a été refusée (fonds insuffisants). Aucun montant n'a été prélevé : "
                           "essayez une autre carte.",
                           "Your card was declined (insufficient funds). Nothing was charged: try another card."),
    "expired_card": ("Votre carte est expirée. Aucun montant n'a été prélevé : essayez une autre carte.",
                     "Your card has expired. Nothing was charged: try another card."),
    "failed": ("Le processeur de paiement n'a pas pu traiter le paiement. Aucun montant n'a été prélevé : "
               "réessayez dans un instant ou essayez une autre carte.",
               "The payment processor could not process the payment. Nothing was charged: try again in a "
               "moment or try another card."),
    "authentication_failed": ("La vérification de votre banque n'a pas réussi. Aucun montant n'a été prélevé : "
                              "réessayez ou essayez une autre carte.",
                              "Your bank's verification did not succeed. Nothing was charged: try again or try "
                              "another card."),
    "processing": ("Le processeur de paiement ne répond pas pour l'instant. Votre commande est en traitement : "
                   "réessayez dans un instant, vous ne serez facturé qu'une fois.",
                   "The payment processor is not answering right now. Your order is being processed: try again "
                   "in a moment, you will be charged only once."),
}


def decline_message(code: str | None, locale: str) -> str:
    fr, en = DECLINE_MESSAGES.get(code or "declined", DECLINE_MESSAGES["declined"])
    return en if locale == "en" else fr
