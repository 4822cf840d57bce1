"""The migrations build exactly the tables the code maps, on SQLite and PostgreSQL, and go back down."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from catalog_billing.adapters.orm import metadata
from catalog_billing.bootstrap import MIGRATIONS_DIR  # imports every part's tables onto `metadata`
from plumbing.migrations import alembic_config, upgrade
from plumbing.testing import create_test_database, drop_test_database


def differences(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    finally:
        engine.dispose()
    # plumbing's inbox declares UNIQUE(message_id, consumer) on top of the same primary key;
    # PostgreSQL keeps one constraint for both, so the unique one never reflects back.
    return [d for d in found if not (d[0] == "add_constraint" and d[1].table.name == "inbox")]


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_sqlite_migrations_match_the_mapping_and_downgrade_to_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'billing.db'}"
    upgrade(MIGRATIONS_DIR, url)
    assert differences(url) == []
    assert {"credit_banks", "credit_entries", "credit_reservations", "quotes", "membership_projection",
            "outbox", "inbox", "idempotency_keys"} <= tables(url)
    command.downgrade(alembic_config(MIGRATIONS_DIR, url), "base")
    assert tables(url) == set()


@pytest.fixture
def postgres_url():
    url = create_test_database("test_billing")
    yield url
    drop_test_database(url)


def test_postgresql_migrations_match_the_mapping(postgres_url):
    upgrade(MIGRATIONS_DIR, postgres_url)
    assert differences(postgres_url) == []
