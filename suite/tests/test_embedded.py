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
        password = "Tres-bon-mot-2026"
        data = {**form["fields"], "email": email, "password": password, "password_confirmation": password,
                "first_name": "Ada", "last_name": "Lovelace"}
        response = await client.post(form["action"], data=data)
        assert response.status_code == 303, response.text[:800]

    def mailer_span():
        return next((s for s in exporter.get_finished_spans()
                     if s.name == "identity.account.registered receive" and s.kind == SpanKind.CONSUMER
                     and s.instrumentation_scope.name == "mailer.consumer"), None)

    receive = wait_until(mailer_span, timeout=20, message="the mailer never consumed the event")
    spans = {s.context.span_id: s for s in exporter.get_finished_spans()
             if s.context.trace_id == receive.context.trace_id}

    def parent_of(span):
        return spans.get(span.parent.span_id) if span.parent else None

    publish = parent_of(receive)
    assert publish is not None and publish.name == "identity.account.registered publish"
    assert publish.instrumentation_scope.name == "identity.relay" and publish.kind == SpanKind.PRODUCER
    assert receive.instrumentation_scope.name == "mailer.consumer"
    # Up from the publish span: identity's request span, then the gateway's, which is the root.
    chain, span = [], parent_of(publish)
    while span is not None:
        chain.append(span)
        span = parent_of(span)
    requests = [s for s in chain if s.name == "POST /compte/inscription"]
    assert len(requests) == 2, [s.name for s in chain]
    identity_request, gateway_request = requests
    assert gateway_request.parent is None and gateway_request.kind == SpanKind.SERVER
    # In one process the inner ASGI span is INTERNAL (a span is already active); across
    # processes it is SERVER. Either way it is identity's, below the gateway's.
    assert identity_request.kind in (SpanKind.SERVER, SpanKind.INTERNAL)
    wait_until(lambda: list((tmp_path / "mail").glob("*.eml")), timeout=20, message="no email written")
