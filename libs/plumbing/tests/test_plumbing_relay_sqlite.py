"""The outbox relay against SQLite (the embedded mode's database) with a fake publisher."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import plumbing_notes
import pytest

from plumbing.events.envelope import Envelope
from plumbing.events.transport import PublishError
from plumbing.testing import wait_until


class FlakyPublisher:
    """Fails while `down` is set, or for the ids in `fail_ids`; records what it published."""

    def __init__(self) -> None:
        self.down = False
        self.fail_ids: set[str] = set()
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, envelope: Envelope, body: bytes, headers: Mapping[str, Any]) -> None:
        if self.down or envelope.id in self.fail_ids:
            raise PublishError("broker unreachable")
        self.published.append((envelope.id, dict(headers)))

    def close(self) -> None:
        return None


@pytest.fixture
def sqlite_app(tmp_path: Path, schemas_dir: Path) -> Iterator[plumbing_notes.NotesApp]:
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    plumbing_notes.create_tables(url)
    app = plumbing_notes.build_app(url, schemas_dir)
    yield app
    app.close()


def test_failed_publish_keeps_the_row_counts_attempts_and_keeps_order(sqlite_app: plumbing_notes.NotesApp) -> None:
    publisher = FlakyPublisher()
    relay = sqlite_app.relay(publisher)
    first, second, third = (sqlite_app.create_note(f"note {i}") for i in range(3))
    publisher.fail_ids = {second.id}

    for expected_attempts in (1, 2):
        with pytest.raises(PublishError):
            relay.publish_pending()
        rows = {r["message_id"]: r for r in sqlite_app.outbox_rows()}
        assert rows[first.id]["published_at"] is not None
        assert rows[second.id]["published_at"] is None
        assert rows[second.id]["attempts"] == expected_attempts
        assert "broker unreachable" in rows[second.id]["last_error"]
        # Nothing after the failed row goes out of order.
        assert rows[third.id]["published_at"] is None
        assert rows[third.id]["attempts"] == 0

    publisher.fail_ids = set()
    assert relay.publish_pending() == 2
    assert [message_id for message_id, _ in publisher.published] == [first.id, second.id, third.id]
    assert all(r["published_at"] is not None for r in sqlite_app.outbox_rows())
    assert relay.publish_pending() == 0


def test_relay_headers_carry_the_message_id_and_type(sqlite_app: plumbing_notes.NotesApp) -> None:
    publisher = FlakyPublisher()
    relay = sqlite_app.relay(publisher)
    envelope = sqlite_app.create_note()
    relay.publish_pending()
    [(message_id, headers)] = publisher.published
    assert message_id == envelope.id
    assert headers["message_id"] == envelope.id
    assert headers["type"] == plumbing_notes.NOTE_CREATED


def test_running_relay_survives_an_outage_and_is_woken_by_commits(sqlite_app: plumbing_notes.NotesApp) -> None:
    publisher = FlakyPublisher()
    publisher.down = True
    relay = sqlite_app.relay(publisher)
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop, 0.05, 0.2), daemon=True)
    thread.start()
    try:
        envelope = sqlite_app.create_note()
        wait_until(lambda: sqlite_app.outbox_row(envelope.id)["attempts"] >= 2, timeout=5)
        assert sqlite_app.outbox_row(envelope.id)["published_at"] is None
        publisher.down = False
        wait_until(lambda: sqlite_app.outbox_row(envelope.id)["published_at"] is not None, timeout=5)
        assert [m for m, _ in publisher.published] == [envelope.id]
    finally:
        stop.set()
        relay.wake()
        thread.join(5)
    assert not thread.is_alive()


def test_relay_scrubs_the_named_fields_of_a_published_row_and_sends_them_whole(
    sqlite_app: plumbing_notes.NotesApp,
) -> None:
    """A per-type option: once published, the stored body loses the named fields (a CV, say); the
    broker got them; other types and rows not yet published keep theirs."""
    from plumbing.clock import SystemClock
    from plumbing.events.relay import OutboxRelay

    bodies: list[dict[str, Any]] = []

    class Recording(FlakyPublisher):
        def publish(self, envelope: Envelope, body: bytes, headers: Mapping[str, Any]) -> None:
            super().publish(envelope, body, headers)
            bodies.append(json.loads(body))

    publisher = Recording()
    relay = OutboxRelay(
        sqlite_app.session_factory, plumbing_notes.outbox, publisher, SystemClock(), producer="notes",
        scrub_types={plumbing_notes.NOTE_CREATED: ("data.text", "data.missing.path")},
    )
    kept = OutboxRelay(sqlite_app.session_factory, plumbing_notes.outbox, publisher, SystemClock(), producer="notes")
    first = sqlite_app.create_note("secret CV bytes")
    kept.publish_pending()  # a relay without the option leaves the body alone
    assert json.loads(sqlite_app.outbox_row(first.id)["body"])["data"]["text"] == "secret CV bytes"

    second = sqlite_app.create_note("other secret")
    publisher.fail_ids = {second.id}
    with pytest.raises(PublishError):
        relay.publish_pending()
    assert json.loads(sqlite_app.outbox_row(second.id)["body"])["data"]["text"] == "other secret"  # not out yet

    publisher.fail_ids = set()
    assert relay.publish_pending() == 1
    assert bodies[-1]["data"]["text"] == "other secret"  # the broker got it whole
    stored = json.loads(sqlite_app.outbox_row(second.id)["body"])
    assert stored["data"] == {"note_id": second.data["note_id"], "text": ""}
    assert stored["id"] == second.id and stored["type"] == plumbing_notes.NOTE_CREATED
    assert sqlite_app.outbox_row(second.id)["published_at"] is not None
