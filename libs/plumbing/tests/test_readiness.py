"""`/readyz` fails when the broker is down (issue 6), with a check that opens no connection per probe."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import httpx
from sqlalchemy import MetaData

from plumbing.config import Settings
from plumbing.events.tables import inbox_table, outbox_table
from plumbing.readiness import BrokerCheck, BrokerUnreachable
from plumbing.service import build_runtime
from plumbing.testing import TcpProxy, wait_until
from plumbing.web.app import ServiceApp


def settings(tmp_path: Path, mode: str, amqp_url: str) -> Settings:
    base = Settings.from_env("demo")
    return dataclasses.replace(base, mode=mode, amqp_url=amqp_url, database_url=f"sqlite:///{tmp_path / 'r.db'}")


def runtime_for(tmp_path: Path, mode: str, amqp_url: str):
    metadata = MetaData()
    outbox_table(metadata), inbox_table(metadata)
    return build_runtime(settings(tmp_path, mode, amqp_url), metadata)


def readyz(app: ServiceApp) -> httpx.Response:
    async def get() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.get("/readyz")

    return asyncio.run(get())


def test_readyz_fails_while_the_broker_is_unreachable(tmp_path, amqp_url) -> None:
    with TcpProxy.for_url(amqp_url) as proxy:
        runtime = runtime_for(tmp_path, "distributed", proxy.url_for(amqp_url))
        app = ServiceApp("demo", api=None, pages=None, readiness_checks=runtime.readiness_checks())
        try:
            ready = readyz(app)
            assert ready.status_code == 200
            assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}

            proxy.refuse()  # open connections cut, new ones closed at once
            # polled: the previous answer is kept for up to 2 s
            down = wait_until(lambda: (r := readyz(app)).status_code == 503 and r, timeout=30, interval=0.1)
            assert down.json()["checks"]["database"] == "ok"
            assert down.json()["checks"]["broker"].startswith("down:")

            proxy.accept()
            wait_until(lambda: readyz(app).status_code == 200, timeout=30, interval=0.1)
        finally:
            runtime.readiness_checks()["broker"].close()  # type: ignore[attr-defined]
            runtime.engine.dispose()


def test_the_broker_check_keeps_one_connection_and_caches_its_answer(amqp_url) -> None:
    now = [0.0]
    check = BrokerCheck(amqp_url, ttl=2.0, clock=lambda: now[0])
    try:
        for step in range(20):  # probes every 0.5 s for 10 s
            now[0] = step * 0.5
            check()
        assert check.connections_opened == 1
    finally:
        check.close()


def test_the_broker_check_answers_down_at_once_when_nothing_listens() -> None:
    with TcpProxy("127.0.0.1", 9) as proxy:  # forwards to a closed port: every connection refused
        check = BrokerCheck(proxy.url_for("amqp://guest:guest@127.0.0.1:5672/%2F"), timeout=1.0)
        try:
            check()
        except BrokerUnreachable as exc:
            assert str(exc)
        else:
            raise AssertionError("an unreachable broker passed the readiness check")


def test_the_embedded_suite_has_no_broker_check(tmp_path) -> None:
    runtime = runtime_for(tmp_path, "embedded", "amqp://guest:guest@127.0.0.1:1/%2F")
    assert set(runtime.readiness_checks()) == {"database"}
    runtime.engine.dispose()
