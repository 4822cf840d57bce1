"""The HR systems' API keys (DESIGN.md, "API keys"; migration 0006) and the idempotency keys of the
staff API, on offers' one `metadata`."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from offers.adapters.orm import metadata
from plumbing.db import UtcDateTime
from plumbing.idempotency import idempotency_table

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(36), nullable=False),
    Column("name", String(80), nullable=False),
    Column("creator_id", String(36), nullable=False),
    Column("creator_email", String(320), nullable=False),
    #: SHA-256 of the secret, hex (plumbing.auth.api_keys): the key itself is never stored.
    Column("secret_hash", String(64), nullable=False),
    Column("display_prefix", String(20), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("revoked_by", String(36), nullable=True),
    Column("last_used_at", UtcDateTime(), nullable=True),
    Index("ix_api_keys_group_id", "group_id"),
)

idempotency_keys = idempotency_table(metadata)
