"""offers: the public search index (issue 11)

Revision ID: 0007_search
Revises: 0006
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import plumbing.db  # noqa: F401

revision = '0007_search'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the search part (placeholder so parallel work keeps one migration chain)


def downgrade() -> None:
    pass
