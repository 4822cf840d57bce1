"""mailer: email attachments kept until sent (issue 11, apply by email)

Revision ID: 0004_attachments
Revises: 0003_accounts
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import plumbing.db  # noqa: F401

revision = '0004_attachments'
down_revision = '0003_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the applying part (placeholder so parallel work keeps one migration chain)


def downgrade() -> None:
    pass
