"""Dispatch commands to their handlers, with dependencies bound once by bootstrap."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any


def inject(handler: Callable[..., Any], dependencies: Mapping[str, Any]) -> Callable[..., Any]:
    """Bind the keyword dependencies the handler declares (cosmicpython's `inject_dependencies`)."""
    params = inspect.signature(handler).parameters
    bound = partial(handler, **{name: dep for name, dep in dependencies.items() if name in params})
    bound.__name__ = handler.__name__  # type: ignore[attr-defined]
    return bound


class MessageBus:
    def __init__(self, command_handlers: Mapping[type, Callable[[Any], Any]]) -> None:
        self.command_handlers = dict(command_handlers)

    def handle(self, command: object) -> Any:
        return self.command_handlers[type(command)](command)
