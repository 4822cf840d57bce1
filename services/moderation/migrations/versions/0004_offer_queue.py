"""the offers waiting for staff (projection of offers.offer.status_changed)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 04:00:00
"""

import sqlalchemy as sa
from alembic import op

import plumbing.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "offer_queue",
        sa.Column("offer_id", sa.String(length=36), nullable=False),
        sa.Column("group_id", sa.String(length=36), nullable=False),
        sa.Column("profile", sa.String(length=10), nullable=False),
        sa.Column("title_fr", sa.String(length=150), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("in_queue", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", plumbing.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", plumbing.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("offer_id"),
    )
    with op.batch_alter_table("offer_queue", schema=None) as batch_op:
        batch_op.create_index("ix_offer_queue_waiting", ["in_queue", "submitted_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("offer_queue", schema=None) as batch_op:
        batch_op.drop_index("ix_offer_queue_waiting")
    op.drop_table("offer_queue")
