"""One handler per command, `handler(command, uow, deps)`, in an explicit table. Handlers never
commit: the message bus (or the event consumer, with the inbox record) does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from offers.domain.model import CompanyBranding
from offers.service_layer import commands
from offers.service_layer.ports import Dependencies, UnitOfWork


def record_company_branding(cmd: commands.RecordCompanyBranding, uow: UnitOfWork, deps: Dependencies) -> bool:
    """Keep the newest names and logo of the group; True when something changed."""
    newer = CompanyBranding(cmd.group_id, cmd.company_id, cmd.group_name, cmd.company_name, cmd.logo_url,
                            cmd.changed_at)
    current = uow.brandings.get(cmd.group_id)
    if current is None:
        uow.brandings.add(newer)
        return True
    return current.update(newer)


COMMAND_HANDLERS: dict[type, Callable[[Any, UnitOfWork, Dependencies], Any]] = {
    commands.RecordCompanyBranding: record_company_branding,
}
