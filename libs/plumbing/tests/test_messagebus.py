"""plumbing's MessageBus: one handler per command, a list per event, the bus owns the commit, and
idempotency keys answer a repeated call with the first answer (in memory and on SQLite)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import MetaData

from plumbing import fakes
from plumbing.clock import FixedClock
from plumbing.config import REPO_ROOT
from plumbing.db import make_engine, make_session_factory
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.idempotency import idempotency_table
from plumbing.messagebus import Answer, IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from plumbing.ports import UniqueViolation
from plumbing.uow import Messaging, SqlAlchemyUnitOfWork


@dataclass(frozen=True)
class Rename:
    name: str


@dataclass(frozen=True)
class Renamed:
    name: str


@dataclass
class Deps:
    log: list[str] = field(default_factory=list)


class FakeUnitOfWork(fakes.FakeUnitOfWork):
    """Shared across units of work (the test reads it); domain events drained at commit."""

    def __init__(self, dispatch: Any, store: fakes.InMemoryIdempotencyStore) -> None:
        super().__init__(dispatch)
        self.idempotency = store
        self.recorded: list[Any] = []

    def collect_new_events(self) -> list[Any]:
        events, self.recorded = self.recorded, []
        return events


def rename(cmd: Rename, uow: FakeUnitOfWork, deps: Deps) -> str:
    if not cmd.name:
        raise ValueError("a name is required")
    uow.recorded.append(Renamed(cmd.name))
    return cmd.name.upper()


def publish_renamed(event: Renamed, uow: FakeUnitOfWork, deps: Deps) -> None:
    uow.emit("test.thing.renamed", {"name": event.name})


def log_renamed(event: Renamed, uow: FakeUnitOfWork, deps: Deps) -> None:
    deps.log.append(event.name)


@pytest.fixture
def made() -> list[FakeUnitOfWork]:
    return []


@pytest.fixture
def bus(made: list[FakeUnitOfWork]) -> MessageBus[Deps]:
    store = fakes.InMemoryIdempotencyStore()

    def new_uow(dispatch: Any) -> FakeUnitOfWork:
        made.append(FakeUnitOfWork(dispatch, store))
        return made[-1]

    return MessageBus(new_uow, Deps(), commands={Rename: rename}, events={Renamed: [publish_renamed, log_renamed]})


def test_a_command_runs_its_handler_and_the_bus_commits_with_its_events(bus, made):
    assert bus.handle(Rename("laval")) == "LAVAL"
    (uow,) = made
    assert uow.committed == 1 and uow.emitted == [("test.thing.renamed", {"name": "laval"})]
    assert bus.deps.log == ["laval"]  # every handler of the event ran


def test_a_failing_handler_commits_nothing(bus, made):
    with pytest.raises(ValueError, match="required"):
        bus.handle(Rename(""))
    assert made[0].committed == 0 and made[0].emitted == []


def test_an_unknown_command_is_a_clear_error(bus):
    with pytest.raises(LookupError, match="no handler for Renamed"):
        bus.handle(Renamed("x"))


def test_a_repeated_key_gets_the_first_answer_and_a_reused_key_is_refused(bus, made):
    def call(key: str, name: str, account: str = "staff-1") -> Idempotent:
        return Idempotent(account, key, fingerprint("rename", name), lambda result, uow: (201, {"name": result}))

    first = bus.handle_idempotent(Rename("laval"), call("key-1", "laval"))
    again = bus.handle_idempotent(Rename("laval"), call("key-1", "laval"))
    assert (first.status, first.body, first.replayed) == (201, {"name": "LAVAL"}, False)
    assert (again.body, again.replayed) == (first.body, True)
    assert sum(uow.committed for uow in made) == 1 and bus.deps.log == ["laval"]  # done once
    with pytest.raises(IdempotencyKeyReused):
        bus.handle_idempotent(Rename("québec"), call("key-1", "québec"))
    assert bus.handle_idempotent(Rename("québec"), call("key-1", "québec", "staff-2")).replayed is False  # per caller


def test_inbound_event_handlers_get_the_deps_bound(bus):
    seen = []
    table = bus.consumer_handlers({"x.y.z": [lambda envelope, uow, deps: seen.append((envelope, uow, deps))]})
    table["x.y.z"][0]("env", "uow")
    assert seen == [("env", "uow", bus.deps)]


# On SQLite: plumbing's unit of work, its idempotency store and the race on one key -----------
@pytest.fixture
def sql_bus(tmp_path) -> MessageBus[Deps]:
    metadata = MetaData()
    messaging = Messaging("test", outbox_table(metadata), inbox_table(metadata),
                          EventSchemas(REPO_ROOT / "contracts" / "events"), FixedClock(),
                          idempotency=idempotency_table(metadata))
    engine = make_engine(f"sqlite:///{tmp_path / 'bus.db'}")
    metadata.create_all(engine)
    factory = make_session_factory(engine)
    calls: list[str] = []

    def count(cmd: Rename, uow: Any, deps: Deps) -> str:
        calls.append(cmd.name)
        return cmd.name

    bus = MessageBus(lambda dispatch: SqlAlchemyUnitOfWork(factory, messaging, dispatch), Deps(),
                     commands={Rename: count})
    bus.calls = calls  # type: ignore[attr-defined]
    return bus


def test_the_idempotency_store_on_sqlite_keeps_the_answer(sql_bus):
    call = Idempotent("staff-1", "key-00000001", fingerprint("rename", "a"), lambda r, uow: (200, {"r": r}))
    assert sql_bus.handle_idempotent(Rename("a"), call).replayed is False
    replay = sql_bus.handle_idempotent(Rename("a"), call)
    assert (replay.status, replay.body, replay.replayed) == (200, {"r": "a"}, True)
    assert sql_bus.calls == ["a"]


def test_a_key_written_twice_is_a_unique_violation_on_sqlite(sql_bus):
    with sql_bus.new_uow() as first:
        first.idempotency.add("staff-1", "key-00000002", "f", 200, {})
        first.commit()
    with sql_bus.new_uow() as second, pytest.raises(UniqueViolation):
        second.idempotency.add("staff-1", "key-00000002", "f", 200, {})


def test_two_calls_with_one_key_at_once_answer_alike():
    """Both read no answer; the other call stores its answer first, so ours loses on the key's
    uniqueness and answers with what the other stored."""
    call = Idempotent("staff-1", "key-3", fingerprint("rename", "b"), lambda r, uow: (200, {"r": r}))

    class LosingStore(fakes.InMemoryIdempotencyStore):
        """Reads nothing (the other call has not committed yet); the insert then loses the race."""

        def add(self, account_id: str, key: str, fingerprint: str, status: int, body: Any) -> None:
            stored.answers[(account_id, key)] = fakes.StoredAnswer(fingerprint, 200, {"r": "theirs"})
            raise UniqueViolation("idempotency_keys")

    stored = fakes.InMemoryIdempotencyStore()
    stores = [LosingStore(), stored]

    def new_uow(dispatch: Any) -> fakes.FakeUnitOfWork:
        uow = fakes.FakeUnitOfWork(dispatch)
        uow.idempotency = stores.pop(0)
        return uow

    bus = MessageBus(new_uow, Deps(), commands={Rename: lambda cmd, uow, deps: cmd.name})
    answer = bus.handle_idempotent(Rename("b"), call)
    assert (answer.body, answer.replayed) == ({"r": "theirs"}, True)


def test_a_unit_of_work_without_an_idempotency_table_says_so(tmp_path):
    metadata = MetaData()
    messaging = Messaging("test", outbox_table(metadata), inbox_table(metadata),
                          EventSchemas(REPO_ROOT / "contracts" / "events"), FixedClock())
    engine = make_engine(f"sqlite:///{tmp_path / 'none.db'}")
    with SqlAlchemyUnitOfWork(make_session_factory(engine), messaging) as uow, \
            pytest.raises(RuntimeError, match="idempotency_keys"):
        uow.idempotency.get("a", "k")


def test_the_fake_unit_of_work_claims_each_message_once():
    uow = fakes.FakeUnitOfWork()
    envelope = Envelope.new("x.y.z", {}, producer="t", occurred_at=FixedClock().now())
    assert uow.claim_message(envelope, "c") is True and uow.claim_message(envelope, "c") is False


def test_a_call_refused_because_its_twin_did_the_work_answers_like_the_twin():
    """The twin committed while this call ran: its handler refuses (the group name is taken now),
    and the call answers with the twin's stored answer instead of the refusal."""
    store = fakes.InMemoryIdempotencyStore()
    call = Idempotent("staff-1", "key-4", fingerprint("rename", "c"), lambda r, uow: (201, {"r": r}))

    def twin_won(cmd: Rename, uow: Any, deps: Deps) -> str:
        store.add("staff-1", "key-4", call.fingerprint, 201, {"r": "twin"})
        raise ValueError("this name is taken")

    def new_uow(dispatch: Any) -> fakes.FakeUnitOfWork:
        uow = fakes.FakeUnitOfWork(dispatch)
        uow.idempotency = store
        return uow

    bus = MessageBus(new_uow, Deps(), commands={Rename: twin_won})
    assert bus.handle_idempotent(Rename("c"), call) == Answer(201, {"r": "twin"}, replayed=True)
    other = Idempotent("staff-1", "key-5", fingerprint("rename", "c"), call.answer)
    with pytest.raises(ValueError, match="taken"):  # nothing stored for this key: the refusal stands
        MessageBus(lambda d: fakes.FakeUnitOfWork(d), Deps(), commands={Rename: twin_won}).handle_idempotent(
            Rename("c"), other)
