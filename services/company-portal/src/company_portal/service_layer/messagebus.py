"""The message bus: the one way into the service layer for pages, API and seed.

`handle` runs a command's handler in a fresh unit of work and commits; with an `Idempotent`
call (staff API), the key and the answer are stored in that same transaction, so a retry gets
the first answer back instead of doing the work twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from company_portal.domain import errors
from company_portal.domain.events import Event
from company_portal.service_layer.commands import Command
from company_portal.service_layer.handlers import COMMAND_HANDLERS, CommandHandler
from company_portal.service_layer.integration import EVENT_HANDLERS, EventHandler
from company_portal.service_layer.ports import Dependencies
from company_portal.service_layer.unit_of_work import EventPublisher, UniqueViolation, UnitOfWork

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Makes a fresh unit of work that hands its domain events to the given publisher on commit.
UnitOfWorkFactory = Callable[[EventPublisher], UnitOfWork]


@dataclass(frozen=True)
class Idempotent:
    """A state-changing call made with an `Idempotency-Key`."""

    account_id: str
    key: str
    fingerprint: str
    #: Turns the handler's result into the (status, JSON body) answer that is stored.
    answer: Callable[[Any, UnitOfWork], tuple[int, Any]]


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    replayed: bool = False


def fingerprint(*parts: Any) -> str:
    """A stable digest of what was asked (method, path, body) to spot a key reused for another call."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def key_reused() -> errors.PortalError:
    error = errors.PortalError(
        "idempotency_key_reused", "Cette clé d'idempotence a déjà servi pour une autre requête.",
        "This idempotency key was already used for a different request.", field="Idempotency-Key")
    error.status = 422
    return error


def make_publisher(deps: Dependencies,
                   event_handlers: dict[type[Event], list[EventHandler]] | None = None) -> EventPublisher:
    table = EVENT_HANDLERS if event_handlers is None else event_handlers

    def publish(event: Event, uow: UnitOfWork) -> None:
        for handler in table.get(type(event), []):
            handler(event, uow, deps)

    return publish


class MessageBus:
    def __init__(self, uow_factory: UnitOfWorkFactory, deps: Dependencies,
                 command_handlers: dict[type[Command], CommandHandler] | None = None) -> None:
        self.uow_factory = uow_factory
        self.deps = deps
        self.command_handlers = COMMAND_HANDLERS if command_handlers is None else command_handlers
        self.publish = make_publisher(deps)

    def new_uow(self) -> UnitOfWork:
        return self.uow_factory(self.publish)

    def handle(self, command: Command) -> Any:
        """Run the command's handler and commit; return what the handler returns."""
        handler = self.command_handlers[type(command)]
        log.debug("handling %s", type(command).__name__)
        with self.new_uow() as uow:
            result = handler(command, uow, self.deps)
            uow.commit()
            return result

    def handle_idempotent(self, command: Command, call: Idempotent) -> Answer:
        """Like handle, but answer a repeated key with the stored answer (and refuse a reused key)."""
        handler = self.command_handlers[type(command)]
        with self.new_uow() as uow:
            stored = self._stored(uow, call)
            if stored is not None:
                return stored
            result = handler(command, uow, self.deps)
            uow.flush()
            status, body = call.answer(result, uow)
            uow.idempotency.add(call.account_id, call.key, call.fingerprint, status, body, self.deps.clock.now())
            try:
                uow.commit()
            except UniqueViolation as exc:
                raced = exc  # another request with this key won, or another unique value clashed
            else:
                return Answer(status, body)
        with self.new_uow() as uow:
            stored = self._stored(uow, call)
        if stored is None:
            raise raced
        return stored

    @staticmethod
    def _stored(uow: UnitOfWork, call: Idempotent) -> Answer | None:
        row = uow.idempotency.get(call.account_id, call.key)
        if row is None:
            return None
        if row["fingerprint"] != call.fingerprint:
            raise key_reused()
        return Answer(int(row["status"]), row["body"], replayed=True)

    def query(self, view: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read-only view (service_layer.views) in its own unit of work."""
        with self.new_uow() as uow:
            return view(uow, *args, **kwargs)
