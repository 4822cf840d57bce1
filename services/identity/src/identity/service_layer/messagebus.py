"""The message bus: the one way in to the service layer, for every entrypoint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from identity.domain.events import Event
from identity.service_layer.commands import Command
from identity.service_layer.handlers import COMMAND_HANDLERS, EVENT_HANDLERS, CommandHandler, EventHandler
from identity.service_layer.ports import Dependencies
from identity.service_layer.unit_of_work import EventPublisher, UnitOfWork

log = logging.getLogger(__name__)

#: Makes a fresh unit of work that hands its domain events to the given publisher on commit.
UnitOfWorkFactory = Callable[[EventPublisher], UnitOfWork]


class MessageBus:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        deps: Dependencies,
        command_handlers: dict[type[Command], CommandHandler] | None = None,
        event_handlers: dict[type[Event], list[EventHandler]] | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.deps = deps
        self.command_handlers = COMMAND_HANDLERS if command_handlers is None else command_handlers
        self.event_handlers = EVENT_HANDLERS if event_handlers is None else event_handlers

    def handle(self, command: Command) -> Any:
        """Run the command's handler in a new unit of work; return what it returns."""
        handler = self.command_handlers[type(command)]
        log.debug("handling %s", type(command).__name__)
        return handler(command, self.uow_factory(self._publish), self.deps)

    def _publish(self, event: Event, uow: UnitOfWork) -> None:
        for handler in self.event_handlers.get(type(event), []):
            handler(event, uow, self.deps)
