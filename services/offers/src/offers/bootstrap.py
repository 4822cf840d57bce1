"""The composition root of the offers service: the one place that wires adapters into the ports.

Nothing connects at import time (the engine is lazy). The smallest complete shape of a service
(docs/adding-a-service.md): a message bus with its command table, a unit of work, a consumer, pages.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from offers.adapters.billing_client import HttpCreditBank
from offers.adapters.orm import metadata, start_mappers
from offers.adapters.unit_of_work import SqlOffersUnitOfWork
from offers.entrypoints.consumer import HANDLERS, consumer_table
from offers.entrypoints.web import blueprint
from offers.entrypoints.web_api_keys import blueprint as api_keys_blueprint
from offers.entrypoints.web_employer import blueprint as employer_blueprint
from offers.service_layer import commands
from offers.service_layer.api_keys import KEY_COMMAND_HANDLERS
from offers.service_layer.applications import APPLICATION_COMMAND_HANDLERS, SCRUB_TYPES
from offers.service_layer.handlers import COMMAND_HANDLERS
from offers.service_layer.offer_page import CLICK_COMMAND_HANDLERS
from offers.service_layer.ports import CreditBank, Dependencies
from plumbing.auth.memberships import SNAPSHOT_REQUEST_DELAY_SECONDS, SnapshotRequester
from plumbing.calendar import quebec_holidays
from plumbing.clock import Clock
from plumbing.config import Settings, env
from plumbing.events.consumer import EventConsumer
from plumbing.messagebus import MessageBus
from plumbing.ports import EventDispatcher
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.api import build_api
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app, register_styleguide, styleguide_enabled

SERVICE = "offers"
PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"
#: How often the worker runs the offer ticks (publish, expire, notices), in seconds
#: (`OFFERS_TICK_SECONDS`; the e2e suite runs them every second).
OFFER_TICK_SECONDS = 60.0
#: Where the bus is found: the pages app's extensions (`current_app.extensions[BUS_KEY]`) and each
#: API request's scope state.
BUS_KEY = "offers_bus"

log = logging.getLogger(__name__)


def _with_bus(api: Any, bus: MessageBus[Dependencies]) -> Any:
    """The API app, with the bus in each request's scope (handlers read it there, not from a global)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in {"http", "websocket"}:
            scope.setdefault("state", {})[BUS_KEY] = bus
        await api(scope, receive, send)

    return app


def offer_ticks(bus: MessageBus[Dependencies]) -> dict[str, int]:
    """One scheduler pass: publish what is due, expire what ended, send the notices. Each step is
    its own transaction, selects what is due on or before now and not yet done (a late pass catches
    up; a second pass finds nothing)."""
    done = {
        "published": bus.handle(commands.PublishDue()),
        "expired": bus.handle(commands.ExpireDue()),
        "notices": bus.handle(commands.NotifyDue()),
    }
    if any(done.values()):
        log.info("offer ticks: %s", done)
    return done


def build_bus(uow_factory: Any, deps: Dependencies) -> MessageBus[Dependencies]:
    return MessageBus(
        uow_factory,
        deps,
        commands={**COMMAND_HANDLERS, **KEY_COMMAND_HANDLERS, **CLICK_COMMAND_HANDLERS, **APPLICATION_COMMAND_HANDLERS},
    )


def bootstrap(
    settings: Settings | None = None, *, clock: Clock | None = None, bank: CreditBank | None = None
) -> ServiceBundle:
    """`bank` defaults to catalog-billing's API at CATALOG_BILLING_URL (default: the public URL,
    through the gateway); tests pass `adapters.billing_client.InMemoryCreditBank`."""
    settings = settings or Settings.from_env(SERVICE)
    start_mappers()
    # The relay blanks an application's CV in the outbox once it is published (decisions, "Applying by email").
    runtime = build_runtime(settings, metadata, clock=clock, scrub_types=SCRUB_TYPES)

    def new_uow(dispatch: EventDispatcher) -> SqlOffersUnitOfWork:
        return SqlOffersUnitOfWork(runtime.session_factory, runtime.messaging(), dispatch)

    if bank is None:
        bank = HttpCreditBank(
            env("CATALOG_BILLING_URL", settings.public_url), timeout=float(env("CATALOG_BILLING_TIMEOUT", "5"))
        )
    bus = build_bus(new_uow, Dependencies(clock=runtime.clock, bank=bank, holidays=quebec_holidays()))
    # Its own handlers through the bus, and the membership projection (permission checks): filled by
    # company-portal's events and, on a first start after memberships exist, by the snapshot the
    # requester asks for.
    consumer = EventConsumer(
        SERVICE, bus.new_uow, consumer_table(bus.consumer_handlers(HANDLERS)), runtime.schemas
    )
    requester = SnapshotRequester(SERVICE, bus.new_uow, ("memberships", "branding"))

    def ticks() -> None:
        offer_ticks(bus)

    pages = create_pages_app(SERVICE, PACKAGE_DIR)
    pages.extensions[BUS_KEY] = bus
    pages.config["PUBLIC_URL"] = settings.public_url
    pages.register_blueprint(blueprint)
    pages.register_blueprint(api_keys_blueprint)
    pages.register_blueprint(employer_blueprint)
    if styleguide_enabled():
        register_styleguide(pages)
    api = build_api(SERVICE, settings.contracts_dir, "offers.entrypoints.api")
    app = ServiceApp(SERVICE, api=_with_bus(api, bus), pages=pages, readiness_checks=runtime.readiness_checks())
    return ServiceBundle(
        runtime=runtime,
        asgi=instrumented(app),
        migrations_dir=MIGRATIONS_DIR,
        consumers=[consumer],
        tickers=[
            (SNAPSHOT_REQUEST_DELAY_SECONDS, requester),
            (float(env("OFFERS_TICK_SECONDS", str(OFFER_TICK_SECONDS))), ticks),
        ],
        extras={"bus": bus, "uow_factory": bus.new_uow, "bank": bank, "pages": pages},
    )
