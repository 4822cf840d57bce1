"""moderation: outbox rows the relay cannot publish are parked (parked_at), the rest flows

Revision ID: 0002_outbox_parked
Revises: 0001
Create Date: 2026-11-30 20:00:00.000000
"""
from plumbing.events.tables import add_outbox_parked_column, drop_outbox_parked_column
from alembic import op

revision = '0002_outbox_parked'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_outbox_parked_column(op)


def downgrade() -> None:
    drop_outbox_parked_column(op)
