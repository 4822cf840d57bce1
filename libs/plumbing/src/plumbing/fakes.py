"""In-memory stand-ins of the ports, for unit tests through a service's message bus.

    class FakeUnitOfWork(plumbing.fakes.FakeUnitOfWork):
        def __init__(self, dispatch):
            super().__init__(dispatch)
            self.brandings = FakeBrandings()      # the service's repositories

    bus = MessageBus(FakeUnitOfWork, deps, commands=COMMAND_HANDLERS)

Nothing is rolled back (tests look at what was written); `committed` counts commits, `emitted`
holds the integration events written to the "outbox" of committed units of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from plumbing.ports import EventDispatcher, StoredAnswer

__all__ = ["FakeUnitOfWork", "InMemoryIdempotencyStore", "StoredAnswer"]


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], StoredAnswer] = {}

    def get(self, account_id: str, key: str) -> StoredAnswer | None:
        return self.answers.get((account_id, key))

    def add(self, account_id: str, key: str, fingerprint: str, status: int, body: Any) -> None:
        self.answers[(account_id, key)] = StoredAnswer(fingerprint, status, body)


class FakeUnitOfWork:
    """`plumbing.ports.UnitOfWork` in memory; subclasses add their repositories."""

    def __init__(self, dispatch: EventDispatcher | None = None) -> None:
        self.dispatch = dispatch
        self.idempotency = InMemoryIdempotencyStore()
        self.inbox: set[tuple[str, str]] = set()
        self.emitted: list[tuple[str, dict[str, Any]]] = []
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self.committed = 0

    def __enter__(self) -> Self:
        self._pending = []
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.rollback()

    def emit(self, event_type: str, data: dict[str, Any], version: int = 1) -> None:
        self._pending.append((event_type, data))

    def claim_message(self, envelope: Any, consumer: str) -> bool:
        if (envelope.id, consumer) in self.inbox:
            return False
        self.inbox.add((envelope.id, consumer))
        return True

    def collect_new_events(self) -> Iterable[Any]:
        """Subclasses drain their aggregates' domain events here (none by default)."""
        return ()

    def flush(self) -> None:
        return None

    def commit(self) -> None:
        while events := list(self.collect_new_events()):
            for event in events:
                if self.dispatch is not None:
                    self.dispatch(event, self)
        self.emitted.extend(self._pending)
        self._pending = []
        self.committed += 1

    def rollback(self) -> None:
        self._pending = []
