"""company brandings: a group's names and logo for its offers (from portal.branding.changed)

Revision ID: 0004
Revises: 0003_membership_projection
Create Date: 2026-11-30 20:30:00
"""
from alembic import op
import sqlalchemy as sa
import plumbing.db


revision = '0004'
down_revision = '0003_membership_projection'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company_brandings',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('group_name', sa.String(length=100), nullable=False),
    sa.Column('company_name', sa.String(length=300), nullable=False),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('changed_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_id')
    )


def downgrade() -> None:
    op.drop_table('company_brandings')
