"""mailer: email attachments kept until sent (issue 11, apply by email)

An application's CV waits in `email_attachments` until the employer's email is sent (or given
up), then is deleted; `emails.reply_to` lets the employer answer the candidate.

Revision ID: 0004_attachments
Revises: 0003_accounts
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_attachments'
down_revision = '0003_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("emails") as batch:
        batch.add_column(sa.Column("reply_to", sa.String(254), nullable=True))
    op.create_table(
        "email_attachments",
        sa.Column("email_id", sa.String(36), sa.ForeignKey("emails.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("email_attachments")
    with op.batch_alter_table("emails") as batch:
        batch.drop_column("reply_to")
