"""Integration fixtures: a throw-away PostgreSQL database, and the bundle on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mailer.bootstrap import bootstrap
from plumbing.service import ServiceBundle
from plumbing.testing import create_test_database, drop_test_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty database with a random name on 127.0.0.1:5432, dropped afterwards."""
    url = create_test_database("test_mailer")
    try:
        yield url
    finally:
        drop_test_database(url)


@pytest.fixture
def pg_bundle(tmp_path, pg_url, clock, mailer, settings_for) -> Iterator[ServiceBundle]:
    built = bootstrap(settings_for(tmp_path, database_url=pg_url, mode="distributed"), clock=clock, mailer=mailer)
    built.migrate()
    yield built
    built.runtime.engine.dispose()
