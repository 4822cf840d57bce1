"""The Alembic migrations build exactly the tables the code maps, on SQLite and PostgreSQL."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from moderation.adapters.orm import metadata
from moderation.bootstrap import MIGRATIONS_DIR
from plumbing.migrations import upgrade
from plumbing.testing import create_test_database, drop_test_database


def migrated(url: str) -> tuple[list, set[str]]:
    upgrade(MIGRATIONS_DIR, url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": False}), metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    # plumbing's inbox declares UNIQUE(message_id, consumer) on top of the same primary key;
    # PostgreSQL keeps one constraint for both, so the unique one never reflects back.
    return [d for d in diffs if not (d[0] == "add_constraint" and d[1].table.name == "inbox")], tables


def test_migrations_match_the_mapped_tables(tmp_path):
    diffs, tables = migrated(f"sqlite:///{tmp_path / 'migrated.db'}")
    assert diffs == []
    assert {"queue_items", "offer_queue", "journal", "outbox", "inbox", "idempotency_keys"} <= tables


@pytest.fixture
def postgres_url():
    url = create_test_database("test_moderation")
    yield url
    drop_test_database(url)


def test_postgresql_migrations_match_the_mapped_tables(postgres_url):
    diffs, tables = migrated(postgres_url)
    assert diffs == [] and "idempotency_keys" in tables
