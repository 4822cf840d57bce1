"""The catalog-billing database: one `metadata` for every table of the service.

[core] tables here: plumbing's messaging and idempotency tables, the membership projection
(permission checks), the credit ledger (`credit_banks`, `credit_entries`, `credit_reservations`)
and `quotes`. Other parts put theirs on the same `metadata` (`adapters/orm_checkout.py`, …).
Repositories use SQLAlchemy Core on these tables; domain classes stay plain Python.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, UniqueConstraint

from plumbing.auth.memberships import membership_table
from plumbing.db import UtcDateTime
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.idempotency import idempotency_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)
memberships = membership_table(metadata)

#: One row per group that ever held a credit: the row every ledger writer locks before it sums.
credit_banks = Table(
    "credit_banks",
    metadata,
    Column("group_id", String(36), primary_key=True),
    Column("company_id", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

#: The ledger: one row per movement; a balance is SUM(delta) per (group_id, credit_type).
credit_entries = Table(
    "credit_entries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(36), ForeignKey("credit_banks.group_id"), nullable=False),
    Column("credit_type", String(20), nullable=False),
    Column("delta", Integer, nullable=False),
    Column("reason", String(20), nullable=False),
    Column("offer_id", String(36), nullable=True),
    Column("invoice_id", String(36), nullable=True),
    Column("counterpart_group_id", String(36), nullable=True),
    Column("actor_account_id", String(36), nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_credit_entries_group_type", "group_id", "credit_type"),
    Index("ix_credit_entries_group_created", "group_id", "created_at"),
)

#: A credit held for an offer, unique on (offer_id, credit_type): reserved, consumed or released.
credit_reservations = Table(
    "credit_reservations",
    metadata,
    Column("offer_id", String(36), nullable=False),
    Column("credit_type", String(20), nullable=False),
    Column("group_id", String(36), ForeignKey("credit_banks.group_id"), nullable=False),
    Column("status", String(20), nullable=False),
    Column("reserved_at", UtcDateTime(), nullable=False),
    Column("consumed_at", UtcDateTime(), nullable=True),
    Column("released_at", UtcDateTime(), nullable=True),
    Column("actor_account_id", String(36), nullable=True),
    UniqueConstraint("offer_id", "credit_type", name="uq_credit_reservations_offer_type"),
    Index("ix_credit_reservations_group", "group_id"),
)

#: A price set for a quoted product (envoi personnalisé) for one offer; the cart line carries its id.
quotes = Table(
    "quotes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(36), nullable=False),
    Column("offer_id", String(36), nullable=False),
    Column("product_code", String(40), nullable=False),
    Column("persons", Integer, nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("actor_account_id", String(36), nullable=False),
    #: The checkout that paid it ([checkout] sets it), so a quote is bought once.
    Column("checkout_id", String(36), nullable=True),
    Index("ix_quotes_group", "group_id"),
)


def start_mappers() -> None:
    """Imperative mappings of the service (bootstrap calls it once). [core] maps nothing: its
    repositories use Core. Parts that map domain classes call their `map_once` from here."""


# The other parts' tables join this metadata when their module is imported (migrations, bootstrap).
from catalog_billing.adapters import orm_api_keys, orm_checkout  # noqa: E402, F401
