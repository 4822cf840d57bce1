"""A session that identity ended (password reset or change, lock-out, deactivation) stops being
served from the gateway's token cache on its very next request (issue 7, done-means 8)."""

from __future__ import annotations

import secrets
import uuid

from gateway_testkit import IdentityState, upstream_saw
from redis.asyncio import Redis
from test_gateway_sessions import log_in

from gateway.revocations import token_session_id
from plumbing.revocations import RedisRevokedSessions, process_wide

REDIS_URL = "redis://127.0.0.1:6379/0"


def _authorization(response) -> str | None:
    return upstream_saw(response)["headers"].get("authorization")


async def test_an_ended_session_is_refused_on_the_next_request(make_harness) -> None:
    sid = str(uuid.uuid4())
    h = await make_harness(identity=IdentityState(sid=sid))
    await log_in(h)
    first = _authorization(await h.client.get("/employeur"))
    assert first and token_session_id(first.removeprefix("Bearer ")) == sid
    assert _authorization(await h.client.get("/employeur")) == first  # served from the cache
    assert len(h.identity.refresh_calls) == 1

    h.identity.refresh_status = 401  # identity ended the session in its database…
    process_wide().mark([sid], 60)  # …and announced it, as identity does after its commit
    response = await h.client.get("/employeur")
    assert _authorization(response) is None  # the very next request goes on as signed out
    assert len(h.identity.refresh_calls) == 2  # identity was asked, and refused
    cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith("ingemplois_session=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "expires=" in cleared[0].lower())


async def test_other_sessions_keep_their_cached_token(make_harness) -> None:
    h = await make_harness(identity=IdentityState(sid=str(uuid.uuid4())))
    await log_in(h)
    first = _authorization(await h.client.get("/employeur"))
    process_wide().mark([str(uuid.uuid4())], 60)  # someone else's session ended
    assert _authorization(await h.client.get("/employeur")) == first
    assert len(h.identity.refresh_calls) == 1


async def test_a_false_alarm_costs_one_refresh_only(make_harness) -> None:
    """The list only makes the gateway ask identity: identity, which keeps the sessions, decides."""
    sid = str(uuid.uuid4())
    h = await make_harness(identity=IdentityState(sid=sid))
    await log_in(h)
    await h.client.get("/employeur")
    process_wide().mark([sid], 60)
    assert _authorization(await h.client.get("/employeur")) is not None  # identity still says yes
    assert len(h.identity.refresh_calls) == 2


def test_token_session_id_reads_only_well_formed_tokens() -> None:
    assert token_session_id(None) is None
    assert token_session_id("at-1") is None
    assert token_session_id("a.!!!.c") is None
    assert token_session_id("a.bnVsbA.c") is None  # "null"
    assert token_session_id(IdentityState(sid="s-1").access_token(1)) == "s-1"


async def test_identity_and_gateway_agree_on_the_redis_keys(make_harness) -> None:
    prefix = f"gw-test-{secrets.token_hex(6)}:"
    sid = str(uuid.uuid4())
    redis = Redis.from_url(REDIS_URL)
    try:
        h = await make_harness(identity=IdentityState(sid=sid), redis_url=REDIS_URL, redis_prefix=prefix)
        await log_in(h)
        assert _authorization(await h.client.get("/employeur")) is not None
        h.identity.refresh_status = 401
        RedisRevokedSessions(REDIS_URL, prefix).mark([sid], 60)  # identity's writer
        assert 0 < await redis.ttl(f"{prefix}revoked-session:{sid}") <= 60
        assert _authorization(await h.client.get("/employeur")) is None
    finally:
        async for key in redis.scan_iter(match=prefix + "*"):
            await redis.delete(key)
        await redis.aclose()
