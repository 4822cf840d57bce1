"""mailer: job seekers' follows and preferences, company names (issue 11)

Revision ID: 0005_members
Revises: 0004_attachments
Create Date: 2026-12-01 08:50:00
"""
import sqlalchemy as sa
from alembic import op

import plumbing.db

revision = '0005_members'
down_revision = '0004_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "member_follows",
        sa.Column("account_id", sa.String(36), nullable=False),
        sa.Column("company_id", sa.String(36), nullable=False),
        sa.Column("followed_at", plumbing.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "company_id", name="pk_member_follows"),
    )
    op.create_index("ix_member_follows_company", "member_follows", ["company_id"])
    op.create_table(
        "member_preferences",
        sa.Column("account_id", sa.String(36), primary_key=True),
        sa.Column("weekly_digest", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("targeted_consent", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("years", sa.String(64), nullable=True),
        sa.Column("updated_at", plumbing.db.UtcDateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "companies",
        sa.Column("company_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("changed_at", plumbing.db.UtcDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("companies")
    op.drop_table("member_preferences")
    op.drop_index("ix_member_follows_company", table_name="member_follows")
    op.drop_table("member_follows")
