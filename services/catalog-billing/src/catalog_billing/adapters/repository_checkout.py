"""[checkout]'s repositories over SQLAlchemy Core: carts, checkouts, billing addresses, promo codes,
invoices (and their number series), processed payment webhooks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog_billing.adapters.orm_checkout import (
    billing_addresses,
    cart_lines,
    carts,
    checkouts,
    invoice_counters,
    invoice_lines,
    invoices,
    payment_events,
    promo_codes,
    promo_uses,
)
from catalog_billing.domain.cart import Cart, CartLine
from catalog_billing.domain.checkout import (
    Attempt,
    BillingAddress,
    Checkout,
    CheckoutLine,
    CheckoutStatus,
    Invoice,
    InvoiceStatus,
    PaymentMode,
    format_invoice_number,
)
from catalog_billing.domain.promo import PromoCode

INVOICE_SERIES = "invoice"


def cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def dollars(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


class _Locking:
    session: Session

    def _locking(self, statement: Any) -> Any:
        # PostgreSQL: a row lock until the transaction ends; SQLite serialises writers itself.
        return statement.with_for_update() if self.session.bind.dialect.name == "postgresql" else statement


class SqlCartRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, group_id: str) -> Cart | None:
        head = self.session.execute(select(carts).where(carts.c.group_id == group_id)).first()
        if head is None:
            return None
        rows = self.session.execute(
            select(cart_lines).where(cart_lines.c.group_id == group_id).order_by(cart_lines.c.position)).all()
        lines = [CartLine(r.id, r.product_code, r.quantity, r.added_at, r.quote_id,
                          dollars(r.quoted_price_cents) if r.quoted_price_cents is not None else None) for r in rows]
        return Cart(group_id, lines, head.updated_at)

    def save(self, cart: Cart) -> None:
        """Write the cart whole (its lines are few)."""
        now = cart.updated_at
        exists = self.session.execute(select(carts.c.group_id).where(carts.c.group_id == cart.group_id)).first()
        if exists is None:
            self.session.execute(insert(carts).values(group_id=cart.group_id, updated_at=now))
        else:
            self.session.execute(update(carts).where(carts.c.group_id == cart.group_id).values(updated_at=now))
        self.session.execute(delete(cart_lines).where(cart_lines.c.group_id == cart.group_id))
        for position, line in enumerate(cart.lines):
            self.session.execute(insert(cart_lines).values(
                id=line.id, group_id=cart.group_id, position=position, product_code=line.product_code,
                quantity=line.quantity, quote_id=line.quote_id, added_at=line.added_at,
                quoted_price_cents=cents(line.quoted_price) if line.quoted_price is not None else None))


def _address_from(data: dict[str, Any] | None) -> BillingAddress | None:
    if not data:
        return None
    return BillingAddress(data["id"], data["company_id"], data["group_id"], data["name"], data["street"],
                          data["city"], data["province"], data["postal_code"], data["country"],
                          datetime.fromisoformat(data["created_at"]))


def _address_json(address: BillingAddress | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {**address.as_dict(), "id": address.id, "company_id": address.company_id, "group_id": address.group_id,
            "created_at": address.created_at.isoformat()}


class SqlCheckoutRepository(_Locking):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, checkout_id: str, *, lock: bool = False) -> Checkout | None:
        statement = select(checkouts).where(checkouts.c.id == checkout_id)
        row = self.session.execute(self._locking(statement) if lock else statement).first()
        return self._from_row(row) if row is not None else None

    def by_intent(self, intent_reference: str) -> Checkout | None:
        row = self.session.execute(
            select(checkouts.c.id).where(checkouts.c.intent_reference == intent_reference)).first()
        return self.get(row.id) if row else None

    def add(self, checkout: Checkout) -> None:
        self.session.execute(insert(checkouts).values(id=checkout.id, **self._values(checkout)))

    def save(self, checkout: Checkout) -> None:
        self.session.execute(update(checkouts).where(checkouts.c.id == checkout.id).values(**self._values(checkout)))

    @staticmethod
    def _values(c: Checkout) -> dict[str, Any]:
        return {
            "group_id": c.group_id, "company_id": c.company_id, "buyer_account_id": c.buyer_account_id,
            "buyer_email": c.buyer_email, "locale": c.locale, "status": str(c.status),
            "idempotency_key": c.idempotency_key, "lines": [line.to_json() for line in c.lines],
            "promo_code": c.promo_code, "address": _address_json(c.address), "note": c.note,
            "purchase_order": c.purchase_order, "payment_mode": str(c.payment_mode),
            "method_reference": c.method_reference, "card_brand": c.card_brand, "card_last4": c.card_last4,
            "intent_reference": c.intent_reference, "authorization": c.authorization,
            "failure_code": c.failure_code, "attempts": [a.to_json() for a in c.attempts],
            "invoice_id": c.invoice_id, "created_at": c.created_at, "updated_at": c.updated_at, "paid_at": c.paid_at,
        }

    @staticmethod
    def _from_row(r: Any) -> Checkout:
        return Checkout(
            id=r.id, group_id=r.group_id, company_id=r.company_id, buyer_account_id=r.buyer_account_id,
            buyer_email=r.buyer_email, locale=r.locale, lines=[CheckoutLine.from_json(x) for x in r.lines],
            created_at=r.created_at, updated_at=r.updated_at, status=CheckoutStatus(r.status),
            idempotency_key=r.idempotency_key, promo_code=r.promo_code, address=_address_from(r.address),
            note=r.note, purchase_order=r.purchase_order, payment_mode=PaymentMode(r.payment_mode),
            method_reference=r.method_reference, card_brand=r.card_brand, card_last4=r.card_last4,
            intent_reference=r.intent_reference, authorization=r.authorization, failure_code=r.failure_code,
            attempts=[Attempt.from_json(a) for a in r.attempts], invoice_id=r.invoice_id, paid_at=r.paid_at)


class SqlBillingAddressRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_company(self, company_id: str) -> list[BillingAddress]:
        rows = self.session.execute(select(billing_addresses).where(billing_addresses.c.company_id == company_id)
                                    .order_by(billing_addresses.c.created_at, billing_addresses.c.id)).all()
        return [self._from_row(r) for r in rows]

    def get(self, address_id: str) -> BillingAddress | None:
        row = self.session.execute(select(billing_addresses).where(billing_addresses.c.id == address_id)).first()
        return self._from_row(row) if row else None

    def add(self, address: BillingAddress) -> None:
        self.session.execute(insert(billing_addresses).values(
            id=address.id, company_id=address.company_id, group_id=address.group_id,
            created_at=address.created_at, **address.as_dict()))

    @staticmethod
    def _from_row(r: Any) -> BillingAddress:
        return BillingAddress(r.id, r.company_id, r.group_id, r.name, r.street, r.city, r.province, r.postal_code,
                              r.country, r.created_at)


class SqlPromoCodeRepository(_Locking):
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str, *, lock: bool = False) -> PromoCode | None:
        statement = select(promo_codes).where(promo_codes.c.code == code)
        row = self.session.execute(self._locking(statement) if lock else statement).first()
        if row is None:
            return None
        uses = self.session.execute(select(func.count()).select_from(promo_uses)
                                    .where(promo_uses.c.code == code)).scalar_one()
        return PromoCode(code=row.code, kind=row.kind, value=dollars(row.value_hundredths), starts_on=row.starts_on,
                         ends_on=row.ends_on, max_uses=row.max_uses, uses=int(uses),
                         product_codes=frozenset(row.product_codes.split()))

    def add(self, promo: PromoCode) -> None:
        self.session.execute(insert(promo_codes).values(
            code=promo.code, kind=promo.kind, value_hundredths=cents(promo.value), starts_on=promo.starts_on,
            ends_on=promo.ends_on, max_uses=promo.max_uses, product_codes=" ".join(sorted(promo.product_codes))))

    def list(self) -> list[PromoCode]:
        codes = self.session.execute(select(promo_codes.c.code).order_by(promo_codes.c.code)).scalars().all()
        return [promo for promo in (self.get(code) for code in codes) if promo is not None]

    def record_use(self, code: str, checkout_id: str, group_id: str, now: datetime) -> None:
        self.session.execute(insert(promo_uses).values(checkout_id=checkout_id, code=code, group_id=group_id,
                                                       used_at=now))


class SqlInvoiceRepository(_Locking):
    def __init__(self, session: Session) -> None:
        self.session = session

    def next_number(self) -> str:
        """Take the next number: the counter row stays locked until this transaction ends, so two
        purchases never get the same number and a rolled-back one leaves no gap."""
        c = invoice_counters.c
        row = self.session.execute(self._locking(select(c.last_value).where(c.name == INVOICE_SERIES))).first()
        if row is None:  # migration 0002 creates the row; a database made by create_all may lack it
            try:
                with self.session.begin_nested():
                    self.session.execute(insert(invoice_counters).values(name=INVOICE_SERIES, last_value=0))
            except IntegrityError:
                pass
            row = self.session.execute(self._locking(select(c.last_value).where(c.name == INVOICE_SERIES))).first()
        value = int(row.last_value) + 1
        self.session.execute(update(invoice_counters).where(c.name == INVOICE_SERIES).values(last_value=value))
        return format_invoice_number(value)

    def add(self, invoice: Invoice) -> None:
        quote = invoice.quote()
        self.session.execute(insert(invoices).values(
            id=invoice.id, number=invoice.number, group_id=invoice.group_id, company_id=invoice.company_id,
            company_name=invoice.company_name, group_name=invoice.group_name, checkout_id=invoice.checkout_id,
            buyer_account_id=invoice.buyer_account_id, buyer_email=invoice.buyer_email, issued_at=invoice.issued_at,
            status=str(invoice.status), billing_address=list(invoice.billing_address),
            purchase_order=invoice.purchase_order, note=invoice.note, promo_code=invoice.promo_code,
            due_on=invoice.due_on, paid_at=invoice.paid_at, card_brand=invoice.card_brand,
            card_last4=invoice.card_last4, authorization=invoice.authorization, currency=invoice.currency,
            subtotal_cents=cents(quote.subtotal), discount_cents=cents(quote.discount), gst_cents=cents(quote.gst),
            qst_cents=cents(quote.qst), total_cents=cents(quote.total)))
        for position, (line, priced) in enumerate(zip(invoice.lines, quote.lines, strict=True)):
            self.session.execute(insert(invoice_lines).values(
                invoice_id=invoice.id, position=position, product_code=line.product_code,
                description=line.description, unit_price_cents=cents(line.unit_price), quantity=line.quantity,
                discount_cents=cents(line.discount), gst_cents=cents(priced.gst), qst_cents=cents(priced.qst),
                total_cents=cents(priced.total), credit_type=line.credit_type, credits=line.credits,
                quote_id=line.quote_id))

    def get(self, invoice_id: str) -> Invoice | None:
        row = self.session.execute(select(invoices).where(invoices.c.id == invoice_id)).first()
        if row is None:
            return None
        lines = self.session.execute(select(invoice_lines).where(invoice_lines.c.invoice_id == invoice_id)
                                     .order_by(invoice_lines.c.position)).all()
        return Invoice(
            id=row.id, number=row.number, group_id=row.group_id, company_id=row.company_id,
            company_name=row.company_name, group_name=row.group_name, checkout_id=row.checkout_id,
            buyer_account_id=row.buyer_account_id, buyer_email=row.buyer_email, issued_at=row.issued_at,
            status=InvoiceStatus(row.status),
            lines=tuple(CheckoutLine(x.product_code, x.description, dollars(x.unit_price_cents), x.quantity,
                                     dollars(x.discount_cents), x.credit_type, x.credits, x.quote_id) for x in lines),
            billing_address=tuple(row.billing_address), purchase_order=row.purchase_order, note=row.note,
            promo_code=row.promo_code, due_on=row.due_on, paid_at=row.paid_at, card_brand=row.card_brand,
            card_last4=row.card_last4, authorization=row.authorization, currency=row.currency)

    def for_group(self, group_id: str, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Newest first, as the history page and the API's InvoiceSummary list them."""
        rows = self.session.execute(select(invoices).where(invoices.c.group_id == group_id)
                                    .order_by(invoices.c.issued_at.desc(), invoices.c.number.desc())
                                    .limit(limit).offset(offset)).all()
        return [{"id": r.id, "number": r.number, "group_id": r.group_id, "issued_at": r.issued_at,
                 "status": r.status, "due_on": r.due_on, "currency": r.currency,
                 "subtotal": dollars(r.subtotal_cents), "discount": dollars(r.discount_cents),
                 "gst": dollars(r.gst_cents), "qst": dollars(r.qst_cents), "total": dollars(r.total_cents),
                 "card_brand": r.card_brand, "card_last4": r.card_last4, "purchase_order": r.purchase_order}
                for r in rows]

    def count_for_group(self, group_id: str) -> int:
        return int(self.session.execute(select(func.count()).select_from(invoices)
                                        .where(invoices.c.group_id == group_id)).scalar_one())

    def numbers(self, invoice_ids: Iterable[str]) -> dict[str, str]:
        ids = list(invoice_ids)
        if not ids:
            return {}
        rows = self.session.execute(select(invoices.c.id, invoices.c.number).where(invoices.c.id.in_(ids))).all()
        return {row.id: row.number for row in rows}


class SqlPaymentEventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, processor: str, event_id: str, event_type: str, checkout_id: str | None, created: int,
            now: datetime) -> bool:
        """Record a webhook as handled; False when it already was (a redelivery)."""
        try:
            with self.session.begin_nested():
                self.session.execute(insert(payment_events).values(
                    processor=processor, event_id=event_id, type=event_type, checkout_id=checkout_id,
                    created=created, received_at=now))
        except IntegrityError:
            return False
        return True
