"""The public search index (issue 11, migration 0007): `offer_search`, one row per offer that has
live content and may be online (the hit's columns, the dates of the online predicate, the plain
text the PostgreSQL `document` is computed from), and `offer_search_values`, one row per facet
value of an offer (domains and regions are multi-valued) for the facet counts' GROUP BY.

On SQLite the text lives in the FTS5 table `offer_search_fts(offer_id UNINDEXED, title, company,
body)`, which a table's metadata cannot declare: the DDL below follows `offer_search`'s creation
(create_all in tests) and migration 0007 issues the same statement.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, ForeignKey, Index, String, Table, Text, event, text
from sqlalchemy.dialects.postgresql import TSVECTOR

from offers.adapters.orm import metadata
from plumbing.db import UtcDateTime

FTS_TABLE = "offer_search_fts"
#: The SQLite full-text table (its terms come from `offers.domain.search.french_document`).
CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
    "USING fts5(offer_id UNINDEXED, title, company, body, tokenize = 'unicode61')"
)

offer_search = Table(
    "offer_search",
    metadata,
    Column("offer_id", String(36), ForeignKey("offers.id"), primary_key=True),
    Column("group_id", String(36), nullable=False),
    Column("company_id", String(36), nullable=False),
    Column("company_name", String(300), nullable=False),
    Column("logo_url", String(500), nullable=True),
    Column("title_fr", String(150), nullable=False),
    Column("title_en", String(150), nullable=False),
    #: The descriptions as plain text (the document is rebuilt from it when the company changes).
    Column("body", Text(), nullable=False),
    Column("profile", String(3), nullable=False),
    Column("employment_type", String(40), nullable=False),
    Column("work_formula", String(20), nullable=False),
    #: Region codes of the workplace, sorted.
    Column("regions", JSON(), nullable=False),
    Column("city", String(64), nullable=False),
    Column("published_at", UtcDateTime(), nullable=False),
    Column("publication_ends_at", UtcDateTime(), nullable=False),
    Column("ended_at", UtcDateTime(), nullable=True),
    Column("featured_until", UtcDateTime(), nullable=True),
    Column("application_deadline", Date(), nullable=True),
    #: PostgreSQL: title (A), company (B), description (C) under `fr_unaccent`; unused on SQLite.
    Column("document", Text().with_variant(TSVECTOR(), "postgresql"), nullable=True),
    #: Covers the online predicate and the id: the facet counts read no row of this wide table.
    Index("ix_offer_search_online", "publication_ends_at", "published_at", "ended_at", "offer_id"),
    Index("ix_offer_search_newest", "published_at", "offer_id"),
    Index("ix_offer_search_group", "group_id"),
    Index("ix_offer_search_document", "document", postgresql_using="gin"),
)

offer_search_values = Table(
    "offer_search_values",
    metadata,
    Column("offer_id", String(36), ForeignKey("offer_search.offer_id", ondelete="CASCADE"), primary_key=True),
    #: A facet of `offers.domain.search.FACETS`.
    Column("facet", String(20), primary_key=True),
    Column("value", String(64), primary_key=True),
    Index("ix_offer_search_values_facet", "facet", "value", "offer_id"),
)

event.listen(offer_search, "after_create", lambda target, connection, **kw: _create_fts(connection))


def _create_fts(connection: object) -> None:
    if connection.dialect.name == "sqlite":  # type: ignore[attr-defined]
        connection.execute(text(CREATE_FTS))  # type: ignore[attr-defined]
