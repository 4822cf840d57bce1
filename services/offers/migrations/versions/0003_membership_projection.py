"""membership projection (plumbing.auth.memberships)

Revision ID: 0003_membership_projection
Revises: 0002_outbox_parked
Create Date: 2026-11-30 19:55:00
"""
from alembic import op
import sqlalchemy as sa
import plumbing.db


revision = '0003_membership_projection'
down_revision = '0002_outbox_parked'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('membership_projection',
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('group_name', sa.String(length=200), nullable=True),
    sa.Column('company_name', sa.String(length=300), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('account_id', 'group_id')
    )


def downgrade() -> None:
    op.drop_table('membership_projection')
