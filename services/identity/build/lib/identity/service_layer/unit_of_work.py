"""The unit of work handlers see: repositories, the outbox (`emit`), and commit.

Aggregates record domain events; `commit()` hands them to the bus's event handlers (which write
integration events to the outbox) and then commits, so a change and its events are one
transaction. `UniqueViolation` is plumbing's (plumbing.ports), the same in every service.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol, Self

from identity.domain.events import Event
from identity.domain.keys import SigningKey
from identity.domain.model import Account, OneTimeToken, RefreshToken
from plumbing.ports import UniqueViolation

__all__ = ["UniqueViolation", "UnitOfWork", "collect_new_events"]


class AccountRepository(Protocol):
    seen: set[Account]

    def add(self, account: Account) -> None: ...

    def get(self, account_id: str) -> Account | None: ...

    def get_by_email(self, email: str, *, for_update: bool = False) -> Account | None: ...


class OneTimeTokenRepository(Protocol):
    def add(self, token: OneTimeToken) -> None: ...

    def get_by_hash(self, purpose: str, token_hash: str) -> OneTimeToken | None: ...

    def count_since(self, account_id: str, purpose: str, since: datetime) -> int:
        """Tokens of this purpose made strictly after `since`."""

    def spend_all(self, account_id: str, purpose: str, now: datetime) -> None: ...

    def expire_unused(self, account_id: str, purpose: str, now: datetime) -> None:
        """Unused tokens of this purpose that are still valid expire now (a newer one replaces them)."""


class RefreshTokenRepository(Protocol):
    def add(self, token: RefreshToken) -> None: ...

    def get(self, token_id: str) -> RefreshToken | None: ...

    def get_by_hash(self, token_hash: str) -> RefreshToken | None: ...

    def revoke_all(self, account_id: str, now: datetime, *, except_id: str | None = None) -> list[str]:
        """End the account's open sessions (but `except_id`); return the ids of those ended."""
        ...


class SigningKeyRepository(Protocol):
    def list(self) -> list[SigningKey]:
        """Every key, oldest generation first."""

    def add(self, key: SigningKey) -> None: ...


class UnitOfWork(Protocol):
    accounts: AccountRepository
    one_time_tokens: OneTimeTokenRepository
    refresh_tokens: RefreshTokenRepository
    signing_keys: SigningKeyRepository

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc_info: Any) -> None: ...

    def emit(self, event_type: str, data: dict[str, Any], version: int = 1) -> Any: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


def collect_new_events(accounts: AccountRepository) -> Iterator[Event]:
    """Drain the events recorded by every account this unit of work has touched."""
    for account in list(accounts.seen):
        while account.events:
            yield account.events.pop(0)
