"""identity's message bus: plumbing's MessageBus with this service's two tables."""

from __future__ import annotations

from identity.service_layer.handlers import COMMAND_HANDLERS, EVENT_HANDLERS
from identity.service_layer.ports import Dependencies
from plumbing.messagebus import MessageBus, UnitOfWorkFactory

__all__ = ["MessageBus", "identity_bus"]


def identity_bus(uow_factory: UnitOfWorkFactory, deps: Dependencies) -> MessageBus[Dependencies]:
    """The bus of identity: its command handlers, and the domain events → outbox handlers."""
    return MessageBus(uow_factory, deps, commands=COMMAND_HANDLERS, events=EVENT_HANDLERS)
