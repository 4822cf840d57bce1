"""catalog-billing: the projection of offers' API keys (offers.api_key.issued / revoked, issue 9)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 03:40:00
"""
import sqlalchemy as sa
from alembic import op

import plumbing.db

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_key_projection',
    sa.Column('key_id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('creator_id', sa.String(length=36), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_id')
    )


def downgrade() -> None:
    op.drop_table('api_key_projection')
