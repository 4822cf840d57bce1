"""The migrations build exactly the tables the code maps, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect

from offers.adapters.orm import metadata
from offers.adapters.orm_search import FTS_TABLE
from offers.bootstrap import MIGRATIONS_DIR
from plumbing.migrations import alembic_config, upgrade
from plumbing.testing import create_test_database, drop_test_database


def schema_differences(connection: Connection) -> list:
    """What the database has that the mapping does not, or the other way round."""
    found = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    # plumbing's inbox declares UNIQUE(message_id, consumer) on top of the same primary key;
    # PostgreSQL keeps one constraint for both, so the unique one never reflects back.
    # SQLite's FTS5 search table (and its shadow tables) is DDL no metadata can declare (orm_search).
    return [
        d
        for d in found
        if not (d[0] == "add_constraint" and d[1].table.name == "inbox")
        and not (d[0] == "remove_table" and d[1].name.startswith(FTS_TABLE))
    ]


def differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return schema_differences(connection)
    finally:
        engine.dispose()


def test_sqlite_migrations_match_the_mapping(tmp_path):
    url = f"sqlite:///{tmp_path / 'offers.db'}"
    upgrade(MIGRATIONS_DIR, url)
    assert differences(url) == []


@pytest.fixture
def postgres_url():
    url = create_test_database("test_offers")
    yield url
    drop_test_database(url)


def test_postgresql_migrations_match_the_mapping(postgres_url):
    upgrade(MIGRATIONS_DIR, postgres_url)
    assert differences(postgres_url) == []


def test_the_offers_migration_goes_down_and_up_again(tmp_path):
    """0005 (offers, offer_history, offer_notices) can be undone to 0004 and redone."""
    url = f"sqlite:///{tmp_path / 'offers.db'}"
    upgrade(MIGRATIONS_DIR, url)
    command.downgrade(alembic_config(MIGRATIONS_DIR, url), "0004")
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"offers", "offer_history", "offer_notices"}.isdisjoint(tables) and "company_brandings" in tables
    upgrade(MIGRATIONS_DIR, url)
    assert differences(url) == []
