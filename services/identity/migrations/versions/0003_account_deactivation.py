"""identity: accounts.deactivated_at (OIQ staff deactivate an account: every session ends)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 20:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import plumbing.db


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', plumbing.db.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
