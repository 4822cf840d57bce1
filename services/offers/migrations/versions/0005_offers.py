"""offers: the offers, their history, and the scheduler's notices (issue 9)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 03:45:00
"""
from alembic import op
import sqlalchemy as sa
import plumbing.db


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('profile', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=36), nullable=False),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title_fr', sa.String(length=150), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('hints', sa.JSON(), nullable=False),
    sa.Column('live_content', sa.JSON(), nullable=True),
    sa.Column('published_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('publication_ends_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('featured_until', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('ever_published', sa.Boolean(), nullable=False),
    sa.Column('ended_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=36), nullable=True),
    sa.Column('credit_types_reserved', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_offers_group_status', 'offers', ['group_id', 'status'], unique=False)
    op.create_index('ix_offers_status_published_at', 'offers', ['status', 'published_at'], unique=False)
    op.create_index('ix_offers_status_ends_at', 'offers', ['status', 'publication_ends_at'], unique=False)
    op.create_table('offer_history',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=36), nullable=False),
    sa.Column('actor_kind', sa.String(length=10), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_offer_history_offer_seq', 'offer_history', ['offer_id', 'seq'], unique=True)
    op.create_table('offer_notices',
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('sent_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ),
    sa.PrimaryKeyConstraint('offer_id', 'kind', 'key')
    )


def downgrade() -> None:
    op.drop_table('offer_notices')
    op.drop_index('ix_offer_history_offer_seq', table_name='offer_history')
    op.drop_table('offer_history')
    op.drop_index('ix_offers_status_ends_at', table_name='offers')
    op.drop_index('ix_offers_status_published_at', table_name='offers')
    op.drop_index('ix_offers_group_status', table_name='offers')
    op.drop_table('offers')
