"""The migration helpers create exactly the tables plumbing maps (outbox, inbox, idempotency keys),
on SQLite and PostgreSQL, and drop them again; the services' revisions call them instead of
copying the DDL (each service's migration test compares the result with its mapping)."""

from __future__ import annotations

import pytest
from alembic import op
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import MetaData, create_engine, inspect

from plumbing.events.tables import add_outbox_parked_column, drop_outbox_parked_column, inbox_table, outbox_table
from plumbing.idempotency import idempotency_table
from plumbing.migrations import (
    create_idempotency_table,
    create_messaging_tables,
    drop_idempotency_table,
    drop_messaging_tables,
)
from plumbing.testing import create_test_database, drop_test_database


def mapped() -> MetaData:
    metadata = MetaData()
    outbox_table(metadata)
    inbox_table(metadata)
    idempotency_table(metadata)
    return metadata


def run(url: str, *steps) -> tuple[list, set[str]]:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            with Operations.context(context):
                for step in steps:
                    step()
            diffs = compare_metadata(context, mapped())
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    # The inbox declares UNIQUE(message_id, consumer) on top of the same primary key; PostgreSQL
    # keeps one constraint for both, so the unique one never reflects back.
    return [d for d in diffs if not (d[0] == "add_constraint" and d[1].table.name == "inbox")], tables


@pytest.fixture
def own_pg_url():
    """A database of its own: plumbing's other tests keep outbox and inbox tables in theirs."""
    url = create_test_database("test_migration_helpers")
    yield url
    drop_test_database(url)


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_the_helpers_build_the_mapped_tables_and_drop_them(database, tmp_path, request):
    url = f"sqlite:///{tmp_path / 'm.db'}" if database == "sqlite" else request.getfixturevalue("own_pg_url")
    # The first revisions' DDL, then the later parked_at column: today's outbox (what a new service calls).
    diffs, tables = run(url, create_messaging_tables, lambda: add_outbox_parked_column(op), create_idempotency_table)
    assert diffs == [] and {"outbox", "inbox", "idempotency_keys"} <= tables
    _, tables = run(url, drop_idempotency_table, lambda: drop_outbox_parked_column(op), drop_messaging_tables)
    assert not {"outbox", "inbox", "idempotency_keys"} & tables
