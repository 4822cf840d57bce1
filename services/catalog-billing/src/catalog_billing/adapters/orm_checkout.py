"""[checkout]'s tables, on [core]'s `metadata`: carts, checkouts, billing addresses, promo codes and
their uses, invoices with their lines and the number counter, and processed payment webhooks.

Money is integer cents. A checkout keeps its snapshot (priced lines, address, attempts) as JSON:
it is read and written whole, never queried inside. Invoices keep their lines as rows (history,
PDF, staff pages read them) and their totals as columns.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from catalog_billing.adapters.orm import metadata
from plumbing.db import UtcDateTime

#: One open cart per group, shared by its buyers.
carts = Table(
    "carts",
    metadata,
    Column("group_id", String(36), primary_key=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(36), ForeignKey("carts.group_id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("product_code", String(40), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("quote_id", String(36), nullable=True),
    Column("quoted_price_cents", Integer, nullable=True),
    Column("added_at", UtcDateTime(), nullable=False),
    Index("ix_cart_lines_group", "group_id"),
)

#: Addresses a company's groups bill to; each group sees its company's.
billing_addresses = Table(
    "billing_addresses",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), nullable=False),
    Column("group_id", String(36), nullable=False),
    Column("name", String(200), nullable=False),
    Column("street", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("province", String(2), nullable=False),
    Column("postal_code", String(7), nullable=False),
    Column("country", String(60), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_billing_addresses_company", "company_id"),
)

checkouts = Table(
    "checkouts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(36), nullable=False),
    Column("company_id", String(36), nullable=False),
    Column("buyer_account_id", String(36), nullable=False),
    Column("buyer_email", String(320), nullable=False),
    Column("locale", String(5), nullable=False),
    Column("status", String(20), nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("lines", JSON, nullable=False),
    Column("promo_code", String(40), nullable=True),
    Column("address", JSON, nullable=True),
    Column("note", String(500), nullable=False),
    Column("purchase_order", String(50), nullable=False),
    Column("payment_mode", String(10), nullable=False),
    Column("method_reference", String(100), nullable=True),
    Column("card_brand", String(30), nullable=True),
    Column("card_last4", String(4), nullable=True),
    Column("intent_reference", String(100), nullable=True),
    Column("authorization", String(100), nullable=True),
    Column("failure_code", String(60), nullable=True),
    Column("attempts", JSON, nullable=False),
    Column("invoice_id", String(36), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("paid_at", UtcDateTime(), nullable=True),
    Index("ix_checkouts_group", "group_id"),
    Index("ix_checkouts_intent", "intent_reference"),
)

promo_codes = Table(
    "promo_codes",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("kind", String(10), nullable=False),
    #: Percent: 10 % is 1000; amount: cents.
    Column("value_hundredths", Integer, nullable=False),
    Column("starts_on", Date(), nullable=True),
    Column("ends_on", Date(), nullable=True),
    Column("max_uses", Integer, nullable=True),
    #: Space-separated product codes; empty: every product.
    Column("product_codes", Text, nullable=False),
)

#: One row per paid checkout that used a code: the count of uses is the count of rows.
promo_uses = Table(
    "promo_uses",
    metadata,
    Column("checkout_id", String(36), primary_key=True),
    Column("code", String(40), ForeignKey("promo_codes.code"), nullable=False),
    Column("group_id", String(36), nullable=False),
    Column("used_at", UtcDateTime(), nullable=False),
    Index("ix_promo_uses_code", "code"),
)

invoices = Table(
    "invoices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("number", String(20), nullable=False, unique=True),
    Column("group_id", String(36), nullable=False),
    Column("company_id", String(36), nullable=False),
    Column("company_name", String(300), nullable=False),
    Column("group_name", String(200), nullable=False),
    Column("checkout_id", String(36), nullable=False, unique=True),
    Column("buyer_account_id", String(36), nullable=False),
    Column("buyer_email", String(320), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("status", String(10), nullable=False),
    Column("billing_address", JSON, nullable=False),
    Column("purchase_order", String(50), nullable=False),
    Column("note", String(500), nullable=False),
    Column("promo_code", String(40), nullable=True),
    Column("due_on", Date(), nullable=True),
    Column("paid_at", UtcDateTime(), nullable=True),
    Column("card_brand", String(30), nullable=True),
    Column("card_last4", String(4), nullable=True),
    Column("authorization", String(100), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("subtotal_cents", Integer, nullable=False),
    Column("discount_cents", Integer, nullable=False),
    Column("gst_cents", Integer, nullable=False),
    Column("qst_cents", Integer, nullable=False),
    Column("total_cents", Integer, nullable=False),
    Index("ix_invoices_group_issued", "group_id", "issued_at"),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("invoice_id", String(36), ForeignKey("invoices.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("product_code", String(40), nullable=False),
    Column("description", String(300), nullable=False),
    Column("unit_price_cents", Integer, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("discount_cents", Integer, nullable=False),
    Column("gst_cents", Integer, nullable=False),
    Column("qst_cents", Integer, nullable=False),
    Column("total_cents", Integer, nullable=False),
    Column("credit_type", String(40), nullable=False),
    Column("credits", Integer, nullable=False),
    Column("quote_id", String(36), nullable=True),
)

#: The invoice number series: its row is locked while a number is taken (no gaps, no duplicates).
invoice_counters = Table(
    "invoice_counters",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("last_value", Integer, nullable=False),
)

#: Processor webhooks already handled (a redelivery changes nothing).
payment_events = Table(
    "payment_events",
    metadata,
    Column("processor", String(20), primary_key=True),
    Column("event_id", String(100), primary_key=True),
    Column("type", String(40), nullable=False),
    Column("checkout_id", String(36), nullable=True),
    Column("created", Integer, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)
