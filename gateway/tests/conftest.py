"""Fixtures: a gateway in front of fake services, closed after each test."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent
SRC_DIR = TESTS_DIR.parent / "src"
# The tests run from a checkout whether or not the gateway is installed, and import their kit
# (gateway_testkit) whatever pytest's import mode.
for _path in (str(SRC_DIR), str(TESTS_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)
# With --import-mode=importlib pytest names this file `gateway.tests.conftest` and registers the
# checkout's `gateway/` directory as a namespace module `gateway`, which would hide the real
# package: put the real one back.
_shadow = sys.modules.get("gateway")
if _shadow is not None and getattr(_shadow, "__file__", None) is None:
    del sys.modules["gateway"]

import httpx  # noqa: E402
import pytest  # noqa: E402
from gateway_testkit import PEER, Harness, IdentityState, all_transports  # noqa: E402

from gateway import GatewayConfig, create_gateway  # noqa: E402


@pytest.fixture
async def make_harness() -> AsyncIterator[Callable[..., Any]]:
    """Build gateways; everything is closed at the end of the test."""
    created: list[Harness] = []

    async def build(
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
        identity: IdentityState | None = None,
        base_url: str = "http://testserver",
        client: tuple[str, int] = (PEER, 51000),
        **overrides: Any,
    ) -> Harness:
        identity = identity or IdentityState()
        if transports is None:
            transports = all_transports(identity)
        config = dataclasses.replace(GatewayConfig(), **overrides)
        app = create_gateway(config, transports)
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client), base_url=base_url)
        harness = Harness(app, http, identity)
        created.append(harness)
        return harness

    yield build
    for harness in created:
        await harness.client.aclose()
        await harness.gateway.aclose()


@pytest.fixture
async def harness(make_harness: Callable[..., Any]) -> Harness:
    return await make_harness()
