"""groups.branding_version: the counter that orders branding events and snapshots

Revision ID: 0004_branding_version
Revises: 0003_outbox_parked
Create Date: 2026-11-30 19:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_branding_version'
down_revision = '0003_outbox_parked'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('branding_version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_column('branding_version')
