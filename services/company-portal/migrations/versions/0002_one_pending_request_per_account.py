"""one pending account request per account (partial unique index)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 19:45:00

An account may have one open request at a time (issue 7). The rule is checked when a request is
sent; this index is the last word when two submissions race. SQLite and PostgreSQL both support
partial unique indexes. Accounts that already have several pending requests must be sorted out
first (decide the extra ones): the migration stops and names how many.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'en_attente'")


def upgrade() -> None:
    duplicates = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM (SELECT requester_account_id FROM account_requests WHERE status = 'en_attente' "
        "GROUP BY requester_account_id HAVING count(*) > 1) AS several")).scalar_one()
    if duplicates:
        raise RuntimeError(
            f"{duplicates} account(s) have several pending requests: decide the extra ones (keep one pending "
            "request per account), then run the migration again.")
    with op.batch_alter_table('account_requests', schema=None) as batch_op:
        batch_op.create_index('uq_account_requests_one_pending', ['requester_account_id'], unique=True,
                              sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    with op.batch_alter_table('account_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_account_requests_one_pending')
