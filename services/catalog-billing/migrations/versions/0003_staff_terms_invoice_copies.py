"""catalog-billing staff: companies' billing terms (invoice payment), invoice copy subscriptions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 23:15:00
"""
from alembic import op
import sqlalchemy as sa

import plumbing.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('company_billing_terms',
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('invoice_payment_eligible', sa.Boolean(), nullable=False),
    sa.Column('updated_by_account_id', sa.String(length=36), nullable=False),
    sa.Column('updated_by_email', sa.String(length=320), nullable=False),
    sa.Column('updated_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('company_id')
    )
    op.create_table('invoice_copy_subscriptions',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('account_id', sa.String(length=36), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'account_id')
    )


def downgrade() -> None:
    op.drop_table('invoice_copy_subscriptions')
    op.drop_table('company_billing_terms')
