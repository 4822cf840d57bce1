"""Process entry point: `gunicorn -k uvicorn_worker.UvicornWorker 'gateway.asgi:create_app()'`."""

from __future__ import annotations

import os

from starlette.types import ASGIApp

from gateway.app import create_gateway
from gateway.config import GatewayConfig
from plumbing.logs import configure_access_log, configure_logging
from plumbing.telemetry import setup_tracing


def create_app() -> ASGIApp:
    """The gateway configured from the environment (see README for the variables).

    A factory, so gunicorn calls it in each worker after fork: the span exporter's thread lives
    in the worker (STACK-NOTES #8).
    """
    configure_logging("gateway", os.environ.get("LOG_LEVEL", "INFO"))
    configure_access_log("gateway", "gateway.access")
    setup_tracing("gateway")
    return create_gateway(GatewayConfig.from_env())
