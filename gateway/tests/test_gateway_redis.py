"""Sessions and rate-limit counters in the local Redis (127.0.0.1:6379), under a random prefix."""

from __future__ import annotations

import json
import secrets

from gateway_testkit import upstream_saw
from redis.asyncio import Redis

from plumbing.testing import strings_in

REDIS_URL = "redis://127.0.0.1:6379/0"


async def test_sessions_and_limits_in_redis(make_harness) -> None:
    prefix = f"gw-test-{secrets.token_hex(6)}:"
    redis = Redis.from_url(REDIS_URL)
    try:
        h = await make_harness(redis_url=REDIS_URL, redis_prefix=prefix, rate_limit_auth="2/minute")
        token = await h.prime()
        response = await h.client.post("/compte/connexion", data={"csrf_token": token})
        assert response.status_code == 303
        session_id = h.client.cookies.get("ingemplois_session")
        assert session_id

        keys = sorted(k.decode() for k in await redis.keys(prefix + "*"))
        session_keys = [k for k in keys if k.startswith(prefix + "session:")]
        assert len(session_keys) == 1
        assert session_id not in session_keys[0]  # stored under a hash of the cookie
        assert any(k.startswith(prefix + "ratelimit") for k in keys)
        stored = json.loads(await redis.get(session_keys[0]))
        assert set(stored) == {"sealed", "access_exp", "created"}  # the tokens are sealed
        assert 0 < await redis.ttl(session_keys[0]) <= 12 * 3600

        # a second gateway process sharing Redis knows the session
        other = await make_harness(
            transports=None, identity=h.identity, redis_url=REDIS_URL, redis_prefix=prefix, rate_limit_auth="2/minute"
        )
        other.client.cookies.set("ingemplois_session", session_id)
        seen = upstream_saw(await other.client.get("/employeur"))
        assert seen["headers"]["authorization"] == "Bearer at-1"
        stored = json.loads(await redis.get(session_keys[0]))
        assert stored["access_exp"] > 0 and b"at-1" not in await redis.get(session_keys[0])

        # the auth limit is counted in Redis too, shared by both processes
        second = await other.client.post("/compte/connexion", headers={"x-csrf-token": other.csrf_cookie()})
        assert second.status_code == 303
        limited = await h.client.post("/compte/connexion", data={"csrf_token": h.csrf_cookie()})
        assert limited.status_code == 429
    finally:
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
        await redis.aclose()


async def test_logout_deletes_the_redis_key(make_harness) -> None:
    prefix = f"gw-test-{secrets.token_hex(6)}:"
    redis = Redis.from_url(REDIS_URL)
    try:
        h = await make_harness(redis_url=REDIS_URL, redis_prefix=prefix)
        token = await h.prime()
        await h.client.post("/compte/connexion", data={"csrf_token": token})
        assert [k async for k in redis.scan_iter(match=prefix + "session:*")]
        out = await h.client.post("/compte/deconnexion", data={"csrf_token": h.csrf_cookie()})
        assert out.status_code == 303
        assert [k async for k in redis.scan_iter(match=prefix + "session:*")] == []
    finally:
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
        await redis.aclose()




async def test_redis_holds_no_usable_token(make_harness) -> None:
    """After log in and a refresh, nothing in Redis is (or contains) the refresh or access token."""
    prefix = f"gw-test-{secrets.token_hex(6)}:"
    redis = Redis.from_url(REDIS_URL)
    try:
        h = await make_harness(redis_url=REDIS_URL, redis_prefix=prefix)
        token = await h.prime()
        assert (await h.client.post("/compte/connexion", data={"csrf_token": token})).status_code == 303
        seen = upstream_saw(await h.client.get("/employeur"))
        assert seen["headers"]["authorization"] == "Bearer at-1"
        values = []
        async for key in redis.scan_iter(match=prefix + "*"):
            if await redis.type(key) == b"string":
                values += strings_in((await redis.get(key)).decode())
        assert values
        for value in values:
            assert "refresh-abc" not in value and "at-1" not in value
    finally:
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
        await redis.aclose()


async def test_a_session_stored_in_clear_by_an_earlier_release_is_sealed_when_read() -> None:
    from gateway.sessions import RedisSessionStore, new_session_id, storage_key

    prefix = f"gw-test-{secrets.token_hex(6)}:"
    redis = Redis.from_url(REDIS_URL)
    store = RedisSessionStore(REDIS_URL, prefix, 600)
    try:
        session_id = new_session_id()
        key = f"{prefix}session:{storage_key(session_id)}"
        await redis.set(key, json.dumps({"refresh_token": "old-clear", "access_token": None,
                                         "access_exp": 0.0, "created": 1.0}))
        session = await store.get(session_id)
        assert session is not None and session.refresh_token == "old-clear"
        assert b"old-clear" not in await redis.get(key)
        assert (await store.get(session_id)).refresh_token == "old-clear"
    finally:
        await store.close()
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
        await redis.aclose()
