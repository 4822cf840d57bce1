"""Helpers of the component and integration tests: bundles, clients, outbox reading, tokens."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from identity.bootstrap import bootstrap
from identity.config import IdentityConfig
from plumbing.clock import FixedClock
from plumbing.config import Settings
from plumbing.events.envelope import Envelope
from plumbing.service import ServiceBundle

FAST = IdentityConfig(argon2_time_cost=1, argon2_memory_kib=256, argon2_parallelism=1)
PASSWORD = "Ponts-et-chaussees-2026"
API = "/api/identity/v1"


def make_settings(database_url: str, var_dir: Path) -> Settings:
    return dataclasses.replace(Settings.from_env("identity"), database_url=database_url, var_dir=var_dir,
                               public_url="https://emplois.example")


def make_bundle(tmp_path: Path, clock: FixedClock, config: IdentityConfig = FAST,
                database_url: str | None = None) -> ServiceBundle:
    url = database_url or f"sqlite:///{tmp_path / 'identity.db'}"
    bundle = bootstrap(make_settings(url, tmp_path), clock=clock, config=config)
    bundle.migrate()
    return bundle


def real_time_clock() -> FixedClock:
    # PyJWT checks tokens against real time (an `iat` in the future is refused): start there.
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


def client(bundle: ServiceBundle, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=bundle.asgi), base_url="http://identity.test",
                             **kwargs)


def new_email(domain: str = "genivert.ca") -> str:
    return f"ing.{uuid.uuid4().hex[:10]}@{domain}"


def outbox(bundle: ServiceBundle) -> list[Envelope]:
    table = bundle.runtime.outbox
    with bundle.runtime.engine.connect() as connection:
        bodies = connection.execute(select(table.c.body).order_by(table.c.seq)).scalars().all()
    return [Envelope.from_json(body.encode()) for body in bodies]


def last_event(bundle: ServiceBundle, event_type: str, email: str) -> dict[str, Any]:
    found = [e.data for e in outbox(bundle) if e.type == event_type and e.data.get("email") == email]
    assert found, f"no {event_type} for {email}"
    return found[-1]


def signup_body(email: str, **overrides: Any) -> dict[str, Any]:
    body = {"email": email, "password": PASSWORD, "kind": "employer", "first_name": "Marie", "last_name": "Tremblay"}
    body.update(overrides)
    return body


async def verified_account(c: httpx.AsyncClient, bundle: ServiceBundle, email: str | None = None,
                           kind: str = "employer") -> str:
    email = email or new_email()
    r = await c.post(f"{API}/accounts", json=signup_body(email, kind=kind))
    assert r.status_code == 201, r.text
    token = last_event(bundle, "identity.account.registered", email)["verification_token"]
    r = await c.post(f"{API}/accounts/verification", json={"token": token})
    assert r.status_code == 200, r.text
    return email


async def logged_in(c: httpx.AsyncClient, bundle: ServiceBundle, email: str | None = None) -> dict[str, Any]:
    email = await verified_account(c, bundle, email)
    r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return {"email": email, **r.json()}


def bearer(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['access_token']}"}


def problem(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return json.loads(response.text)


def check_key_migration(database_url: str, migrations_dir: Path) -> None:
    """0001 → head keeps a key made before the validity columns (it signs, it is published); the
    schema at head is the mapping; head → 0001 → head goes back and forth."""
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import insert, inspect

    from identity.adapters.keystore import SigningKeyStore, generate_signing_key
    from identity.adapters.orm import metadata, signing_keys
    from plumbing.db import make_engine
    from plumbing.migrations import alembic_config, upgrade

    config = alembic_config(migrations_dir, database_url)
    upgrade(migrations_dir, database_url, "0001")
    engine = make_engine(database_url)
    try:
        old = generate_signing_key(1, datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
        with engine.begin() as connection:  # only the columns 0001 has
            connection.execute(insert(signing_keys).values(
                kid=old.kid, generation=1, private_key_pem=old.private_key_pem, public_jwk=old.public_jwk,
                created_at=old.created_at))
        upgrade(migrations_dir, database_url)
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
        # plumbing's inbox declares UNIQUE(message_id, consumer) on top of that primary key; PostgreSQL keeps
        # one constraint for both, so the unique one never reflects back.
        assert [d for d in diffs if not (d[0] == "add_constraint" and d[1].table.name == "inbox")] == []
        store = SigningKeyStore(engine, FixedClock(datetime.now(UTC)))
        assert store.signing_key().kid == old.kid and [k["kid"] for k in store.jwks()["keys"]] == [old.kid]
        command.downgrade(config, "0001")
        columns = {c["name"] for c in inspect(engine).get_columns("signing_keys")}
        assert {"not_before", "not_after"}.isdisjoint(columns) and "kid" in columns
        command.upgrade(config, "head")
        assert {"not_before", "not_after"} <= {c["name"] for c in inspect(engine).get_columns("signing_keys")}
    finally:
        engine.dispose()
