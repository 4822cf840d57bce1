"""Clicks on [Postuler] of offers applied to by URL (issue 11, migration 0008_offer_page): one row per
offer, day (Québec) and visitor, the visitor being a keyed hash of the address and user agent (no
address is stored). Metrics will read them."""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, String, Table

from offers.adapters.orm import metadata
from plumbing.db import UtcDateTime

offer_apply_clicks = Table(
    "offer_apply_clicks",
    metadata,
    Column("offer_id", String(36), ForeignKey("offers.id"), primary_key=True),
    Column("day", Date(), primary_key=True),
    #: HMAC-SHA-256 (hex) of the day, address and user agent (entrypoints.web_offer_apply.visitor_id).
    Column("visitor", String(64), primary_key=True),
    Column("at", UtcDateTime(), nullable=False),
)
