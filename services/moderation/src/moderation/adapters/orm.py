"""The moderation database: the queue, the offers' queue, the journal, idempotency keys and the messaging
tables; imperative mapping keeps the domain classes plain Python (start_mappers() is called once, by bootstrap)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.orm import composite, registry, relationship
from sqlalchemy.types import TypeDecorator

from moderation.domain.model import CompanyData, JournalEntry, QueueItem, Requester
from moderation.domain.offers import OfferQueueItem
from plumbing.db import UtcDateTime, map_once
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.idempotency import idempotency_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
idempotency_keys = idempotency_table(metadata)  # staff forms: one key per rendered form


class CompanyJson(TypeDecorator[CompanyData]):
    """CompanyData stored as JSON text (the data staff approved; NULL when none)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: CompanyData | None, dialect: Any) -> str | None:
        if value is None:
            return None
        return json.dumps(value.as_form(), ensure_ascii=False, sort_keys=True)

    def process_result_value(self, value: str | None, dialect: Any) -> CompanyData | None:
        if value is None:
            return None
        raw = json.loads(value)
        return CompanyData(**{**raw, "neq": raw.get("neq") or None})


queue_items = Table(
    "queue_items",
    metadata,
    Column("request_id", String(36), primary_key=True),
    Column("kind", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("company_id", String(36), nullable=True),
    Column("group_name", String(200), nullable=True),
    Column("company_legal_name", String(300), nullable=False),
    Column("company_neq", String(10), nullable=True),
    Column("company_address", String(300), nullable=False),
    Column("company_city", String(120), nullable=False),
    Column("company_province", String(120), nullable=False),
    Column("company_postal_code", String(20), nullable=False),
    Column("company_country", String(100), nullable=False),
    Column("company_phone", String(40), nullable=False),
    Column("requester_account_id", String(36), nullable=False),
    Column("requester_email", String(254), nullable=False),
    Column("requester_first_name", String(120), nullable=False),
    Column("requester_last_name", String(120), nullable=False),
    Column("requester_phone", String(40), nullable=False),
    Column("requester_extension", String(20), nullable=True),
    Column("requester_function", String(200), nullable=False),
    Column("requester_locale", String(5), nullable=False),
    Column("decided_by_account_id", String(36), nullable=True),
    Column("decided_by_email", String(254), nullable=True),
    Column("decided_at", UtcDateTime(), nullable=True),
    Column("reason", Text, nullable=True),
    Column("approved_company", CompanyJson(), nullable=True),
    Column("closed_by", String(40), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_queue_items_status_submitted", "status", "submitted_at"),
)

journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(36), ForeignKey("queue_items.request_id"), nullable=True, index=True),
    Column("company_id", String(36), nullable=True, index=True),
    Column("action", String(40), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_account_id", String(36), nullable=True),
    Column("actor_email", String(254), nullable=True),
    Column("reason", Text, nullable=True),
    Column("details", Text, nullable=True),
)

#: The offers waiting for staff, projected from offers.offer.status_changed (domain/offers.py).
offer_queue = Table(
    "offer_queue",
    metadata,
    Column("offer_id", String(36), primary_key=True),
    Column("group_id", String(36), nullable=False),
    Column("profile", String(10), nullable=False),
    Column("title_fr", String(150), nullable=False),
    Column("status", String(20), nullable=False),
    Column("in_queue", Boolean, nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("last_event_at", UtcDateTime(), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("online", Boolean, nullable=False),
    Index("ix_offer_queue_waiting", "in_queue", "submitted_at"),
)

mapper_registry = registry()


def start_mappers() -> None:
    """Map the domain classes onto the tables (once per process; later calls do nothing)."""
    map_once("moderation", _map)


def _map() -> None:
    c = queue_items.c
    journal_mapper = mapper_registry.map_imperatively(JournalEntry, journal)
    mapper_registry.map_imperatively(OfferQueueItem, offer_queue)
    mapper_registry.map_imperatively(
        QueueItem,
        queue_items,
        version_id_col=c.version,
        properties={
            "company": composite(
                CompanyData, c.company_legal_name, c.company_neq, c.company_address, c.company_city,
                c.company_province, c.company_postal_code, c.company_country, c.company_phone,
            ),
            "requester": composite(
                Requester, c.requester_account_id, c.requester_email, c.requester_first_name,
                c.requester_last_name, c.requester_phone, c.requester_extension, c.requester_function,
                c.requester_locale,
            ),
            "journal": relationship(journal_mapper, order_by=journal.c.id, lazy="selectin"),
        },
    )
