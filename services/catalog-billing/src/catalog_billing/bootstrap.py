"""The composition root of catalog-billing: the one place that wires database, bus, API, pages,
consumer and the payment processor. Nothing connects at import time; `bootstrap()` builds, the
caller runs (docs/adding-a-service.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from catalog_billing.adapters.orm import metadata, start_mappers
from catalog_billing.adapters.payments import build_processor
from catalog_billing.adapters.unit_of_work import SqlBillingUnitOfWork
from catalog_billing.config import SERVICE, BillingConfig
from catalog_billing.domain.catalog import Catalog, load_catalog
from catalog_billing.entrypoints import web, web_records, web_staff
from catalog_billing.entrypoints.consumer import HANDLERS, PROJECTION_HANDLERS
from catalog_billing.entrypoints.webhooks import keep_raw_body
from catalog_billing.service_layer.handlers import COMMAND_HANDLERS
from catalog_billing.service_layer.payments import PaymentProcessor
from catalog_billing.service_layer.ports import Dependencies
from plumbing.auth.memberships import SNAPSHOT_REQUEST_DELAY_SECONDS, SnapshotRequester
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.consumer import EventConsumer
from plumbing.messagebus import MessageBus
from plumbing.ports import EventDispatcher
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.api import build_api
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app, register_styleguide, styleguide_enabled

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"
#: Where the bus is found: each API request's scope state (`request.scope["state"][BUS_KEY]`) and
#: the pages app's extensions (`current_app.extensions[BUS_KEY]`).
BUS_KEY = "catalog_billing_bus"


def _with_bus(api: Any, bus: MessageBus[Dependencies]) -> Any:
    """The API app, with the bus in each request's scope (handlers read it there, not from a global)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in {"http", "websocket"}:
            scope.setdefault("state", {})[BUS_KEY] = bus
        await api(scope, receive, send)

    return app


def build_bus(uow_factory: Any, deps: Dependencies) -> MessageBus[Dependencies]:
    return MessageBus(uow_factory, deps, commands=COMMAND_HANDLERS)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None, config: BillingConfig | None = None,
              catalog: Catalog | None = None, payments: PaymentProcessor | None = None) -> ServiceBundle:
    """`catalog` and `payments` default to the configured ones (tests pass their own)."""
    settings = settings or Settings.from_env(SERVICE)
    config = config or BillingConfig.from_env(settings)
    start_mappers()
    runtime = build_runtime(settings, metadata, clock=clock)
    deps = Dependencies(clock=runtime.clock, config=config,
                        catalog=catalog if catalog is not None else load_catalog(config.catalog_file),
                        payments=payments if payments is not None else build_processor(config))
    messaging = runtime.messaging()

    def new_uow(dispatch: EventDispatcher) -> SqlBillingUnitOfWork:
        return SqlBillingUnitOfWork(runtime.session_factory, messaging, dispatch)

    bus = build_bus(new_uow, deps)
    # Its own handlers through the bus, and the membership projection (permission checks): filled by
    # company-portal's events and, on a first start after memberships exist, by the snapshot the
    # requester asks for.
    consumer = EventConsumer(SERVICE, bus.new_uow, {**bus.consumer_handlers(HANDLERS), **PROJECTION_HANDLERS},
                             runtime.schemas)
    requester = SnapshotRequester(SERVICE, bus.new_uow)
    api = build_api(SERVICE, settings.contracts_dir, "catalog_billing.entrypoints.http")
    pages = create_pages_app("catalog_billing", PACKAGE_DIR)
    pages.extensions[BUS_KEY] = bus
    for module in (web, web_records, web_staff):
        pages.register_blueprint(module.blueprint)
    if styleguide_enabled():
        register_styleguide(pages)
    app = ServiceApp(SERVICE, api=_with_bus(keep_raw_body(api), bus), pages=pages,
                     readiness_checks=runtime.readiness_checks())
    return ServiceBundle(runtime=runtime, asgi=instrumented(app), migrations_dir=MIGRATIONS_DIR,
                         consumers=[consumer], tickers=[(SNAPSHOT_REQUEST_DELAY_SECONDS, requester)],
                         extras={"bus": bus, "uow_factory": bus.new_uow, "config": config, "pages": pages})
