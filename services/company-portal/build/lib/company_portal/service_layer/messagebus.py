"""company-portal's message bus: plumbing's MessageBus with this service's two tables.

`handle` runs a command's handler in a fresh unit of work and commits; `handle_idempotent` (staff
API) stores the key and the answer in that same transaction, so a retry gets the first answer back
instead of doing the work twice (plumbing.messagebus).
"""

from __future__ import annotations

from company_portal.service_layer.handlers import COMMAND_HANDLERS
from company_portal.service_layer.integration import EVENT_HANDLERS
from company_portal.service_layer.ports import Dependencies
from plumbing.messagebus import Answer, IdempotencyKeyReused, Idempotent, MessageBus, UnitOfWorkFactory, fingerprint

__all__ = ["Answer", "IdempotencyKeyReused", "Idempotent", "MessageBus", "fingerprint", "portal_bus"]


def portal_bus(uow_factory: UnitOfWorkFactory, deps: Dependencies) -> MessageBus[Dependencies]:
    """The bus of company-portal: its command handlers, and the domain events → outbox handlers."""
    return MessageBus(uow_factory, deps, commands=COMMAND_HANDLERS, events=EVENT_HANDLERS)
