"""offers: company about/website on brandings, apply clicks (issue 11)

Revision ID: 0008_offer_page
Revises: 0007_search
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa
from alembic import op

import plumbing.db

revision = '0008_offer_page'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only offers' own tables of 0001–0006: nothing of 0007_search (built in parallel).
    with op.batch_alter_table('company_brandings') as batch:
        batch.add_column(sa.Column('description_html', sa.Text(), server_default='', nullable=False))
        batch.add_column(sa.Column('website', sa.String(length=300), server_default='', nullable=False))
        batch.add_column(sa.Column('version', sa.Integer(), nullable=True))
    op.create_table('offer_apply_clicks',
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ),
    sa.PrimaryKeyConstraint('offer_id', 'day', 'visitor')
    )


def downgrade() -> None:
    op.drop_table('offer_apply_clicks')
    with op.batch_alter_table('company_brandings') as batch:
        batch.drop_column('version')
        batch.drop_column('website')
        batch.drop_column('description_html')
