"""The mailer's tables (its own database) and the imperative mapping of the domain's Email."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry

from mailer.domain.model import Email, EmailStatus
from plumbing.db import UtcDateTime, map_once
from plumbing.events.tables import inbox_table, outbox_table

metadata = MetaData()
mapper_registry = registry(metadata=metadata)

emails = Table(
    "emails",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dedup_key", String(200), nullable=False),
    Column("template", String(40), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text, nullable=False),
    Column("message_id", String(120), nullable=False),
    Column(
        "status",
        Enum(EmailStatus, native_enum=False, create_constraint=False, length=10,
             values_callable=lambda enum: [member.value for member in enum]),
        nullable=False,
    ),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("reply_to", String(254), nullable=True),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="ck_emails_status"),
    UniqueConstraint("dedup_key", name="uq_emails_dedup_key"),
    UniqueConstraint("message_id", name="uq_emails_message_id"),
    Index("ix_emails_due", "status", "next_attempt_at"),
)

#: Files attached to a pending email (an application's CV): deleted once it is sent or given up.
email_attachments = Table(
    "email_attachments",
    metadata,
    Column("email_id", String(36), ForeignKey("emails.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("filename", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

#: Who an account is, for the emails addressed by account id (offers' events name `created_by`):
#: learned from identity's events (registered, verification asked again, verified).
accounts = Table(
    "accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("locale", String(5), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def start_mappers() -> None:
    """Map Email onto its table once per process (bootstrap calls this; repeat calls are no-ops)."""
    map_once("mailer", lambda: mapper_registry.map_imperatively(Email, emails))
