"""mailer: job seekers' follows and preferences, company names (issue 11)

Revision ID: 0005_members
Revises: 0004_attachments
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import plumbing.db  # noqa: F401

revision = '0005_members'
down_revision = '0004_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the job-seekers part (placeholder so parallel work keeps one migration chain)


def downgrade() -> None:
    pass
