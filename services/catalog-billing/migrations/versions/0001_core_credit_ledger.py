"""catalog-billing core: messaging and idempotency tables, membership projection, credit ledger, quotes

Revision ID: 0001
Revises:
Create Date: 2026-11-30 23:20:00
"""
from alembic import op
import sqlalchemy as sa

import plumbing.db
from plumbing.events.tables import add_outbox_parked_column, drop_outbox_parked_column
from plumbing.migrations import (
    create_idempotency_table,
    create_messaging_tables,
    drop_idempotency_table,
    drop_messaging_tables,
)

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    add_outbox_parked_column(op)
    create_idempotency_table()
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
    op.create_table('credit_banks',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_id')
    )
    op.create_table('credit_entries',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('credit_type', sa.String(length=20), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=True),
    sa.Column('invoice_id', sa.String(length=36), nullable=True),
    sa.Column('counterpart_group_id', sa.String(length=36), nullable=True),
    sa.Column('actor_account_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['credit_banks.group_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_credit_entries_group_type', 'credit_entries', ['group_id', 'credit_type'], unique=False)
    op.create_index('ix_credit_entries_group_created', 'credit_entries', ['group_id', 'created_at'], unique=False)
    op.create_table('credit_reservations',
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('credit_type', sa.String(length=20), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reserved_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('consumed_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('released_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('actor_account_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['credit_banks.group_id'], ),
    sa.UniqueConstraint('offer_id', 'credit_type', name='uq_credit_reservations_offer_type')
    )
    op.create_index('ix_credit_reservations_group', 'credit_reservations', ['group_id'], unique=False)
    op.create_table('quotes',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_account_id', sa.String(length=36), nullable=False),
    sa.Column('checkout_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_quotes_group', 'quotes', ['group_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_quotes_group', table_name='quotes')
    op.drop_table('quotes')
    op.drop_index('ix_credit_reservations_group', table_name='credit_reservations')
    op.drop_table('credit_reservations')
    op.drop_index('ix_credit_entries_group_created', table_name='credit_entries')
    op.drop_index('ix_credit_entries_group_type', table_name='credit_entries')
    op.drop_table('credit_entries')
    op.drop_table('credit_banks')
    op.drop_table('membership_projection')
    drop_idempotency_table()
    drop_outbox_parked_column(op)
    drop_messaging_tables()
