"""Repositories over the mapped domain classes (SQLAlchemy 2.0 style)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from identity.adapters import orm
from identity.domain.keys import SigningKey
from identity.domain.model import Account, OneTimeToken, RefreshToken


class SqlAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Account] = set()

    def _seen(self, account: Account | None) -> Account | None:
        if account is not None:
            self.seen.add(account)
        return account

    def add(self, account: Account) -> None:
        self.session.add(account)
        self.seen.add(account)

    def get(self, account_id: str) -> Account | None:
        return self._seen(self.session.get(Account, account_id))

    def get_by_email(self, email: str, *, for_update: bool = False) -> Account | None:
        query = select(Account).where(orm.accounts.c.email == email)
        if for_update:
            query = query.with_for_update()
        return self._seen(self.session.scalars(query).first())


class SqlOneTimeTokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: OneTimeToken) -> None:
        self.session.add(token)

    def get_by_hash(self, purpose: str, token_hash: str) -> OneTimeToken | None:
        table = orm.one_time_tokens
        query = select(OneTimeToken).where(table.c.token_hash == token_hash, table.c.purpose == str(purpose))
        return self.session.scalars(query).first()

    def count_since(self, account_id: str, purpose: str, since: datetime) -> int:
        table = orm.one_time_tokens
        query = select(func.count()).select_from(table).where(
            table.c.account_id == account_id, table.c.purpose == str(purpose), table.c.created_at > since)
        return int(self.session.scalar(query) or 0)

    def spend_all(self, account_id: str, purpose: str, now: datetime) -> None:
        table = orm.one_time_tokens
        self.session.execute(
            update(table)
            .where(table.c.account_id == account_id, table.c.purpose == str(purpose), table.c.used_at.is_(None))
            .values(used_at=now),
            execution_options={"synchronize_session": False},
        )


    def expire_unused(self, account_id: str, purpose: str, now: datetime) -> None:
        table = orm.one_time_tokens
        self.session.execute(
            update(table)
            .where(table.c.account_id == account_id, table.c.purpose == str(purpose), table.c.used_at.is_(None),
                   table.c.expires_at > now)
            .values(expires_at=now),
            execution_options={"synchronize_session": False},
        )


class SqlRefreshTokenRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, token: RefreshToken) -> None:
        self.session.add(token)

    def get(self, token_id: str) -> RefreshToken | None:
        return self.session.get(RefreshToken, token_id)

    def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        query = select(RefreshToken).where(orm.refresh_tokens.c.token_hash == token_hash)
        return self.session.scalars(query).first()

    def revoke_all(self, account_id: str, now: datetime, *, except_id: str | None = None) -> list[str]:
        table = orm.refresh_tokens
        query = update(table).where(table.c.account_id == account_id, table.c.revoked_at.is_(None))
        if except_id is not None:
            query = query.where(table.c.id != except_id)
        ended = self.session.execute(query.values(revoked_at=now).returning(table.c.id),
                                     execution_options={"synchronize_session": False})
        return list(ended.scalars())


class SqlSigningKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list(self) -> list[SigningKey]:
        return list(self.session.scalars(select(SigningKey).order_by(orm.signing_keys.c.generation)))

    def add(self, key: SigningKey) -> None:
        self.session.add(key)
