"""The idempotency-key store on SQLAlchemy: one table per service database, any service may add it.

A service that takes idempotency keys (a staff API, staff forms) adds `idempotency_table(metadata)`
to its metadata and creates it with `plumbing.migrations.create_idempotency_table(op)`; its unit of
work then has `uow.idempotency` (`SqlAlchemyUnitOfWork` opens it) and `MessageBus.handle_idempotent`
answers a repeated key with the first answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plumbing.db import UtcDateTime
from plumbing.ports import StoredAnswer, UniqueViolation

TABLE_NAME = "idempotency_keys"


def idempotency_table(metadata: MetaData) -> Table:
    """Keys per caller (`account_id`: whoever made the call), the request's fingerprint and the answer."""
    return Table(
        TABLE_NAME,
        metadata,
        Column("account_id", String(36), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("fingerprint", String(64), nullable=False),
        Column("status", Integer, nullable=False),
        Column("body", JSON, nullable=True),
        Column("created_at", UtcDateTime(), nullable=False),
    )


class SqlIdempotencyStore:
    """`IdempotencyStore` in the unit of work's session (so the answer commits with the work)."""

    def __init__(self, session: Session, table: Table, now: Callable[[], datetime]) -> None:
        self.session = session
        self.table = table
        self.now = now

    def get(self, account_id: str, key: str) -> StoredAnswer | None:
        t = self.table.c
        row = self.session.execute(
            select(t.fingerprint, t.status, t.body).where((t.account_id == account_id) & (t.key == key))
        ).first()
        return StoredAnswer(row.fingerprint, int(row.status), row.body) if row else None

    def add(self, account_id: str, key: str, fingerprint: str, status: int, body: Any) -> None:
        """UniqueViolation when another call stored this key meanwhile (on PostgreSQL the insert
        waits for that call's commit, then fails)."""
        try:
            self.session.execute(insert(self.table).values(
                account_id=account_id, key=key, fingerprint=fingerprint, status=status, body=body,
                created_at=self.now()))
        except IntegrityError as exc:
            raise UniqueViolation(str(exc.orig)) from exc


class MissingIdempotencyStore:
    """Stands in when a service has no idempotency table: any use is a wiring mistake, said clearly."""

    def get(self, account_id: str, key: str) -> StoredAnswer | None:
        raise RuntimeError("this service has no idempotency_keys table (plumbing.idempotency.idempotency_table)")

    def add(self, account_id: str, key: str, fingerprint: str, status: int, body: Any) -> None:
        self.get(account_id, key)
