"""Signing-key rotation without restarts: identity's processes re-read their keys, the new key
signs after its delay, a verifier that cached the old JWKS accepts the new key's tokens, the
old key leaves the JWKS once its tokens expired; the operator commands; the migration."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
import types
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
import uvicorn
from identity_support import (
    API,
    FAST,
    PASSWORD,
    bearer,
    check_key_migration,
    logged_in,
    make_bundle,
    make_settings,
    real_time_clock,
)
from sqlalchemy.exc import OperationalError

from identity.adapters.keystore import SigningKeyStore
from identity.bootstrap import MIGRATIONS_DIR, bootstrap
from identity.entrypoints import admin
from identity.service_layer.commands import ListSigningKeys, RotateSigningKey
from plumbing.auth import tokens
from plumbing.auth.tokens import TokenVerifier, http_jwks_provider
from plumbing.clock import FixedClock

#: Shorter than the defaults (60 s, 6 min, 5 min) so that every token of the journey is valid in
#: real time, which PyJWT checks; the same relation holds: activation ≥ reload + the verifiers' 30 s.
QUICK = dataclasses.replace(FAST, key_reload_seconds=30, key_activation_seconds=90, key_retirement_margin_seconds=60)


def kid_of(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


async def published(c: httpx.AsyncClient) -> list[str]:
    r = await c.get(f"{API}/jwks")
    assert r.status_code == 200
    return [key["kid"] for key in r.json()["keys"]]


async def login(c: httpx.AsyncClient, email: str) -> str:
    r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()["access_token"]


async def test_a_rotation_needs_no_restart(tmp_path, monkeypatch):
    # The test clock starts 2 minutes in the past: the tokens signed 2 minutes later are not in the future.
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2))
    bundle = make_bundle(tmp_path, clock, config=QUICK)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(bundle.asgi, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        identity_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        # Another service's verifier, as plumbing.entry builds it: the JWKS over HTTP, default intervals.
        verifier = TokenVerifier(http_jwks_provider(identity_url))
        async with httpx.AsyncClient(base_url=identity_url) as c:
            session = await logged_in(c, bundle)
            email, old_token = session["email"], session["access_token"]
            old_kid = kid_of(old_token)
            assert (await asyncio.to_thread(verifier.verify, old_token)).email == email  # JWKS cached: one key
            assert await published(c) == [old_kid]

            # The operator rotates (another process: the admin command runs this command).
            old_view, new_view = bundle.extras["bus"].handle(RotateSigningKey())
            new_kid = new_view.kid
            assert (old_view.kid, old_view.status, new_view.status) == (old_kid, "signing", "next")
            assert await published(c) == [old_kid]  # this process has not re-read its keys yet
            clock.advance(seconds=30)  # it does now (IDENTITY_KEY_RELOAD_SECONDS): both published,
            assert await published(c) == [old_kid, new_kid]
            assert kid_of(await login(c, email)) == old_kid  # and the old key still signs

            clock.advance(seconds=60)  # 90 s after the rotation (IDENTITY_KEY_ACTIVATION_SECONDS)
            new_token = await login(c, email)
            assert kid_of(new_token) == new_kid

            # The verifier last fetched the JWKS before the rotation, 90 s ago in the deployment's
            # time: more than its 30 s between refetches, so the unknown kid makes it fetch again.
            monotonic = time.monotonic
            monkeypatch.setattr(tokens, "time", types.SimpleNamespace(monotonic=lambda: monotonic() + 90))
            principal = await asyncio.to_thread(verifier.verify, new_token)
            assert (principal.email, principal.kind) == (email, "employer")
            assert (await asyncio.to_thread(verifier.verify, old_token)).email == email  # still valid
            r = await c.get(f"{API}/accounts/me", headers=bearer({"access_token": new_token}))  # identity's own
            assert r.status_code == 200 and r.json()["email"] == email

            # The old key stays published for the access TTL (300 s) and the margin (60 s) after the new
            # key started, then leaves the JWKS.
            clock.advance(seconds=359)
            assert await published(c) == [old_kid, new_kid]
            clock.advance(seconds=1)
            assert await published(c) == [new_kid]
            statuses = [(k.generation, k.status) for k in bundle.extras["bus"].handle(ListSigningKeys())]
            assert statuses == [(1, "unpublished"), (2, "signing")]
    finally:
        server.should_exit = True
        await serving
        sock.close()
        bundle.runtime.engine.dispose()


def test_each_process_reads_the_keys_again_after_its_reload_interval(tmp_path):
    clock = FixedClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    bundle = make_bundle(tmp_path, clock)  # its own store read the first key at bootstrap
    other = SigningKeyStore(bundle.runtime.engine, clock)  # another worker, default interval (60 s)
    first = other.signing_key().kid
    bundle.extras["bus"].handle(RotateSigningKey())
    clock.advance(seconds=59)
    assert not other.needs_reload() and len(other.jwks()["keys"]) == 1
    clock.advance(seconds=1)
    assert other.needs_reload()
    assert other.signing_key().kid == first  # re-read (blocking callers re-read themselves); not started yet
    assert len(other.jwks()["keys"]) == 2 and not other.needs_reload()
    clock.advance(minutes=5)
    assert other.signing_key().kid != first  # 6 minutes after the rotation
    bundle.runtime.engine.dispose()


def test_a_failed_re_read_keeps_the_keys_already_read(tmp_path, monkeypatch, caplog):
    clock = FixedClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    bundle = make_bundle(tmp_path, clock)
    store = SigningKeyStore(bundle.runtime.engine, clock)

    def broken() -> list:
        raise OperationalError("SELECT", {}, Exception("database unavailable"))

    monkeypatch.setattr(store, "_rows", broken)
    with pytest.raises(OperationalError):
        store.ensure_loaded()  # the first read has nothing to fall back on
    monkeypatch.undo()
    kid = store.signing_key().kid
    monkeypatch.setattr(store, "_rows", broken)
    clock.advance(minutes=2)
    assert store.signing_key().kid == kid and store.jwks()["keys"][0]["kid"] == kid
    assert "signing keys not re-read" in caplog.text
    assert not store.needs_reload()  # tried again after another interval, not at every call
    bundle.runtime.engine.dispose()


def test_the_migration_keeps_existing_keys_on_sqlite(tmp_path):
    check_key_migration(f"sqlite:///{tmp_path / 'keys.db'}", MIGRATIONS_DIR)


@pytest.fixture()
def admin_env(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    monkeypatch.setenv("IDENTITY_DATABASE_URL", url)
    monkeypatch.setenv("INGEMPLOIS_VAR", str(tmp_path))
    bundle = bootstrap(make_settings(url, tmp_path), clock=real_time_clock(), config=FAST)
    bundle.migrate()
    bundle.runtime.engine.dispose()
    return url


def test_admin_rotates_and_lists_the_signing_keys(admin_env, capsys):
    assert admin.main(["rotate-signing-key"]) == 0
    out = capsys.readouterr().out
    assert "Nouvelle clé / new key:" in out and "(generation 2)" in out
    lines = out.splitlines()
    assert "signe / signing" in lines[2] and lines[2].startswith("1  ")
    assert "signera / next" in lines[3] and lines[3].startswith("2  ")
    assert "PRIVATE" not in out

    assert admin.main(["rotate-signing-key", "--compromised"]) == 0
    out = capsys.readouterr().out
    assert [line.split("  ")[0] for line in out.splitlines()[2:]] == ["1", "2", "3"]
    assert out.count("hors JWKS / unpublished") == 2 and "3  " in out.splitlines()[4]
    assert "signe / signing" in out.splitlines()[4]

    assert admin.main(["signing-keys"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("generation") and len(listing) == 4
