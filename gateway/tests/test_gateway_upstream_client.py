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
