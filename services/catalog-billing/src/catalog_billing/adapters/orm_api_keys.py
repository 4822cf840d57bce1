"""The projection of offers' API keys (offers.api_key.issued / revoked; migration 0004): which keys
catalog-billing accepts on its credit reservations, as their creator in their group only."""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from catalog_billing.adapters.orm import metadata
from plumbing.db import UtcDateTime

api_key_projection = Table(
    "api_key_projection",
    metadata,
    Column("key_id", String(36), primary_key=True),
    #: Empty until `issued` arrives, when `revoked` came first (events may arrive out of order).
    Column("group_id", String(36), nullable=False),
    Column("creator_id", String(36), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("issued_at", UtcDateTime(), nullable=True),
    Column("revoked_at", UtcDateTime(), nullable=True),
)
