"""The outbox and inbox tables, added to each service's own metadata (its own database)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, UniqueConstraint

from plumbing.db import UtcDateTime


def outbox_table(metadata: MetaData) -> Table:
    """Events written in the same transaction as the state change, published later by the relay."""
    return Table(
        "outbox",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("message_id", String(36), nullable=False, unique=True),
        Column("event_type", String(120), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True, index=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        # Set when the relay gave up on a row that can never be published (see relay.py).
        Column("parked_at", UtcDateTime(), nullable=True),
    )


def inbox_table(metadata: MetaData) -> Table:
    """Message ids already handled by a consumer, written with the handler's effect."""
    return Table(
        "inbox",
        metadata,
        Column("message_id", String(36), primary_key=True),
        Column("consumer", String(80), primary_key=True),
        Column("event_type", String(120), nullable=False),
        Column("handled_at", UtcDateTime(), nullable=False),
        UniqueConstraint("message_id", "consumer", name="uq_inbox_message_consumer"),
    )


def add_outbox_parked_column(op: Any) -> None:
    """Alembic upgrade step for outboxes created before `parked_at` existed (one per service).

    Idempotent: an outbox created from `outbox_table()` (which has the column) is left alone.
    """
    import sqlalchemy as sa

    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("outbox")}
    if "parked_at" in columns:
        return
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("parked_at", UtcDateTime(), nullable=True))


def drop_outbox_parked_column(op: Any) -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("parked_at")
