"""api keys of the groups' HR systems, and the staff API's idempotency keys (issue 9)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 03:40:00
"""
import sqlalchemy as sa
from alembic import op

import plumbing.db
from plumbing.migrations import create_idempotency_table, drop_idempotency_table

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('creator_id', sa.String(length=36), nullable=False),
    sa.Column('creator_email', sa.String(length=320), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('display_prefix', sa.String(length=20), nullable=False),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.String(length=36), nullable=True),
    sa.Column('last_used_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_api_keys_group_id', 'api_keys', ['group_id'], unique=False)
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
    op.drop_index('ix_api_keys_group_id', table_name='api_keys')
    op.drop_table('api_keys')
