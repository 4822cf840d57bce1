"""The upstream clients keep no state between requests: no cookie of one visitor reaches another,
and headers the service's server writes (Date, Server) reach the browser once."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from gateway_testkit import fake_service, loopback_server, upstream_saw


@contextlib.asynccontextmanager
async def gateway_to_offers(make_harness: Any, adapter: str) -> AsyncIterator[Any]:
    """A gateway whose offers upstream is reached over a socket (aiohttp) or in process (ASGI)."""
    if adapter == "network":
        async with loopback_server(fake_service("offers")) as url:
            yield await make_harness(transports={}, upstreams={"offers": url})
    else:
        yield await make_harness(transports={"offers": httpx.ASGITransport(app=fake_service("offers"))})


@pytest.mark.parametrize("adapter", ["network", "in-process"])
async def test_a_cookie_set_for_one_user_never_reaches_another(make_harness, adapter: str) -> None:
    async with gateway_to_offers(make_harness, adapter) as h:
        user_a = await h.client.get("/emplois/cookies")  # the service sets pref=1 and seen=2 for A
        assert "pref=1" in ";".join(user_a.headers.get_list("set-cookie"))
        h.client.cookies.clear()  # user B: a browser without any cookie
        seen_by_service = upstream_saw(await h.client.get("/emplois"))["headers"]
        assert "cookie" not in seen_by_service
        # and a browser with its own cookies has exactly those forwarded, nothing added
        mine = upstream_saw(await h.client.get("/emplois", headers={"cookie": "theme=dark"}))["headers"]
        assert mine["cookie"] == "theme=dark"


async def test_date_and_server_once(make_harness) -> None:
    """The service's server adds Date and Server; the gateway drops them (its own server adds its
    own; suite/tests/test_gateway_process.py checks the whole response under gunicorn)."""
    async with gateway_to_offers(make_harness, "network") as h:
        response = await h.client.get("/emplois")
        assert response.status_code == 200
        names = [name.lower() for name, _ in response.headers.multi_items()]
        assert "date" not in names and "server" not in names


@pytest.mark.parametrize("adapter", ["network", "in-process"])
async def test_both_adapters_forward_exactly_what_the_browser_sent(make_harness, adapter: str) -> None:
    import base64

    async with gateway_to_offers(make_harness, adapter) as h:
        token = await h.prime()
        form = await h.client.post("/emplois/x?a=1", data={"csrf_token": token, "q": "génie"})
        seen = upstream_saw(form)
        assert seen["method"] == "POST" and seen["query"] == "a=1"
        assert seen["headers"]["content-type"] == "application/x-www-form-urlencoded"
        assert b"q=g%C3%A9nie" in base64.b64decode(seen["body_b64"])
        raw = upstream_saw(await h.client.post("/emplois/y", content=b"\x00\x01", headers={"x-csrf-token": token}))
        assert "content-type" not in raw["headers"]  # nothing added by the client library
        assert base64.b64decode(raw["body_b64"]) == b"\x00\x01"
        assert (await h.client.head("/emplois")).status_code == 200
        gzip = await h.client.get("/emplois/gzip", headers={"accept-encoding": "gzip"})
        assert gzip.headers["content-encoding"] == "gzip" and gzip.text == "compressed hello"
        redirect = await h.client.get("/emplois/redirect")
        assert redirect.status_code == 303  # not followed


async def test_network_upstream_refusing_or_hanging(make_harness) -> None:
    h = await make_harness(transports={}, upstreams={"offers": "http://127.0.0.1:1"})
    assert (await h.client.get("/emplois")).status_code == 503
    async with loopback_server(fake_service("offers")) as url:
        slow = await make_harness(transports={}, upstreams={"offers": url}, upstream_timeout=0.2)
        assert (await slow.client.get("/emplois/slow")).status_code == 504
        assert (await slow.client.get("/emplois/boom")).status_code == 500  # the service's own 500, passed on
