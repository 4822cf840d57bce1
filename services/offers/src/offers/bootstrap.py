"""The composition root of the offers service."""

from __future__ import annotations

from pathlib import Path

from offers.adapters.orm import metadata
from offers.entrypoints.web import blueprint
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app, register_styleguide, styleguide_enabled

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> ServiceBundle:
    settings = settings or Settings.from_env("offers")
    runtime = build_runtime(settings, metadata, clock=clock)
    pages = create_pages_app("offers", PACKAGE_DIR)
    pages.register_blueprint(blueprint)
    if styleguide_enabled():
        register_styleguide(pages)
    app = ServiceApp("offers", api=None, pages=pages, readiness_checks={"database": runtime.check_database})
    return ServiceBundle(runtime=runtime, asgi=instrumented(app), migrations_dir=MIGRATIONS_DIR)
