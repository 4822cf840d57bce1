"""`gunicorn -k uvicorn_worker.UvicornWorker --no-control-socket 'mailer.entrypoints.asgi:create_app()'`."""

from __future__ import annotations

from typing import Any


def create_app() -> Any:
    from plumbing.entry import web_app

    return web_app("mailer")
