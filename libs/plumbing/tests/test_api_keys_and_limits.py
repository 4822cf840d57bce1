"""plumbing.auth.api_keys (format, hashing, constant-time checks, resolution) and
plumbing.ratelimit (a moving window per key, in memory or shared in the local Redis)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime

from redis import Redis

from plumbing.auth import api_keys
from plumbing.ratelimit import KeyRateLimiter

REDIS_URL = "redis://127.0.0.1:6379/0"


def test_a_generated_key_parses_back_and_only_its_hash_is_kept() -> None:
    new = api_keys.generate()
    parsed = api_keys.parse(new.token)
    assert parsed is not None and parsed.key_id == new.key_id and len(parsed.secret) == 64
    assert new.secret_hash == hashlib.sha256(parsed.secret.encode()).hexdigest()
    assert parsed.secret not in new.secret_hash and new.display_prefix == f"ingk_{new.key_id[:8]}"
    assert api_keys.secret_matches(parsed.secret, new.secret_hash)
    assert not api_keys.secret_matches("0" * 64, new.secret_hash)
    assert api_keys.generate().token != new.token


def test_malformed_keys_do_not_parse() -> None:
    key_id, secret = str(uuid.uuid4()), secrets.token_hex(32)
    assert api_keys.parse(f"ingk_{key_id}_{secret}") is not None
    for bad in (
        "",
        None,
        f"ingk_{key_id}_{secret[:-1]}",
        f"ingk_{key_id}_{secret}0",
        f"ingk_{key_id}_{secret.upper()}",
        f"ingk_{key_id.replace('-', '')}_{secret}",
        f"ingx_{key_id}_{secret}",
        f"ingk_{key_id}-{secret}",
        "ingk_" + "a" * 300,
        "eyJhbGciOiJFZERTQSJ9.e30.sig",
    ):
        assert api_keys.parse(bad) is None, bad
    assert api_keys.looks_like_key("ingk_whatever") and not api_keys.looks_like_key("eyJ.x.y")


def test_resolution_refuses_unknown_revoked_and_wrong_secrets() -> None:
    new = api_keys.generate()
    group, creator = str(uuid.uuid4()), str(uuid.uuid4())
    stored = {new.key_id: api_keys.StoredKey(new.key_id, group, creator, new.secret_hash)}
    caller = api_keys.resolve(new.token, stored.get)
    assert caller == api_keys.ApiKeyCaller(new.key_id, group, creator)
    info = api_keys.token_info(caller)
    assert info["sub"] == creator and not info["principal"].is_staff and api_keys.caller_of(info) == caller
    assert api_keys.caller_of({"sub": creator}) is None
    assert api_keys.resolve(api_keys.generate().token, stored.get) is None  # unknown id
    forged = new.token[:-64] + secrets.token_hex(32)
    assert api_keys.resolve(forged, stored.get) is None
    stored[new.key_id] = api_keys.StoredKey(new.key_id, group, creator, new.secret_hash, datetime.now(UTC))
    assert api_keys.resolve(new.token, stored.get) is None  # revoked


def test_the_limiter_counts_per_key_in_memory() -> None:
    limiter = KeyRateLimiter("2/minute")
    assert [limiter.hit("svc", "a") for _ in range(3)][:2] == [0, 0]
    assert 1 <= limiter.hit("svc", "a") <= 60
    assert limiter.hit("svc", "b") == 0 and limiter.hit("other", "a") == 0


def test_the_limiter_is_shared_through_redis_and_lets_requests_through_when_it_is_down() -> None:
    prefix = f"test-plumbing-{secrets.token_hex(6)}:"
    key = str(uuid.uuid4())
    first, second = KeyRateLimiter("3/minute", REDIS_URL, prefix), KeyRateLimiter("3/minute", REDIS_URL, prefix)
    redis = Redis.from_url(REDIS_URL)
    try:
        assert [first.hit("offers", key), second.hit("offers", key), first.hit("offers", key)] == [0, 0, 0]
        assert second.hit("offers", key) >= 1  # the fourth, counted across both processes
        assert redis.keys(prefix + "*")
    finally:
        for stale in redis.keys(prefix + "*"):
            redis.delete(stale)
        redis.close()
    down = KeyRateLimiter("1/minute", "redis://127.0.0.1:1/0")
    assert [down.hit("offers", key) for _ in range(3)] == [0, 0, 0]
