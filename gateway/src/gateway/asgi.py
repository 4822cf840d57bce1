"""Process entry point: `gunicorn -k uvicorn_worker.UvicornWorker 'gateway.asgi:create_app()'`."""

from __future__ import annotations

from starlette.types import ASGIApp

from gateway.app import create_gateway
from gateway.config import GatewayConfig


def create_app() -> ASGIApp:
    """The gateway configured from the environment (see README for the variables)."""
    return create_gateway(GatewayConfig.from_env())
