"""The embedded default: `make run` serves the pages through the gateway, and one sign-up makes a
single trace from the gateway through identity, the outbox relay and the mailer's consumer."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from plumbing.config import REPO_ROOT
from plumbing.telemetry import setup_tracing
from plumbing.testing import wait_until
from suite.distributed import free_port
from suite.embedded import build_embedded
from tests_e2e_support import forms_of


def test_make_run_serves_landing_and_sign_up_pages(tmp_path: Path) -> None:
    """What `make run` starts (python -m suite.embedded), on a free port and a fresh var/."""
    port = free_port()
    env = {**os.environ, "INGEMPLOIS_VAR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("REDIS_URL", None)
    log = (tmp_path / "embedded.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "suite.embedded", "--port", str(port)],
                               cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"

        def landing() -> httpx.Response | None:
            assert process.poll() is None, (tmp_path / "embedded.log").read_text()
            try:
                return httpx.get(base + "/", timeout=2)
            except httpx.TransportError:
                return None

        response = wait_until(landing, timeout=60, interval=0.3, message="embedded suite did not answer")
        assert response.status_code == 200 and "Les emplois en génie au Québec" in response.text
        sign_up = httpx.get(base + "/compte/inscription", timeout=5)
        assert sign_up.status_code == 200
        assert any(form["action"].startswith("/compte/inscription") for form in forms_of(sign_up.text))
        assert "csrf_token" in sign_up.text
        output = (tmp_path / "embedded.log").read_text()
        assert "http://127.0.0.1:" in output and "personnel@oiq-demo.ca" in output
        health = httpx.get(base + "/healthz", timeout=5).json()
        assert health["services"]["identity"]["status"] == "ok"
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture()
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("MAILER_TRANSPORT", "file")
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))
    suite = build_embedded(tmp_path)
    suite.start_workers()
    yield suite
    suite.stop()


async def test_one_trace_from_gateway_to_mailer(embedded, tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    setup_tracing("ingemplois-test", exporter=exporter, batch=False)
    email = f"trace.{time.time_ns()}@genie-trace.ca"
    transport = httpx.ASGITransport(app=embedded.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        page = await client.get("/compte/inscription")
        form = next(f for f in forms_of(page.text) if f["action"].startswith("/compte/inscription"))
        data = {**form["fields"], "email": email, "password": "Tres-bon-mot-2026", "first_name": "Ada",
                "last_name": "Lovelace"}
        response = await client.post(form["action"], data=data)
        assert response.status_code == 303, response.text[:800]

    def mailer_span():
        return next((s for s in exporter.get_finished_spans()
                     if s.name == "identity.account.registered receive" and s.kind == SpanKind.CONSUMER), None)

    receive = wait_until(mailer_span, timeout=20, message="the mailer never consumed the event")
    trace_id = receive.context.trace_id
    in_trace = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
    names = {(s.instrumentation_scope.name, s.name) for s in in_trace}
    assert ("identity.relay", "identity.account.registered publish") in names
    assert ("mailer.consumer", "identity.account.registered receive") in names
    servers = [s for s in in_trace if s.kind == SpanKind.SERVER]
    assert len(servers) >= 2, names  # the gateway's request span and identity's, nested
    root = next(s for s in in_trace if s.parent is None)
    assert root.kind == SpanKind.SERVER and root in servers
    identity_server = next(s for s in servers if s.parent is not None)
    assert identity_server.parent.span_id == root.context.span_id or any(
        s.context.span_id == identity_server.parent.span_id for s in in_trace)
    wait_until(lambda: list((tmp_path / "mail").glob("*.eml")), timeout=20, message="no email written")
