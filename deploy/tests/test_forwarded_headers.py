"""Servers never take the client address from X-Forwarded-For themselves (issue 6): the gateway
applies its own rule (GATEWAY_TRUST_PROXY hops), so gunicorn/uvicorn must trust no forwarder."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def test_the_image_trusts_no_forwarder() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    runtime = dockerfile[dockerfile.index("AS runtime"):]
    assert 'FORWARDED_ALLOW_IPS=""' in runtime


def test_the_gateway_command_trusts_no_forwarder() -> None:
    docs = list(yaml.safe_load_all((REPO / "deploy" / "k8s" / "base" / "gateway.yaml").read_text()))
    deployment = next(d for d in docs if d and d["kind"] == "Deployment")
    command = deployment["spec"]["template"]["spec"]["containers"][0]["command"]
    assert "--forwarded-allow-ips=" in command


def test_the_suite_starts_every_web_process_trusting_no_forwarder() -> None:
    from suite.distributed import gunicorn_command

    assert "--forwarded-allow-ips=" in gunicorn_command("gateway.asgi:create_app()", 8080, 2)
