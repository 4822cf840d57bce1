"""mailer: accounts (id → email, locale) learned from identity's events, for emails addressed by account id

Revision ID: 0003_accounts
Revises: 0002_outbox_parked
Create Date: 2026-12-01 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

import plumbing.db

revision = "0003_accounts"
down_revision = "0002_outbox_parked"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("locale", sa.String(5), nullable=True),
        sa.Column("updated_at", plumbing.db.UtcDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("accounts")
