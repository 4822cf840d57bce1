"""company-portal's database: tables, and the imperative mapping of the domain classes onto them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import registry

from company_portal.domain.model import Account, AccountRequest, Company, Group, Membership, RequestDraft
from plumbing.db import UtcDateTime, keep_event_list_on_load, map_once
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.idempotency import idempotency_table

metadata = MetaData()

companies = Table(
    "companies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("neq", String(10), nullable=True, unique=True),
    Column("legal_name", String(300), nullable=False),
    Column("name_key", String(300), nullable=False, index=True),
    Column("address", String(200), nullable=False, default=""),
    Column("city", String(100), nullable=False, default=""),
    Column("province", String(100), nullable=False, default=""),
    Column("postal_code", String(20), nullable=False, default=""),
    Column("country", String(100), nullable=False, default="Canada"),
    Column("phone", String(20), nullable=False, default=""),
    Column("source", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

groups = Table(
    "groups",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("display_company_name", String(300), nullable=False, default=""),
    Column("address", String(300), nullable=False, default=""),
    Column("website", String(300), nullable=False, default=""),
    Column("phone", String(20), nullable=False, default=""),
    Column("description_html", Text, nullable=False, default=""),
    Column("logo_hash", String(64), nullable=True),
    Column("logo_format", String(8), nullable=True),
    Column("branding_version", Integer, nullable=False, server_default="1"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("company_id", "name", name="uq_groups_company_name"),
)

group_logos = Table(
    "group_logos",
    metadata,
    Column("group_id", String(36), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
    Column("image_format", String(8), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

memberships = Table(
    "memberships",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("group_id", String(36), ForeignKey("groups.id"), primary_key=True, index=True),
    Column("role", String(20), nullable=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, index=True),
    Column("first_name", String(100), nullable=False, default=""),
    Column("last_name", String(100), nullable=False, default=""),
    Column("phone", String(20), nullable=False, default=""),
    Column("extension", String(6), nullable=False, default=""),
    Column("function", String(100), nullable=False, default=""),
    Column("locale", String(2), nullable=False, default="fr"),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

account_requests = Table(
    "account_requests",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("status", String(12), nullable=False, index=True),
    Column("requester_account_id", String(36), nullable=False, index=True),
    Column("requester_email", String(254), nullable=False),
    Column("requester_first_name", String(100), nullable=False),
    Column("requester_last_name", String(100), nullable=False),
    Column("requester_phone", String(20), nullable=False),
    Column("requester_extension", String(6), nullable=False),
    Column("requester_function", String(100), nullable=False),
    Column("locale", String(2), nullable=False),
    Column("company_id", String(36), ForeignKey("companies.id"), nullable=True),
    Column("neq", String(10), nullable=True),
    Column("legal_name", String(300), nullable=False),
    Column("phone", String(20), nullable=False),
    Column("country", String(100), nullable=False),
    Column("address", String(200), nullable=False),
    Column("city", String(100), nullable=False),
    Column("province", String(100), nullable=False),
    Column("postal_code", String(20), nullable=False),
    Column("group_id", String(36), ForeignKey("groups.id"), nullable=True, index=True),
    Column("group_name", String(100), nullable=True),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("decided_by_account_id", String(36), nullable=True),
    Column("decided_by_email", String(254), nullable=True),
    Column("decided_by_kind", String(12), nullable=True),
    Column("decision_reason", Text, nullable=True),
    Column("granted_role", String(20), nullable=True),
    # One open request per account: the last word when two submissions race (migration 0002).
    Index("uq_account_requests_one_pending", "requester_account_id", unique=True,
          sqlite_where=text("status = 'en_attente'"), postgresql_where=text("status = 'en_attente'")),
)

request_drafts = Table(
    "request_drafts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("data", JSON, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=True),
)

idempotency_keys = idempotency_table(metadata)  # the staff API's Idempotency-Key (plumbing)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_id", String(36), nullable=False),
    Column("action", String(40), nullable=False),
    Column("group_id", String(36), nullable=True),
    Column("account_id", String(36), nullable=True),
    Column("detail", Text, nullable=False, default=""),
    Index("ix_audit_log_group_at", "group_id", "at"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    """Map the domain classes onto the tables (once per process; later calls do nothing)."""
    map_once("company-portal", _map)


def _map() -> None:
    aggregates = ((Company, companies), (Group, groups), (Membership, memberships),
                  (AccountRequest, account_requests))
    for cls, table in aggregates:
        mapper_registry.map_imperatively(cls, table)
    keep_event_list_on_load(*(cls for cls, _ in aggregates))
    mapper_registry.map_imperatively(Account, accounts)
    mapper_registry.map_imperatively(RequestDraft, request_drafts)
