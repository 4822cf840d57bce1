"""Redis holds no usable refresh token (issue 6, done means 9), checked against the real identity.

The embedded suite with its gateway on the local Redis (a random key prefix): a demo user logs in
and opens a page (the gateway mints an access token from the session). Then every string stored
under the prefix (and every string inside JSON values) is presented to identity's refresh
endpoint: none is accepted, while the refresh token the cookie unseals is (so the check can fail).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from gateway.sessions import decode_session, storage_key
from plumbing.testing import strings_in
from suite.embedded import EmbeddedSuite, build_embedded
from suite.seed import DEMO_PASSWORD, seed_demo
from tests_e2e_support import forms_of

REDIS_URL = "redis://127.0.0.1:6379/0"
REFRESH = "/api/identity/v1/tokens/refresh"


@pytest.fixture()
def suite_on_redis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[EmbeddedSuite, str]]:
    monkeypatch.setenv("MAILER_TRANSPORT", "file")
    monkeypatch.setenv("COMPANY_PORTAL_REGISTRY_SAMPLE", "50")
    prefix = f"gw-sealed-{secrets.token_hex(6)}:"
    suite = build_embedded(tmp_path, gateway_env={"REDIS_URL": REDIS_URL, "GATEWAY_REDIS_PREFIX": prefix})
    suite.start_workers()
    seed_demo(suite.bundles)
    yield suite, prefix
    suite.stop()
    redis = Redis.from_url(REDIS_URL)
    for key in redis.scan_iter(match=prefix + "*"):
        redis.delete(key)
    redis.close()




async def test_no_value_in_redis_refreshes_a_session(suite_on_redis) -> None:
    suite, prefix = suite_on_redis
    gateway = httpx.ASGITransport(app=suite.gateway)
    async with httpx.AsyncClient(transport=gateway, base_url="http://127.0.0.1:8080") as browser:
        page = await browser.get("/compte/connexion")
        form = next(f for f in forms_of(page.text) if f["action"] == "/compte/connexion")
        response = await browser.post("/compte/connexion", data={
            **form["fields"], "email": "marie.tremblay@genivert-demo.ca", "password": DEMO_PASSWORD})
        assert response.status_code == 303, response.text[:500]
        assert (await browser.get("/entreprises/utilisateurs")).status_code == 200  # minted an access token
        cookie = browser.cookies.get("ingemplois_session")
        assert cookie

    redis = Redis.from_url(REDIS_URL)
    try:
        stored = {key.decode(): redis.get(key).decode() for key in redis.scan_iter(match=prefix + "*")
                  if redis.type(key) == b"string"}
    finally:
        redis.close()
    session_raw = stored[f"{prefix}session:{storage_key(cookie)}"]
    candidates = {s for value in stored.values() for s in strings_in(value)} | set(stored)
    identity = httpx.ASGITransport(app=suite.bundles["identity"].asgi)
    async with httpx.AsyncClient(transport=identity, base_url="http://identity.internal") as client:
        for candidate in sorted(candidates):
            answer = await client.post(REFRESH, json={"refresh_token": candidate[:500]})
            assert answer.status_code in (400, 401), (candidate[:40], answer.status_code)
        # the control: the token the cookie unseals is a live refresh token
        real = decode_session(cookie, session_raw)
        assert real is not None and real.refresh_token not in candidates
        assert (await client.post(REFRESH, json={"refresh_token": real.refresh_token})).status_code == 200
