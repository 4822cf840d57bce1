"""The offers database: company brandings (a projection of company-portal's events), the membership
projection (plumbing.auth.memberships, for permission checks), the messaging tables, and the offers
themselves (issue 9): `offers` (one row per offer, content and configuration as JSON),
`offer_history` (its OfferEvents) and `offer_notices` (what the scheduler sent, once per offer,
kind and date). Brandings are mapped imperatively; offers are read and written by
`repository.SqlOfferRepository` with Core statements (the optimistic version check is one UPDATE)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.orm import registry

from offers.domain.model import CompanyBranding
from plumbing.auth.memberships import membership_table
from plumbing.db import UtcDateTime, map_once
from plumbing.events.tables import inbox_table, outbox_table

metadata = MetaData()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
memberships = membership_table(metadata)

company_brandings = Table(
    "company_brandings",
    metadata,
    Column("group_id", String(36), primary_key=True),
    Column("company_id", String(36), nullable=False),
    Column("group_name", String(100), nullable=False),
    Column("company_name", String(300), nullable=False),
    Column("logo_url", String(500), nullable=True),
    Column("changed_at", UtcDateTime(), nullable=False),
    # « À propos de l'entreprise » and the website (issue 11, migration 0008_offer_page).
    Column("description_html", Text(), nullable=False, server_default=""),
    Column("website", String(300), nullable=False, server_default=""),
    #: company-portal's branding counter (None: only events written before it existed were seen).
    Column("version", Integer, nullable=True),
)

offers = Table(
    "offers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(36), nullable=False),
    Column("profile", String(3), nullable=False),
    Column("status", String(20), nullable=False),
    Column("created_by", String(36), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    #: Copied from the content for lists and events.
    Column("title_fr", String(150), nullable=False),
    Column("content", JSON(), nullable=False),
    Column("config", JSON(), nullable=False),
    Column("hints", JSON(), nullable=False),
    Column("live_content", JSON(), nullable=True),
    Column("published_at", UtcDateTime(), nullable=True),
    Column("publication_ends_at", UtcDateTime(), nullable=True),
    Column("featured_until", UtcDateTime(), nullable=True),
    Column("ever_published", Boolean(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("submitted_at", UtcDateTime(), nullable=True),
    Column("submitted_by", String(36), nullable=True),
    Column("credit_types_reserved", JSON(), nullable=False),
    Index("ix_offers_group_status", "group_id", "status"),
    Index("ix_offers_status_published_at", "status", "published_at"),
    Index("ix_offers_status_ends_at", "status", "publication_ends_at"),
)

offer_history = Table(
    "offer_history",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("offer_id", String(36), ForeignKey("offers.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor_id", String(36), nullable=False),
    Column("actor_kind", String(10), nullable=False),
    Column("action", String(40), nullable=False),
    Column("from_status", String(20), nullable=True),
    Column("to_status", String(20), nullable=False),
    Column("reason", Text(), nullable=True),
    Index("ix_offer_history_offer_seq", "offer_id", "seq", unique=True),
)

offer_notices = Table(
    "offer_notices",
    metadata,
    Column("offer_id", String(36), ForeignKey("offers.id"), primary_key=True),
    #: expiring_soon | featuring_ended
    Column("kind", String(30), primary_key=True),
    #: The date the notice is about (the publication's or the featuring's end, ISO instant).
    Column("key", String(40), primary_key=True),
    Column("sent_at", UtcDateTime(), nullable=False),
)

mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    map_once("offers", lambda: mapper_registry.map_imperatively(CompanyBranding, company_brandings))

# The other parts' tables join this metadata when their module is imported (migrations, bootstrap).
from offers.adapters import orm_api_keys, orm_clicks, orm_search  # noqa: E402, F401
