"""offers: company about/website on brandings, apply clicks (issue 11)

Revision ID: 0008_offer_page
Revises: 0007_search
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import plumbing.db  # noqa: F401

revision = '0008_offer_page'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the offer-page part (placeholder so parallel work keeps one migration chain)


def downgrade() -> None:
    pass
