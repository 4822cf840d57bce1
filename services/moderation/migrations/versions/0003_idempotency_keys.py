"""idempotency keys of the staff forms (a double submit does the action once)

Revision ID: 0003
Revises: 0002_outbox_parked
Create Date: 2026-11-30 19:45:00
"""
from plumbing.migrations import create_idempotency_table, drop_idempotency_table

revision = '0003'
down_revision = '0002_outbox_parked'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
