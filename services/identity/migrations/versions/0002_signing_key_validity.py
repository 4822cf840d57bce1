"""identity: signing keys sign from not_before and are published until not_after (rotation)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import plumbing.db


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing keys keep NULL in both: the newest signs and every one is published, as before.
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_before', plumbing.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('not_after', plumbing.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_column('not_after')
        batch_op.drop_column('not_before')
