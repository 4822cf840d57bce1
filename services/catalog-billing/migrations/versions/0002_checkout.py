"""catalog-billing checkout: carts, checkouts, billing addresses, promo codes and uses, invoices and
their lines, the invoice number counter (its one row), processed payment webhooks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 23:50:00
"""
from alembic import op
import sqlalchemy as sa

import plumbing.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('carts',
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('updated_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_id')
    )
    op.create_table('cart_lines',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.String(length=36), nullable=True),
    sa.Column('quoted_price_cents', sa.Integer(), nullable=True),
    sa.Column('added_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['carts.group_id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_cart_lines_group', 'cart_lines', ['group_id'])
    op.create_table('billing_addresses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('province', sa.String(length=2), nullable=False),
    sa.Column('postal_code', sa.String(length=7), nullable=False),
    sa.Column('country', sa.String(length=60), nullable=False),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_billing_addresses_company', 'billing_addresses', ['company_id'])
    op.create_table('checkouts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('buyer_account_id', sa.String(length=36), nullable=False),
    sa.Column('buyer_email', sa.String(length=320), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('promo_code', sa.String(length=40), nullable=True),
    sa.Column('address', sa.JSON(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('purchase_order', sa.String(length=50), nullable=False),
    sa.Column('payment_mode', sa.String(length=10), nullable=False),
    sa.Column('method_reference', sa.String(length=100), nullable=True),
    sa.Column('card_brand', sa.String(length=30), nullable=True),
    sa.Column('card_last4', sa.String(length=4), nullable=True),
    sa.Column('intent_reference', sa.String(length=100), nullable=True),
    sa.Column('authorization', sa.String(length=100), nullable=True),
    sa.Column('failure_code', sa.String(length=60), nullable=True),
    sa.Column('attempts', sa.JSON(), nullable=False),
    sa.Column('invoice_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    op.create_index('ix_checkouts_group', 'checkouts', ['group_id'])
    op.create_index('ix_checkouts_intent', 'checkouts', ['intent_reference'])
    op.create_table('promo_codes',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value_hundredths', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('max_uses', sa.Integer(), nullable=True),
    sa.Column('product_codes', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('promo_uses',
    sa.Column('checkout_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('used_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['code'], ['promo_codes.code']),
    sa.PrimaryKeyConstraint('checkout_id')
    )
    op.create_index('ix_promo_uses_code', 'promo_uses', ['code'])
    op.create_table('invoices',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('company_name', sa.String(length=300), nullable=False),
    sa.Column('group_name', sa.String(length=200), nullable=False),
    sa.Column('checkout_id', sa.String(length=36), nullable=False),
    sa.Column('buyer_account_id', sa.String(length=36), nullable=False),
    sa.Column('buyer_email', sa.String(length=320), nullable=False),
    sa.Column('issued_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('billing_address', sa.JSON(), nullable=False),
    sa.Column('purchase_order', sa.String(length=50), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('promo_code', sa.String(length=40), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('paid_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('card_brand', sa.String(length=30), nullable=True),
    sa.Column('card_last4', sa.String(length=4), nullable=True),
    sa.Column('authorization', sa.String(length=100), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('subtotal_cents', sa.Integer(), nullable=False),
    sa.Column('discount_cents', sa.Integer(), nullable=False),
    sa.Column('gst_cents', sa.Integer(), nullable=False),
    sa.Column('qst_cents', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number'),
    sa.UniqueConstraint('checkout_id')
    )
    op.create_index('ix_invoices_group_issued', 'invoices', ['group_id', 'issued_at'])
    op.create_table('invoice_lines',
    sa.Column('invoice_id', sa.String(length=36), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_code', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('unit_price_cents', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('discount_cents', sa.Integer(), nullable=False),
    sa.Column('gst_cents', sa.Integer(), nullable=False),
    sa.Column('qst_cents', sa.Integer(), nullable=False),
    sa.Column('total_cents', sa.Integer(), nullable=False),
    sa.Column('credit_type', sa.String(length=40), nullable=False),
    sa.Column('credits', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id']),
    sa.PrimaryKeyConstraint('invoice_id', 'position')
    )
    counters = op.create_table('invoice_counters',
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.bulk_insert(counters, [{'name': 'invoice', 'last_value': 0}])
    op.create_table('payment_events',
    sa.Column('processor', sa.String(length=20), nullable=False),
    sa.Column('event_id', sa.String(length=100), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('checkout_id', sa.String(length=36), nullable=True),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('received_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('processor', 'event_id')
    )


def downgrade() -> None:
    op.drop_table('payment_events')
    op.drop_table('invoice_counters')
    op.drop_table('invoice_lines')
    op.drop_index('ix_invoices_group_issued', table_name='invoices')
    op.drop_table('invoices')
    op.drop_index('ix_promo_uses_code', table_name='promo_uses')
    op.drop_table('promo_uses')
    op.drop_table('promo_codes')
    op.drop_index('ix_checkouts_intent', table_name='checkouts')
    op.drop_index('ix_checkouts_group', table_name='checkouts')
    op.drop_table('checkouts')
    op.drop_index('ix_billing_addresses_company', table_name='billing_addresses')
    op.drop_table('billing_addresses')
    op.drop_index('ix_cart_lines_group', table_name='cart_lines')
    op.drop_table('cart_lines')
    op.drop_table('carts')
