"""Rate limits, oversized bodies, and upstreams that are down, slow or broken."""

from __future__ import annotations

import httpx
import pytest
from gateway_testkit import IdentityState, all_transports, upstream_saw

DEAD = "http://127.0.0.1:1"  # loopback port 1: connection refused


async def test_default_limit_per_ip(make_harness) -> None:
    h = await make_harness(rate_limit_default="3/minute")
    for _ in range(3):
        assert (await h.client.get("/emplois")).status_code == 200
    response = await h.client.get("/emplois")
    assert response.status_code == 429
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "Trop de requêtes" in response.text and "Too many requests" in response.text
    api = await h.client.get("/api/offers/v1/offers")
    assert api.status_code == 429
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 429
    # probes are not counted
    assert (await h.client.get("/healthz")).status_code == 200


async def test_limit_is_per_client_ip(make_harness) -> None:
    identity = IdentityState()
    transports = all_transports(identity)
    a = await make_harness(transports=transports, identity=identity, rate_limit_default="2/minute")
    other = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=a.app, client=("198.51.100.9", 1)), base_url="http://testserver"
    )
    try:
        for _ in range(2):
            assert (await a.client.get("/")).status_code == 200
        assert (await a.client.get("/")).status_code == 429
        assert (await other.get("/")).status_code == 200
    finally:
        await other.aclose()


async def test_forwarded_for_used_only_behind_trusted_proxy(make_harness) -> None:
    untrusted = await make_harness(rate_limit_default="1/minute")
    assert (await untrusted.client.get("/", headers={"x-forwarded-for": "192.0.2.1"})).status_code == 200
    assert (await untrusted.client.get("/", headers={"x-forwarded-for": "192.0.2.2"})).status_code == 429
    trusted = await make_harness(rate_limit_default="1/minute", trust_proxy=1)
    assert (await trusted.client.get("/", headers={"x-forwarded-for": "192.0.2.1"})).status_code == 200
    assert (await trusted.client.get("/", headers={"x-forwarded-for": "192.0.2.2, 10.0.0.1"})).status_code == 200
    assert (await trusted.client.get("/", headers={"x-forwarded-for": "192.0.2.1"})).status_code == 429


@pytest.mark.parametrize("hops", [1, 2])
async def test_forged_forwarded_for_entries_do_not_make_new_clients(make_harness, hops: int) -> None:
    """Behind `hops` trusted proxies, only the entry the outermost proxy wrote names the client:
    whatever the client puts to the left of it, it stays one client for the auth limit."""
    h = await make_harness(rate_limit_auth="3/minute", trust_proxy=hops)
    proxies = ", ".join(["198.51.100.20"] + ["10.0.0.1"] * (hops - 1))  # what the proxies appended
    statuses = []
    for n in range(25):
        forged = f"192.0.2.{n}, 203.0.113.{n}"
        headers = {"authorization": "Bearer x", "x-forwarded-for": f"{forged}, {proxies}"}
        statuses.append((await h.client.post("/compte/connexion", json={}, headers=headers)).status_code)
    assert statuses[:3] != [429] * 3 and statuses[3:] == [429] * 22


async def test_too_few_forwarded_entries_fall_back_to_the_peer(make_harness) -> None:
    h = await make_harness(rate_limit_default="1/minute", trust_proxy=2)
    assert (await h.client.get("/", headers={"x-forwarded-for": "192.0.2.1"})).status_code == 200
    assert (await h.client.get("/", headers={"x-forwarded-for": "192.0.2.2"})).status_code == 429  # same peer


@pytest.mark.parametrize(
    "path",
    [
        "/compte/connexion",
        "/compte/inscription",
        "/compte/inscription/employeur",
        "/compte/mot-de-passe-oublie",
        "/compte/verification/renvoyer",
        "/api/identity/v1/sessions",
        "/api/identity/v1/accounts/verification-requests",
        "/api/identity/v1/accounts",
        "/api/identity/v1/password-resets",
    ],
)
async def test_auth_limit_on_auth_posts(make_harness, path: str) -> None:
    h = await make_harness(rate_limit_auth="2/minute")
    # API clients (own Authorization, no cookie) keep this test free of CSRF concerns
    headers = {"authorization": "Bearer x"}
    for _ in range(2):
        h.client.cookies.clear()
        assert (await h.client.post(path, json={}, headers=headers)).status_code in (200, 303)
    limited = await h.client.post(path, json={}, headers=headers)
    assert limited.status_code == 429
    assert "retry-after" in limited.headers
    # other requests still go through
    assert (await h.client.get(path)).status_code == 200
    h.client.cookies.clear()
    assert (await h.client.post("/api/offers/v1/offers", json={}, headers=headers)).status_code == 200


