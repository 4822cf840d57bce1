"""The Alembic migrations build exactly the tables the code maps."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from moderation.adapters.orm import metadata
from moderation.bootstrap import MIGRATIONS_DIR
from plumbing.migrations import upgrade


def test_migrations_match_the_mapped_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    upgrade(MIGRATIONS_DIR, url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert diffs == []
    assert {"queue_items", "journal", "outbox", "inbox"} <= tables
