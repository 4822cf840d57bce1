"""The composition root of the offers service."""

from __future__ import annotations

from pathlib import Path

from offers.adapters.orm import metadata
from offers.entrypoints.consumer import HANDLERS
from offers.entrypoints.web import blueprint
from plumbing.auth.memberships import SNAPSHOT_REQUEST_DELAY_SECONDS, SnapshotRequester
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.consumer import EventConsumer
from plumbing.service import ServiceBundle, build_runtime
from plumbing.uow import SqlAlchemyUnitOfWork
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app, register_styleguide, styleguide_enabled

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"
SERVICE = "offers"


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> ServiceBundle:
    settings = settings or Settings.from_env(SERVICE)
    runtime = build_runtime(settings, metadata, clock=clock)
    messaging = runtime.messaging()

    def uow_factory() -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(runtime.session_factory, messaging)

    # The membership projection (permission checks): filled by company-portal's events, and on a
    # first start after memberships exist, by the snapshot the requester asks for.
    consumer = EventConsumer(SERVICE, uow_factory, HANDLERS, runtime.schemas)
    requester = SnapshotRequester(SERVICE, uow_factory)
    pages = create_pages_app(SERVICE, PACKAGE_DIR)
    pages.register_blueprint(blueprint)
    if styleguide_enabled():
        register_styleguide(pages)
    app = ServiceApp(SERVICE, api=None, pages=pages, readiness_checks=runtime.readiness_checks())
    return ServiceBundle(runtime=runtime, asgi=instrumented(app), migrations_dir=MIGRATIONS_DIR,
                         consumers=[consumer], tickers=[(SNAPSHOT_REQUEST_DELAY_SECONDS, requester)],
                         extras={"uow_factory": uow_factory})
