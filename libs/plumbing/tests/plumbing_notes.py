"""A tiny test-only service ("notes") wired the way real services wire plumbing.

It writes a note and its `test.note.created` event in one unit of work; its consumer records one
"effect" row per handled event, with the inbox record, in one transaction. Used by the tests and
by the consumer subprocess script (plumbing_consumer_proc.py).
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from plumbing.clock import SystemClock
from plumbing.db import make_engine, make_session_factory
from plumbing.events.consumer import EventConsumer
from plumbing.events.envelope import Envelope
from plumbing.events.relay import OutboxRelay
from plumbing.events.schemas import EventSchemas
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.events.transport import Publisher
from plumbing.uow import Messaging, SqlAlchemyUnitOfWork

REPO_ROOT = Path(__file__).resolve().parents[3]
ENVELOPE_SCHEMA = REPO_ROOT / "contracts" / "events" / "envelope.schema.json"
NOTE_CREATED = "test.note.created"
CONSUMER_NAME = "notes-projector"
NOTE_CREATED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "test.note.created v1 (tests only)",
    "type": "object",
    "required": ["note_id", "text"],
    "additionalProperties": False,
    "properties": {
        "note_id": {"type": "string", "minLength": 36, "maxLength": 36},
        "text": {"type": "string", "maxLength": 200},
    },
}

# A breaking change in tests: the text became an object (published beside v1, decisions.md, "Event evolution").
NOTE_CREATED_V2_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "test.note.created v2 (tests only): the text became an object",
    "type": "object",
    "required": ["note_id", "body"],
    "additionalProperties": False,
    "properties": {
        "note_id": {"type": "string", "minLength": 36, "maxLength": 36},
        "body": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
    },
}

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("text", Text, nullable=False),
)
note_effects = Table(
    "note_effects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("note_id", String(36), nullable=False),
    Column("message_id", String(36), nullable=False),
)
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)


def write_schemas(directory: Path) -> Path:
    """Lay out a contracts/events folder: the real envelope schema and the test event schema."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ENVELOPE_SCHEMA, directory / "envelope.schema.json")
    (directory / f"{NOTE_CREATED}.v1.schema.json").write_text(json.dumps(NOTE_CREATED_SCHEMA), encoding="utf-8")
    return directory


class NotesUnitOfWork(SqlAlchemyUnitOfWork):
    def add_note(self, text: str) -> Envelope:
        note_id = str(uuid.uuid4())
        self.session.execute(insert(notes).values(id=note_id, text=text))
        return self.emit(NOTE_CREATED, {"note_id": note_id, "text": text})


@dataclass
class NotesApp:
    engine: Engine
    session_factory: sessionmaker[Session]
    schemas: EventSchemas
    after_commit_hooks: list[Callable[[], None]] = field(default_factory=list)

    @property
    def messaging(self) -> Messaging:
        return Messaging(
            producer="notes",
            outbox=outbox,
            inbox=inbox,
            schemas=self.schemas,
            clock=SystemClock(),
            after_commit=self._after_commit,
        )

    def _after_commit(self) -> None:
        for hook in self.after_commit_hooks:
            hook()

    def uow(self) -> NotesUnitOfWork:
        return NotesUnitOfWork(self.session_factory, self.messaging)

    def create_note(self, text: str = "hello") -> Envelope:
        with self.uow() as uow:
            envelope = uow.add_note(text)
            uow.commit()
        return envelope

    def relay(self, publisher: Publisher) -> OutboxRelay:
        relay = OutboxRelay(self.session_factory, outbox, publisher, SystemClock(), producer="notes")
        self.after_commit_hooks.append(relay.wake)
        return relay

    def consumer(self, before_effect: Callable[[Envelope], None] | None = None) -> EventConsumer:
        """The consumer; `before_effect` runs inside the handler (raise there to simulate failures)."""

        def record_effect(envelope: Envelope, uow: Any) -> None:
            if before_effect is not None:
                before_effect(envelope)
            uow.session.execute(
                insert(note_effects).values(note_id=envelope.data["note_id"], message_id=envelope.id)
            )

        return EventConsumer(CONSUMER_NAME, self.uow, {NOTE_CREATED: [record_effect]}, self.schemas)

    # Inspection ----------------------------------------------------------------------------
    def effect_count(self, message_id: str | None = None) -> int:
        query = select(func.count()).select_from(note_effects)
        if message_id is not None:
            query = query.where(note_effects.c.message_id == message_id)
        with self.session_factory() as session:
            return session.execute(query).scalar_one()

    def inbox_count(self, message_id: str | None = None) -> int:
        query = select(func.count()).select_from(inbox)
        if message_id is not None:
            query = query.where(inbox.c.message_id == message_id)
        with self.session_factory() as session:
            return session.execute(query).scalar_one()

    def outbox_row(self, message_id: str) -> dict[str, Any]:
        with self.session_factory() as session:
            row = session.execute(select(outbox).where(outbox.c.message_id == message_id)).mappings().one()
            return dict(row)

    def outbox_rows(self) -> list[dict[str, Any]]:
        with self.session_factory() as session:
            return [dict(r) for r in session.execute(select(outbox).order_by(outbox.c.seq)).mappings()]

    def close(self) -> None:
        self.engine.dispose()


def build_app(database_url: str, schemas_dir: Path, pool_size: int = 5) -> NotesApp:
    engine = make_engine(database_url, pool_size=pool_size)
    return NotesApp(engine, make_session_factory(engine), EventSchemas(schemas_dir))


def create_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()
