"""The inbox claim and the handler's effect commit together, on SQLite too."""

import uuid

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select

from plumbing.clock import FixedClock
from plumbing.config import REPO_ROOT
from plumbing.db import make_engine, make_session_factory
from plumbing.events.consumer import EventConsumer
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.uow import Messaging, SqlAlchemyUnitOfWork


def test_a_failing_handler_leaves_no_inbox_row_so_redelivery_runs_it_again(tmp_path):
    metadata = MetaData()
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    effects = Table("effects", metadata, Column("id", String(36), primary_key=True))
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    metadata.create_all(engine)
    schemas = EventSchemas(REPO_ROOT / "contracts" / "events")
    messaging = Messaging("test", outbox, inbox, schemas, FixedClock())
    factory = make_session_factory(engine)
    attempts = []

    def handler(envelope, uow):
        attempts.append(1)
        uow.session.execute(insert(effects).values(id=envelope.id))
        if len(attempts) == 1:
            raise RuntimeError("transient failure after the claim")

    data = {"account_id": str(uuid.uuid4()), "email": "a@b.ca", "kind": "employer"}
    body = Envelope.new("identity.account.verified", data, producer="identity",
                        occurred_at=FixedClock().now()).to_json()
    consumer = EventConsumer("test", lambda: SqlAlchemyUnitOfWork(factory, messaging),
                             {"identity.account.verified": [handler]}, schemas)
    with pytest.raises(RuntimeError):
        consumer(body, {})
    with factory() as session:
        assert session.execute(select(func.count()).select_from(inbox)).scalar() == 0
        assert session.execute(select(func.count()).select_from(effects)).scalar() == 0
    consumer(body, {})  # the redelivery
    consumer(body, {})  # a duplicate
    with factory() as session:
        assert session.execute(select(func.count()).select_from(inbox)).scalar() == 1
        assert session.execute(select(func.count()).select_from(effects)).scalar() == 1
    assert len(attempts) == 2
