"""offers: the public search index (issue 11)

Revision ID: 0007_search
Revises: 0006
Create Date: 2026-12-01 08:50:00

PostgreSQL: the `unaccent` extension and the text-search configuration `fr_unaccent` (a copy of
`french` whose words go through `unaccent` before `french_stem`), `offer_search.document`
(tsvector) with a GIN index. SQLite: the FTS5 table `offer_search_fts`. Both: `offer_search`,
`offer_search_values`, then every offer with live content indexed (backfill).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import plumbing.db

revision = '0007_search'
down_revision = '0006'
branch_labels = None
depends_on = None

FR_UNACCENT = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'fr_unaccent') THEN
        CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION fr_unaccent
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    END IF;
END
$$
"""


def upgrade() -> None:
    from offers.adapters.orm_search import CREATE_FTS
    from offers.adapters.search_sql import backfill

    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        op.execute(FR_UNACCENT)
    op.create_table('offer_search',
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('group_id', sa.String(length=36), nullable=False),
    sa.Column('company_id', sa.String(length=36), nullable=False),
    sa.Column('company_name', sa.String(length=300), nullable=False),
    sa.Column('logo_url', sa.String(length=500), nullable=True),
    sa.Column('title_fr', sa.String(length=150), nullable=False),
    sa.Column('title_en', sa.String(length=150), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('profile', sa.String(length=3), nullable=False),
    sa.Column('employment_type', sa.String(length=40), nullable=False),
    sa.Column('work_formula', sa.String(length=20), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('city', sa.String(length=64), nullable=False),
    sa.Column('published_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('publication_ends_at', plumbing.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('featured_until', plumbing.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('application_deadline', sa.Date(), nullable=True),
    sa.Column('document', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ),
    sa.PrimaryKeyConstraint('offer_id')
    )
    op.create_index('ix_offer_search_online', 'offer_search',
                    ['publication_ends_at', 'published_at', 'ended_at', 'offer_id'], unique=False)
    op.create_index('ix_offer_search_newest', 'offer_search', ['published_at', 'offer_id'], unique=False)
    op.create_index('ix_offer_search_group', 'offer_search', ['group_id'], unique=False)
    op.create_index('ix_offer_search_document', 'offer_search', ['document'], unique=False,
                    postgresql_using='gin')
    op.create_table('offer_search_values',
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('facet', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offer_search.offer_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('offer_id', 'facet', 'value')
    )
    op.create_index('ix_offer_search_values_facet', 'offer_search_values', ['facet', 'value', 'offer_id'],
                    unique=False)
    if not postgres:
        op.execute(CREATE_FTS)
    backfill(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent")
    else:
        op.execute("DROP TABLE IF EXISTS offer_search_fts")
    op.drop_index('ix_offer_search_values_facet', table_name='offer_search_values')
    op.drop_table('offer_search_values')
    op.drop_index('ix_offer_search_document', table_name='offer_search')
    op.drop_index('ix_offer_search_group', table_name='offer_search')
    op.drop_index('ix_offer_search_newest', table_name='offer_search')
    op.drop_index('ix_offer_search_online', table_name='offer_search')
    op.drop_table('offer_search')
