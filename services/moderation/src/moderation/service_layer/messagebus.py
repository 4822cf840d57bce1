"""The message bus: route a command to its one handler inside a unit of work."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from moderation.domain.model import AlreadyDecided
from moderation.service_layer.handlers import COMMAND_HANDLERS, Handler
from moderation.service_layer.unit_of_work import ModerationUnitOfWork
from plumbing.clock import Clock


class MessageBus:
    def __init__(self, uow_factory: Callable[[], ModerationUnitOfWork], clock: Clock,
                 handlers: Mapping[type, Handler] = COMMAND_HANDLERS) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.handlers = handlers

    def handle(self, command: Any) -> Any:
        """Run the command in its own transaction and commit (pages, tools, tests)."""
        with self.uow_factory() as uow:
            try:
                result = self.handle_in(command, uow)
                uow.commit()
            except StaleDataError as exc:
                # Two staff members decided the same item at once: the second one loses.
                raise AlreadyDecided() from exc
            return result

    def handle_in(self, command: Any, uow: ModerationUnitOfWork) -> Any:
        """Run the command inside a unit of work someone else commits (the event consumer)."""
        return self.handlers[type(command)](command, uow, self.clock)
