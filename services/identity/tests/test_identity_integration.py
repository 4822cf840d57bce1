"""identity on real PostgreSQL (a throw-away database), the signing-key race and migration, the
operator commands.

PostgreSQL must listen on 127.0.0.1:5432 (user postgres) or TEST_PG_ADMIN_URL point to one:
the test fails, never skips, when it cannot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
from identity_support import API, PASSWORD, check_key_migration, client, make_bundle, outbox, real_time_clock
from sqlalchemy import inspect, select

from identity.adapters.keystore import SigningKeyStore
from identity.adapters.orm import metadata
from identity.bootstrap import MIGRATIONS_DIR, create_account_directly
from identity.entrypoints import admin
from plumbing import testing
from plumbing.auth.tokens import AUDIENCE, ISSUER
from plumbing.db import make_engine


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    try:
        url = testing.create_test_database("test_identity")
    except testing.TestInfrastructureError as exc:
        pytest.fail(f"PostgreSQL unavailable: {exc}", pytrace=False)
    try:
        yield url
    finally:
        testing.drop_test_database(url)


def test_migration_and_a_full_journey_on_postgresql(pg_url, tmp_path):
    bundle = make_bundle(tmp_path, real_time_clock(), database_url=pg_url)
    try:
        tables = set(inspect(bundle.runtime.engine).get_table_names())
        assert {"accounts", "one_time_tokens", "refresh_tokens", "signing_keys", "outbox", "inbox",
                "alembic_version"} <= tables
        bundle.migrate()  # a second run changes nothing

        import asyncio

        async def journey() -> None:
            async with client(bundle) as c:
                email = "Marie.Tremblay@Genivert-PG.ca"
                body = {"email": email, "password": PASSWORD, "kind": "employer", "first_name": "Marie",
                        "last_name": "Tremblay"}
                assert (await c.post(f"{API}/accounts", json=body)).status_code == 201
                assert (await c.post(f"{API}/accounts", json=body)).status_code == 409
                token = next(e.data for e in outbox(bundle) if e.type == "identity.account.registered")
                r = await c.post(f"{API}/accounts/verification", json={"token": token["verification_token"]})
                assert r.status_code == 200
                for _ in range(5):
                    await c.post(f"{API}/sessions", json={"email": email, "password": "Pas-le-bon-2026"})
                assert (await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})).status_code == 423
                bundle.runtime.clock.advance(minutes=15)  # type: ignore[attr-defined]
                r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
                assert r.status_code == 201
                keys = (await c.get(f"{API}/jwks")).json()
                key = jwt.PyJWKSet.from_dict(keys).keys[0]
                # issued on the test clock, 15 minutes ahead of real time: allow for it
                claims = jwt.decode(r.json()["access_token"], key.key, algorithms=["EdDSA"], audience=AUDIENCE,
                                    issuer=ISSUER, leeway=16 * 60)
                assert claims["email"] == "marie.tremblay@genivert-pg.ca"

        asyncio.run(journey())
        for envelope in outbox(bundle):
            bundle.runtime.schemas.validate(envelope)
    finally:
        bundle.runtime.engine.dispose()


def test_two_workers_creating_the_first_key_agree(pg_url, tmp_path):
    engine = make_engine(pg_url)
    try:
        with engine.begin() as connection:
            connection.execute(metadata.tables["signing_keys"].delete())
        stores = [SigningKeyStore(engine, real_time_clock()) for _ in range(4)]
        barrier = threading.Barrier(len(stores))

        def start(store: SigningKeyStore) -> None:
            barrier.wait()
            store.ensure_loaded()

        threads = [threading.Thread(target=start, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({store.signing_key().kid for store in stores}) == 1
        with engine.connect() as connection:
            rows = connection.execute(select(metadata.tables["signing_keys"])).all()
        assert len(rows) == 1 and stores[0].jwks()["keys"][0]["kid"] == rows[0].kid
    finally:
        engine.dispose()


def test_create_account_directly_is_idempotent(pg_url, tmp_path):
    bundle = make_bundle(tmp_path, real_time_clock(), database_url=pg_url)
    try:
        first = create_account_directly(bundle, "Sophie.Belanger@oiq-demo.ca", PASSWORD, "staff", "Sophie",
                                        "Bélanger")
        again = create_account_directly(bundle, "sophie.belanger@oiq-demo.ca", PASSWORD, "staff", "Sophie",
                                        "Bélanger")
        assert first == again and first.verified and first.kind == "staff"
        pending = create_account_directly(bundle, "luc@genivert-demo.ca", PASSWORD, "employer", "Luc", "Gagnon",
                                          verified=False)
        assert not pending.verified
        assert [e.type for e in outbox(bundle) if e.data["email"] in {first.email, pending.email}] == [
            "identity.account.verified", "identity.account.registered"]
    finally:
        bundle.runtime.engine.dispose()


def test_admin_creates_a_staff_account(pg_url, monkeypatch, capsys):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", pg_url)
    monkeypatch.setenv("IDENTITY_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("IDENTITY_ARGON2_MEMORY_KIB", "256")
    monkeypatch.setenv("IDENTITY_ARGON2_PARALLELISM", "1")
    code = admin.main(["create-staff", "--email", "Personnel@OIQ-admin.qc.ca", "--password", PASSWORD,
                       "--first-name", "Sophie", "--last-name", "Bélanger"])
    assert code == 0 and "personnel@oiq-admin.qc.ca" in capsys.readouterr().out
    assert admin.main(["create-staff", "--email", "personnel@oiq-admin.qc.ca", "--password", PASSWORD]) == 1
    assert "déjà associée à un compte" in capsys.readouterr().err
    assert admin.main(["create-staff", "--email", "autre@oiq-admin.qc.ca", "--password", "court"]) == 1
    assert "12 characters" in capsys.readouterr().err
    engine = make_engine(pg_url)
    try:
        accounts = metadata.tables["accounts"]
        with engine.connect() as connection:
            row = connection.execute(select(accounts).where(accounts.c.email == "personnel@oiq-admin.qc.ca")).one()
        assert row.kind == "staff" and row.verified_at is not None and row.password_hash.startswith("$argon2id$")
    finally:
        engine.dispose()


def test_the_key_migration_on_postgresql(tmp_path):
    url = testing.create_test_database("test_identity_keys")
    try:
        check_key_migration(url, MIGRATIONS_DIR)
    finally:
        testing.drop_test_database(url)


def test_admin_rotates_the_signing_key_on_postgresql(pg_url, monkeypatch, capsys):
    monkeypatch.setenv("IDENTITY_DATABASE_URL", pg_url)
    assert admin.main(["signing-keys"]) == 0
    before = capsys.readouterr().out.splitlines()[1:]
    assert admin.main(["rotate-signing-key"]) == 0
    out = capsys.readouterr().out
    assert f"(generation {len(before) + 1})" in out and "signera / next" in out
    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(metadata.tables["signing_keys"])
                                      .order_by(metadata.tables["signing_keys"].c.generation)).all()
        assert len(rows) == len(before) + 1
        newest, previous = rows[-1], rows[-2]
        assert newest.not_before is not None and newest.not_after is None
        assert previous.not_after == newest.not_before + timedelta(seconds=300 + 300)
    finally:
        engine.dispose()
