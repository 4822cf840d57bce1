"""SQLAlchemy 2.0 engines and sessions, the same code for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from plumbing.config import env_int

DEFAULT_STATEMENT_TIMEOUT_MS = 30_000


def make_engine(url: str, pool_size: int = 5, statement_timeout_ms: int | None = None) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and real transactions.

    On PostgreSQL every session gets a `statement_timeout` (DB_STATEMENT_TIMEOUT_MS, 30 s by
    default; 0 disables it), so a hung query fails (and the worker backs off and retries, see
    transport.is_infrastructure_failure) instead of hanging a thread forever; and a connect
    timeout, so an unreachable server fails fast.

    pysqlite's own transaction handling starts transactions late and makes a SAVEPOINT the
    outermost transaction, whose RELEASE commits on its own: a nested block (the inbox claim)
    would then commit before the handler's effect. So SQLAlchemy takes over (its documented
    recipe): the driver is put in autocommit mode and SQLAlchemy emits the BEGIN itself. It is
    BEGIN IMMEDIATE: a deferred transaction that reads then writes can fail at once with
    "database is locked" when another writer got there first (no busy wait on a lock upgrade);
    taking the write lock up front makes writers queue on the busy timeout instead. Fine for the
    embedded mode, which is one machine and light traffic; PostgreSQL is the production store.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if statement_timeout_ms is None:
        statement_timeout_ms = env_int("DB_STATEMENT_TIMEOUT_MS", DEFAULT_STATEMENT_TIMEOUT_MS)
    connect_args: dict[str, Any] = {"connect_timeout": env_int("DB_CONNECT_TIMEOUT_S", 5)}
    if statement_timeout_ms > 0:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                         connect_args=connect_args)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite forgets zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC instant")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_mapped: set[str] = set()
_mapping_lock = threading.Lock()


def map_once(service: str, mapping: Callable[[], None]) -> None:
    """Run a service's imperative mapping once per process, whoever calls first (thread-safe).

    SQLAlchemy refuses to map a class twice, and bootstrap may run more than once in a process
    (the embedded suite, tests).
    """
    with _mapping_lock:
        if service in _mapped:
            return
        mapping()
        _mapped.add(service)


def _fresh_event_list(target: Any, _context: Any) -> None:
    target.events = []


def keep_event_list_on_load(*classes: type) -> None:
    """Loading from the database skips __init__: give loaded aggregates their `events` list."""
    for cls in classes:
        event.listen(cls, "load", _fresh_event_list)
