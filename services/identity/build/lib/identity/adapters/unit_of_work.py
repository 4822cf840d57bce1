"""identity's unit of work on SQLAlchemy: repositories, outbox events and commit in one transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from identity.adapters.repository import (
    SqlAccountRepository,
    SqlOneTimeTokenRepository,
    SqlRefreshTokenRepository,
    SqlSigningKeyRepository,
)
from identity.service_layer.unit_of_work import collect_new_events
from plumbing.uow import SqlAlchemyUnitOfWork


class SqlIdentityUnitOfWork(SqlAlchemyUnitOfWork):
    """plumbing's unit of work (commit dispatches the accounts' domain events, then commits; a
    unique value taken meanwhile is UniqueViolation) with identity's repositories."""

    def _open_repositories(self) -> None:
        self.accounts = SqlAccountRepository(self.session)
        self.one_time_tokens = SqlOneTimeTokenRepository(self.session)
        self.refresh_tokens = SqlRefreshTokenRepository(self.session)
        self.signing_keys = SqlSigningKeyRepository(self.session)

    def collect_new_events(self) -> Iterable[Any]:
        return collect_new_events(self.accounts)
