"""The message bus: the one way into a service layer, the same in every service.

One handler signature everywhere: `handler(message, uow, deps) -> result`, where `message` is a
command, a domain event or an inbound integration event (an `Envelope`), `uow` the unit of work
and `deps` the service's own `Dependencies` (clock, clients, settings), bound once by bootstrap.

Explicit tables, written out by each service:

- `commands`: command type → its one handler;
- `events`: domain event type → list of handlers, run inside the unit of work's commit (they
  write integration events to the outbox, in the same transaction as the change);
- inbound integration events: event type → list of handlers, given to the `EventConsumer`
  through `consumer_handlers()`.

Who commits: the bus. `handle()` opens a unit of work, runs the handler and commits when it
returns; an exception rolls everything back. For inbound events the `EventConsumer` owns the
commit instead (the effect and the inbox record are one transaction). A handler commits itself
only to keep a step while it goes on (a failed login counts before refusing; the mailer records
each email's outcome as it sends): the bus's commit after it then has nothing left to write.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from plumbing.ports import EventDispatcher, UnitOfWork

log = logging.getLogger(__name__)

D = TypeVar("D")
T = TypeVar("T")

#: `handler(message, uow, deps)`: the one handler signature.
Handler = Callable[[Any, Any, Any], Any]
#: Makes a fresh unit of work that hands its domain events to the given dispatcher at commit.
UnitOfWorkFactory = Callable[[EventDispatcher], Any]


class IdempotencyKeyReused(Exception):
    """An `Idempotency-Key` already served a different call (another body or path): refuse (422)."""


@dataclass(frozen=True)
class Idempotent:
    """A state-changing call made with an idempotency key (a staff API call, a rendered form)."""

    account_id: str
    key: str
    fingerprint: str
    #: Turns the handler's result into the (status, JSON body) answer that is stored.
    answer: Callable[[Any, Any], tuple[int, Any]]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def fingerprint(*parts: Any) -> str:
    """A stable digest of what was asked (method, path, body) to spot a key reused for another call."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class MessageBus(Generic[D]):
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        deps: D,
        *,
        commands: Mapping[type, Handler],
        events: Mapping[type, Sequence[Handler]] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.deps = deps
        self.commands = dict(commands)
        self.events = dict(events or {})

    def new_uow(self) -> Any:
        """A fresh unit of work whose domain events go to this bus's event handlers."""
        return self.uow_factory(self.dispatch)

    def handle(self, command: Any) -> Any:
        """Run the command's handler in a new unit of work and commit; return what it returns."""
        with self.new_uow() as uow:
            result = self.handle_in(command, uow)
            uow.commit()
            return result

    def handle_in(self, command: Any, uow: Any) -> Any:
        """Run the command's handler in a unit of work someone else commits (the event consumer)."""
        try:
            handler = self.commands[type(command)]
        except KeyError:
            raise LookupError(f"no handler for {type(command).__name__}") from None
        log.debug("handling %s", type(command).__name__)
        return handler(command, uow, self.deps)

    def dispatch(self, event: Any, uow: Any) -> None:
        """Run the handlers of a domain event (the unit of work calls this at commit)."""
        for handler in self.events.get(type(event), ()):
            handler(event, uow, self.deps)

    def query(self, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read-only view `view(uow, ...)` in its own unit of work (nothing is committed)."""
        with self.new_uow() as uow:
            return view(uow, *args, **kwargs)

    def handle_idempotent(self, command: Any, call: Idempotent) -> Answer:
        """Like handle, but a repeated key gets the first answer back and the work is done once.

        The key and the answer are written in the command's own transaction. Two calls with one
        key at once: the later one loses on the key's uniqueness, or its handler refuses because the
        first one did the work (the name is taken now); either way it answers with what the first
        stored. A failure with no stored answer behind it is raised as it is.
        """
        with self.new_uow() as uow:
            stored = self._stored(uow, call)
            if stored is not None:
                return stored
            try:
                result = self.handle_in(command, uow)
                uow.flush()  # the answer may read what the handler just changed
                status, body = call.answer(result, uow)
                uow.idempotency.add(call.account_id, call.key, call.fingerprint, status, body)
                uow.commit()
            except Exception as exc:  # noqa: BLE001 - re-raised below unless the key's first call answered
                failed = exc  # the key taken at commit, or the work refused because the first call did it
            else:
                return Answer(status, body)
        with self.new_uow() as uow:
            stored = self._stored(uow, call)
        if stored is None:
            raise failed
        return stored

    @staticmethod
    def _stored(uow: UnitOfWork, call: Idempotent) -> Answer | None:
        row = uow.idempotency.get(call.account_id, call.key)
        if row is None:
            return None
        if row.fingerprint != call.fingerprint:
            raise IdempotencyKeyReused(call.key)
        return Answer(row.status, row.body, replayed=True)

    def consumer_handlers(
        self, table: Mapping[str, Sequence[Handler]]
    ) -> dict[str, list[Callable[[Any, Any], None]]]:
        """The inbound-event table with `deps` bound, as `plumbing.events.consumer.EventConsumer`
        calls its handlers: `(envelope, uow)`, the consumer committing with the inbox record."""
        deps = self.deps

        def bind(handler: Handler) -> Callable[[Any, Any], None]:
            def bound(envelope: Any, uow: Any) -> None:
                handler(envelope, uow, deps)

            bound.__name__ = getattr(handler, "__name__", "handler")
            return bound

        return {event_type: [bind(h) for h in handlers] for event_type, handlers in table.items()}