async def test_oversized_body_is_413(harness) -> None:
    token = await harness.prime()
    too_big = b"x" * (12 * 1024 * 1024 + 1)
    response = await harness.client.post(
        "/employeur/offres", content=too_big, headers={"x-csrf-token": token, "content-type": "text/plain"}
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text


async def test_oversized_streamed_body_is_413(harness) -> None:
    token = await harness.prime()

    async def chunks():
        for _ in range(13):
            yield b"y" * (1024 * 1024)

    response = await harness.client.post("/api/offers/v1/offers", content=chunks(), headers={"x-csrf-token": token})
    assert response.status_code == 413
    assert response.json()["status"] == 413


async def test_body_at_the_limit_passes(make_harness) -> None:
    h = await make_harness(max_body_bytes=1000)
    token = await h.prime()
    ok = await h.client.post("/emplois/x", content=b"z" * 1000, headers={"x-csrf-token": token})
    assert ok.status_code == 200
    assert (await h.client.post("/emplois/x", content=b"z" * 1001, headers={"x-csrf-token": token})).status_code == 413


async def test_upstream_refusing_connections_is_503(make_harness) -> None:
    identity = IdentityState()
    transports = all_transports(identity, ("identity",))
    h = await make_harness(transports=transports, identity=identity, upstreams={"offers": DEAD})
    page = await h.client.get("/emplois")
    assert page.status_code == 503
    assert "text/html" in page.headers["content-type"]
    assert "Service indisponible" in page.text and "Service unavailable" in page.text
    assert 'href="/static/app.css"' in page.text  # the shared layout
    assert page.headers["x-request-id"] in page.text
    api = await h.client.get("/api/offers/v1/offers", headers={"accept-language": "en"})
    assert api.status_code == 503
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["title"] == "Service unavailable"


async def test_upstream_crash_is_502(harness) -> None:
    page = await harness.client.get("/emplois/boom")
    assert page.status_code == 502
    assert "Service en erreur" in page.text
    api = await harness.client.get("/api/offers/v1/boom")
    assert api.status_code == 502
    assert api.json() == {
        "type": "urn:ingemplois:gateway:bad-gateway",
        "title": "Service en erreur",
        "status": 502,
        "detail": api.json()["detail"],
    }


async def test_slow_upstream_is_504(make_harness) -> None:
    h = await make_harness(upstream_timeout=0.2)
    page = await h.client.get("/emplois/slow")
    assert page.status_code == 504
    assert "Délai dépassé" in page.text
    api = await h.client.get("/api/offers/v1/slow")
    assert api.status_code == 504
    assert api.headers["content-type"] == "application/problem+json"


async def test_upstream_by_url_over_loopback(make_harness) -> None:
    """A real socket upstream: uvicorn on loopback, addressed by URL like the distributed mode."""
    import asyncio
    import socket

    import uvicorn
    from gateway_testkit import fake_service

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake_service("offers"), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        h = await make_harness(transports={}, upstreams={"offers": f"http://127.0.0.1:{port}"})
        seen = upstream_saw(await h.client.get("/emplois?q=1", headers={"user-agent": "Firefox/140"}))
        assert seen["service"] == "offers" and seen["query"] == "q=1"
        assert seen["headers"]["host"] == f"127.0.0.1:{port}"
        assert seen["headers"]["user-agent"] == "Firefox/140"
    finally:
        server.should_exit = True
        await task
        sock.close()


def test_token_bucket_refills_at_the_limit_rate() -> None:
    from limits import parse

    from gateway.ratelimit import TokenBuckets

    buckets = TokenBuckets(parse("2/minute"), max_keys=3)
    assert [buckets.take("a", now=0.0), buckets.take("a", now=0.0)] == [0, 0]
    assert buckets.take("a", now=0.0) == 30  # one token every 30 s
    assert buckets.take("a", now=29.0) == 1
    assert buckets.take("a", now=31.0) == 0
    assert buckets.take("b", now=31.0) == 0  # per key
    for key in ("c", "d", "e"):  # more keys than kept: the oldest are forgotten, memory stays bounded
        buckets.take(key, now=31.0)
    assert len(buckets._buckets) <= 3


async def test_safe_requests_do_not_touch_the_shared_store(make_harness) -> None:
    """GETs are limited in process; POSTs by the strict (shared) window."""
    h = await make_harness(rate_limit_default="2/minute")
    hits: list[str] = []
    original = h.gateway.limiter._limiter.hit

    async def counting_hit(item, *identifiers):  # noqa: ANN001, ANN202
        hits.append(identifiers[0])
        return await original(item, *identifiers)

    h.gateway.limiter._limiter.hit = counting_hit
    for _ in range(2):
        assert (await h.client.get("/emplois")).status_code == 200
    assert (await h.client.get("/emplois")).status_code == 429
    assert hits == []
    token = h.csrf_cookie()
    assert (await h.client.post("/emplois/x", data={"csrf_token": token})).status_code == 200
    assert hits == ["default"]
