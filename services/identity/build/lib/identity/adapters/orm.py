"""identity's database: tables, and the imperative mapping of the domain classes onto them."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.orm import registry

from identity.domain.keys import SigningKey
from identity.domain.model import Account, OneTimeToken, RefreshToken
from plumbing.db import UtcDateTime, keep_event_list_on_load, map_once
from plumbing.events.tables import inbox_table, outbox_table

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("locale", String(2), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("verified_at", UtcDateTime(), nullable=True),
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("locked_until", UtcDateTime(), nullable=True),
    Column("password_changed_at", UtcDateTime(), nullable=True),
    Column("deactivated_at", UtcDateTime(), nullable=True),
)

one_time_tokens = Table(
    "one_time_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    Index("ix_one_time_tokens_account_purpose", "account_id", "purpose"),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("account_id", String(36), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    # The key generation: unique, so two workers creating the first key at once cannot both win.
    Column("generation", Integer, nullable=False, unique=True),
    Column("private_key_pem", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Signs from not_before (NULL: from its creation); published until not_after (NULL: no end yet).
    Column("not_before", UtcDateTime(), nullable=True),
    Column("not_after", UtcDateTime(), nullable=True),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    """Map the domain classes onto the tables (once per process; later calls do nothing)."""
    map_once("identity", _map)


def _map() -> None:
    mapper_registry.map_imperatively(Account, accounts)
    mapper_registry.map_imperatively(OneTimeToken, one_time_tokens)
    mapper_registry.map_imperatively(RefreshToken, refresh_tokens)
    mapper_registry.map_imperatively(SigningKey, signing_keys)
    keep_event_list_on_load(Account)
