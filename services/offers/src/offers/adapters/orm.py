"""The offers database: company brandings (a projection of company-portal's events), the membership
projection (plumbing.auth.memberships, for permission checks) and the messaging tables. Imperative
mapping keeps the domain class plain Python."""

from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table
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
)

mapper_registry = registry(metadata=metadata)


def start_mappers() -> None:
    map_once("offers", lambda: mapper_registry.map_imperatively(CompanyBranding, company_brandings))

# The other parts' tables join this metadata when their module is imported (migrations, bootstrap).
from offers.adapters import orm_api_keys  # noqa: E402, F401
