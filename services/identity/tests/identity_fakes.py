"""Test doubles and harnesses for the service-layer tests: a fake unit of work and a SQLite one.

Both run the same handlers through the same MessageBus; `Harness.events(type)` gives the data
of the integration events a run produced (validated against contracts/events on emit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Self

from sqlalchemy import select

from identity.adapters.common_passwords import load_password_policy
from identity.adapters.hashing import Argon2Hasher
from identity.adapters.keystore import generate_signing_key
from identity.adapters.orm import metadata, start_mappers
from identity.adapters.unit_of_work import SqlIdentityUnitOfWork
from identity.adapters.webmail import load_email_policy
from identity.domain.keys import SigningKey
from identity.domain.model import Account, LockoutPolicy, OneTimeToken, RefreshToken
from identity.service_layer.messagebus import MessageBus
from identity.service_layer.ports import Dependencies
from identity.service_layer.unit_of_work import EventPublisher, UniqueViolation, collect_new_events
from plumbing.clock import FixedClock
from plumbing.db import make_engine, make_session_factory
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas
from plumbing.uow import Messaging

REPO_ROOT = Path(__file__).resolve().parents[3]
EVENTS_DIR = REPO_ROOT / "contracts" / "events"
START = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)


def fast_hasher() -> Argon2Hasher:
    """argon2id with tiny costs: the same code path, milliseconds instead of tens of them."""
    return Argon2Hasher(time_cost=1, memory_kib=256, parallelism=1)


class FakeSigner:
    """Access tokens that say whom they were made for (the JWT signer is tested on its own)."""

    def sign(self, account: Account, session_id: str, now: datetime) -> tuple[str, int]:
        return f"access:{account.id}:{session_id}:{int(now.timestamp())}", 300


# The fake database and its repositories -------------------------------------------------------
@dataclass
class FakeDatabase:
    accounts: dict[str, Account] = field(default_factory=dict)
    one_time_tokens: list[OneTimeToken] = field(default_factory=list)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    signing_keys: list[SigningKey] = field(default_factory=list)
    outbox: list[Envelope] = field(default_factory=list)
    commits: int = 0


class FakeAccounts:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self.seen: set[Account] = set()

    def _seen(self, account: Account | None) -> Account | None:
        if account is not None:
            self.seen.add(account)
        return account

    def add(self, account: Account) -> None:
        self.db.accounts[account.id] = account
        self.seen.add(account)

    def get(self, account_id: str) -> Account | None:
        return self._seen(self.db.accounts.get(account_id))

    def get_by_email(self, email: str, *, for_update: bool = False) -> Account | None:
        return self._seen(next((a for a in self.db.accounts.values() if a.email == email), None))


class FakeOneTimeTokens:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, token: OneTimeToken) -> None:
        self.db.one_time_tokens.append(token)

    def get_by_hash(self, purpose: str, token_hash: str) -> OneTimeToken | None:
        return next((t for t in self.db.one_time_tokens if t.purpose == purpose and t.token_hash == token_hash), None)

    def count_since(self, account_id: str, purpose: str, since: datetime) -> int:
        return sum(1 for t in self.db.one_time_tokens
                   if t.account_id == account_id and t.purpose == purpose and t.created_at > since)

    def spend_all(self, account_id: str, purpose: str, now: datetime) -> None:
        for token in self.db.one_time_tokens:
            if token.account_id == account_id and token.purpose == purpose and token.used_at is None:
                token.used_at = now

    def expire_unused(self, account_id: str, purpose: str, now: datetime) -> None:
        for token in self.db.one_time_tokens:
            if (token.account_id == account_id and token.purpose == purpose and token.used_at is None
                    and token.expires_at > now):
                token.expires_at = now


class FakeRefreshTokens:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def add(self, token: RefreshToken) -> None:
        self.db.refresh_tokens[token.id] = token

    def get(self, token_id: str) -> RefreshToken | None:
        return self.db.refresh_tokens.get(token_id)

    def get_by_hash(self, token_hash: str) -> RefreshToken | None:
        return next((t for t in self.db.refresh_tokens.values() if t.token_hash == token_hash), None)

    def revoke_all(self, account_id: str, now: datetime, *, except_id: str | None = None) -> list[str]:
        ended = []
        for token in self.db.refresh_tokens.values():
            if token.account_id == account_id and token.id != except_id and token.revoked_at is None:
                token.revoke(now)
                ended.append(token.id)
        return ended


class FakeSigningKeys:
    def __init__(self, db: FakeDatabase) -> None:
        self.db = db

    def list(self) -> list[SigningKey]:
        return sorted(self.db.signing_keys, key=lambda key: key.generation)

    def add(self, key: SigningKey) -> None:
        self.db.signing_keys.append(key)


class FakeUnitOfWork:
    """Writes straight into FakeDatabase; emit validates events against their contract."""

    def __init__(self, db: FakeDatabase, schemas: EventSchemas, clock: FixedClock, publish: EventPublisher) -> None:
        self.db = db
        self.schemas = schemas
        self.clock = clock
        self.publish = publish
        self._pending: list[Envelope] = []

    def __enter__(self) -> Self:
        self.accounts = FakeAccounts(self.db)
        self.one_time_tokens = FakeOneTimeTokens(self.db)
        self.refresh_tokens = FakeRefreshTokens(self.db)
        self.signing_keys = FakeSigningKeys(self.db)
        self._pending = []
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.rollback()

    def emit(self, event_type: str, data: dict[str, Any], version: int = 1) -> Envelope:
        envelope = Envelope.new(event_type, data, producer="identity", occurred_at=self.clock.now(), version=version)
        self.schemas.validate(envelope)
        self._pending.append(envelope)
        return envelope

    def commit(self) -> None:
        emails = [a.email for a in self.db.accounts.values()]
        if len(emails) != len(set(emails)):
            raise UniqueViolation("accounts.email")
        generations = [key.generation for key in self.db.signing_keys]
        if len(generations) != len(set(generations)):
            raise UniqueViolation("signing_keys.generation")
        for event in collect_new_events(self.accounts):
            self.publish(event, self)
        self.db.outbox.extend(self._pending)
        self._pending = []
        self.db.commits += 1

    def rollback(self) -> None:
        self._pending = []


# Harnesses ------------------------------------------------------------------------------------
@dataclass
class Harness:
    bus: MessageBus
    clock: FixedClock
    deps: Dependencies
    envelopes: Callable[[], list[Envelope]]
    account: Callable[[str], Account]

    def events(self, event_type: str) -> list[dict[str, Any]]:
        return [e.data for e in self.envelopes() if e.type == event_type]

    def last(self, event_type: str) -> dict[str, Any]:
        found = self.events(event_type)
        assert found, f"no {event_type} event"
        return found[-1]


def dependencies(clock: FixedClock, **overrides: Any) -> Dependencies:
    values: dict[str, Any] = dict(
        clock=clock, hasher=fast_hasher(), signer=FakeSigner(), email_policy=load_email_policy(),
        password_policy=load_password_policy(), public_url="https://emplois.example",
        new_signing_key=generate_signing_key,
        lockout=LockoutPolicy(5, timedelta(minutes=15)),
    )
    values.update(overrides)
    return Dependencies(**values)


def fake_harness(**overrides: Any) -> Harness:
    clock = FixedClock(START)
    db = FakeDatabase()
    schemas = EventSchemas(EVENTS_DIR)
    deps = dependencies(clock, **overrides)
    bus = MessageBus(lambda publish: FakeUnitOfWork(db, schemas, clock, publish), deps)

    def account(email: str) -> Account:
        return next(a for a in db.accounts.values() if a.email == email)

    return Harness(bus, clock, deps, lambda: list(db.outbox), account)


def sqlite_harness(tmp_path: Path, **overrides: Any) -> Harness:
    start_mappers()
    clock = FixedClock(START)
    engine = make_engine(f"sqlite:///{tmp_path / 'identity-unit.db'}")
    metadata.create_all(engine)
    session_factory = make_session_factory(engine)
    messaging = Messaging(producer="identity", outbox=metadata.tables["outbox"], inbox=metadata.tables["inbox"],
                          schemas=EventSchemas(EVENTS_DIR), clock=clock)
    deps = dependencies(clock, **overrides)
    bus = MessageBus(lambda publish: SqlIdentityUnitOfWork(session_factory, messaging, publish), deps)

    def envelopes() -> list[Envelope]:
        outbox = metadata.tables["outbox"]
        with engine.connect() as connection:
            rows = connection.execute(select(outbox.c.body).order_by(outbox.c.seq)).scalars()
            return [Envelope.from_json(body.encode()) for body in rows]

    def account(email: str) -> Account:
        with session_factory() as session:
            return session.scalars(select(Account).where(metadata.tables["accounts"].c.email == email)).one()

    return Harness(bus, clock, deps, envelopes, account)
