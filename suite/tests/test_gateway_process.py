"""The gateway as the suite starts it (gunicorn, uvicorn worker, suite.distributed's command),
in front of a service on loopback: what only a real server shows."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from plumbing.config import REPO_ROOT
from plumbing.testing import wait_until
from suite.distributed import free_port, gunicorn_command


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"path": request.url.path, "x-forwarded-for": request.headers.get("x-forwarded-for")})


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    """A service on loopback under uvicorn (which writes its own Date and Server headers)."""
    port = free_port()
    app = Starlette(routes=[Route("/{p:path}", _echo, methods=["GET", "POST"])])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=20, message="upstream did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def gateway(upstream: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    env.pop("REDIS_URL", None)  # counters in memory: one worker
    env.update(GATEWAY_UPSTREAM_IDENTITY=upstream, GATEWAY_UPSTREAM_OFFERS=upstream,
               GATEWAY_RATE_LIMIT_AUTH="3/minute", PYTHONPATH=str(REPO_ROOT), LOG_LEVEL="WARNING")
    log_path = Path(tmp_path_factory.mktemp("gateway")) / "gateway.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(gunicorn_command("gateway.asgi:create_app()", port, 1), env=env, cwd=REPO_ROOT,
                                   stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        assert process.poll() is None, log_path.read_text()
        try:
            return httpx.get(base + "/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(up, timeout=60, interval=0.2, message="the gateway did not start")
        yield base
    finally:
        process.terminate()
        process.wait(15)


def test_forged_forwarded_for_from_one_client_is_one_client(gateway: str) -> None:
    """uvicorn trusts X-Forwarded-For from loopback by default: started as the suite starts it,
    it must not, and the gateway (no trusted proxy configured) limits the real peer."""
    statuses = []
    for n in range(25):
        headers = {"authorization": "Bearer x", "x-forwarded-for": f"192.0.2.{n}"}
        statuses.append(httpx.post(gateway + "/compte/connexion", json={}, headers=headers, timeout=5).status_code)
    assert 429 not in statuses[:3] and statuses[3:] == [429] * 22
    seen = httpx.get(gateway + "/emplois", headers={"x-forwarded-for": "192.0.2.99"}, timeout=5).json()
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the gateway wrote the real peer


def test_date_and_server_headers_once(gateway: str) -> None:
    for path in ("/emplois", "/healthz", "/static/app.css", "/nulle-part/../x"):
        response = httpx.get(gateway + path, timeout=5)
        names = [name.lower() for name, _ in response.headers.multi_items()]
        assert names.count("date") == 1 and names.count("server") <= 1, (path, names)
