"""Tolerant reading, versions side by side, poison and failure classification (no servers)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import plumbing_notes
import psycopg
import pytest
import sqlalchemy.exc
from sqlalchemy import select

from plumbing.clock import SystemClock
from plumbing.events.consumer import EventConsumer
from plumbing.events.envelope import Envelope, PoisonMessage, split_version
from plumbing.events.schemas import EventSchemaError
from plumbing.events.transport import InfrastructureError, is_infrastructure_failure, is_poison

KEY = plumbing_notes.NOTE_CREATED
V2_SCHEMA = plumbing_notes.NOTE_CREATED_V2_SCHEMA


@pytest.fixture
def app(tmp_path: Path, schemas_dir: Path) -> Iterator[plumbing_notes.NotesApp]:
    (schemas_dir / f"{KEY}.v2.schema.json").write_text(json.dumps(V2_SCHEMA), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    plumbing_notes.create_tables(url)
    notes = plumbing_notes.build_app(url, schemas_dir)
    yield notes
    notes.close()


def envelope_body(data: dict[str, Any], **extra: Any) -> bytes:
    raw = Envelope.new(KEY, data, producer="notes", occurred_at=SystemClock().now()).to_dict()
    raw.update(extra)
    return json.dumps(raw).encode()


def test_a_newer_producers_extra_fields_are_ignored_by_todays_consumer(app: plumbing_notes.NotesApp) -> None:
    data = {"note_id": str(uuid.uuid4()), "text": "hello", "colour": "blue"}  # "colour": added later
    body = envelope_body(data, schema_url="https://example.org/v1.1")  # and one in the envelope
    app.consumer()(body, {})
    assert app.effect_count() == 1
    with app.uow() as uow, pytest.raises(EventSchemaError, match="colour"):
        uow.emit(KEY, data)  # while producers still validate strictly on emit


@pytest.mark.parametrize(
    ("data", "extra", "why"),
    [
        ({"text": "no id"}, {}, "note_id"),
        ({"note_id": str(uuid.uuid4()), "text": 42}, {}, "text"),
        ({"note_id": str(uuid.uuid4()), "text": "x"}, {"version": "1"}, "version"),
        ({"note_id": str(uuid.uuid4()), "text": "x"}, {"producer": None}, "producer"),
    ],
)
def test_a_missing_or_mistyped_field_is_poison(app: plumbing_notes.NotesApp, data, extra, why) -> None:
    with pytest.raises(PoisonMessage, match=why):
        app.consumer()(envelope_body(data, **extra), {})
    assert app.effect_count() == 0


def test_deeply_nested_json_is_poison_at_once() -> None:
    nested = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(PoisonMessage, match="nested"):
        Envelope.from_json(nested)
    assert is_poison(RecursionError())


def test_a_consumer_that_knows_only_v1_gets_v1_when_v2_is_published_beside_it(app: plumbing_notes.NotesApp) -> None:
    note_id = str(uuid.uuid4())
    with app.uow() as uow:
        v1, v2 = uow.emit_versions(KEY, {1: {"note_id": note_id, "text": "hi"},
                                         2: {"note_id": note_id, "body": {"text": "hi"}}})
        uow.commit()
    assert (v1.id, v1.version, v2.version) == (v2.id, 1, 2)  # one event, two versions
    bodies = [row["body"].encode() for row in app.outbox_rows()]
    assert len(bodies) == 2

    seen: list[int] = []
    v1_only = app.consumer(before_effect=lambda envelope: seen.append(envelope.version))
    for body in bodies:
        v1_only(body, {})
    assert seen == [1]
    assert app.effect_count() == 1


def test_a_consumer_moving_to_v2_and_still_handling_v1_acts_once(app: plumbing_notes.NotesApp) -> None:
    note_id = str(uuid.uuid4())
    with app.uow() as uow:
        uow.emit_versions(KEY, {1: {"note_id": note_id, "text": "hi"}, 2: {"note_id": note_id, "body": {"text": "hi"}}})
        uow.commit()
    handled: list[int] = []
    both = EventConsumer("both", app.uow, {
        KEY: [lambda envelope, uow: handled.append(1)],
        f"{KEY}.v2": [lambda envelope, uow: handled.append(2)],
    }, app.schemas)
    assert both.binding_keys == (KEY,)
    for row in reversed(app.outbox_rows()):  # the v2 copy arrives first
        both(row["body"].encode(), {})
    assert handled == [2]
    with app.session_factory() as session:
        assert len(session.execute(select(plumbing_notes.inbox)).all()) == 1


def test_split_version() -> None:
    assert split_version("portal.membership.granted") == ("portal.membership.granted", 1)
    assert split_version("portal.membership.granted.v2") == ("portal.membership.granted", 2)


def _wrapped(exc: Exception) -> Exception:
    try:
        try:
            raise exc
        except Exception as inner:
            raise RuntimeError("while handling") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "infra"),
    [
        (sqlalchemy.exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")), True),
        (sqlalchemy.exc.InterfaceError("SELECT 1", {}, Exception("closed")), True),
        (psycopg.errors.SerializationFailure("could not serialize"), True),
        (psycopg.errors.QueryCanceled("canceling statement due to statement timeout"), True),
        (ValueError("Expected connected socket, but getpeername() failed"), False),
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (InfrastructureError("identity is down"), True),
        (_wrapped(psycopg.OperationalError("server closed the connection")), True),
        (sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("duplicate")), False),
        (KeyError("note_id"), False),
        (RuntimeError("a bug"), False),
    ],
)
def test_infrastructure_failures_are_told_from_message_failures(exc: Exception, infra: bool) -> None:
    assert is_infrastructure_failure(exc) is infra
