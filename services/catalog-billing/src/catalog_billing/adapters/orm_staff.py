"""[staff] tables on the service's one `metadata`: companies' billing terms (invoice payment) and the
Responsable principal.e's opt-in to a copy of every invoice of the group (migration 0003)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, String, Table

from catalog_billing.adapters.orm import metadata
from plumbing.db import UtcDateTime

#: One row per company staff decided about; no row: not eligible (pays by card).
company_billing_terms = Table(
    "company_billing_terms",
    metadata,
    Column("company_id", String(36), primary_key=True),
    Column("invoice_payment_eligible", Boolean, nullable=False),
    Column("updated_by_account_id", String(36), nullable=False),
    Column("updated_by_email", String(320), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

#: Who asked for a copy of every invoice of a group (only principals may; `emails_for` re-checks
#: the role at send time, so a principal who lost the role stops receiving copies).
invoice_copy_subscriptions = Table(
    "invoice_copy_subscriptions",
    metadata,
    Column("group_id", String(36), primary_key=True),
    Column("account_id", String(36), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
