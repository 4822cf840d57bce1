"""The job seekers' tables (on the mailer's metadata): follows, preferences, company names."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, PrimaryKeyConstraint, String, Table

from mailer.adapters.orm import metadata
from plumbing.db import UtcDateTime

#: Which member follows which company (alerts of new offers will read it by company).
member_follows = Table(
    "member_follows",
    metadata,
    Column("account_id", String(36), nullable=False),
    Column("company_id", String(36), nullable=False),
    Column("followed_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("account_id", "company_id", name="pk_member_follows"),
    Index("ix_member_follows_company", "company_id"),
)

#: One row per member who saved the subscriptions form. `domains` and `regions`: JSON lists of
#: offers' codes (empty: all); `years`: one years_on_roll code or null (any).
member_preferences = Table(
    "member_preferences",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("weekly_digest", Boolean(create_constraint=False), nullable=False),
    Column("targeted_consent", Boolean(create_constraint=False), nullable=False),
    Column("domains", JSON, nullable=False),
    Column("regions", JSON, nullable=False),
    Column("years", String(64), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

#: company id → the display name of its latest portal.branding.changed / snapshot (by occurred_at).
companies = Table(
    "companies",
    metadata,
    Column("company_id", String(36), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)
