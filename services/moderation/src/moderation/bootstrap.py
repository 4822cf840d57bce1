"""The composition root of the moderation service: the one place that wires everything.

Nothing connects at import time: `bootstrap()` builds the engine (lazy), the mappers, the message
bus with its adapters (SQLAlchemy unit of work, company-portal and offers clients), the consumer and the pages,
and returns a ServiceBundle.
"""

from __future__ import annotations

from pathlib import Path

from moderation.adapters import orm
from moderation.adapters.offers_client import HttpOffersClient
from moderation.adapters.portal_client import HttpPortalClient
from moderation.adapters.unit_of_work import SqlModerationUnitOfWork
from moderation.config import ModerationSettings
from moderation.domain.business_days import quebec_holidays
from moderation.entrypoints.consumer import HANDLERS
from moderation.entrypoints.web import WebDeps, create_blueprint
from moderation.service_layer.handlers import COMMAND_HANDLERS
from moderation.service_layer.ports import Dependencies, OffersClient, PortalClient
from moderation.service_layer.views import Views
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.consumer import EventConsumer
from plumbing.messagebus import MessageBus
from plumbing.ports import EventDispatcher
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app

SERVICE = "moderation"
PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              portal_client: PortalClient | None = None, offers_client: OffersClient | None = None) -> ServiceBundle:
    settings = settings or Settings.from_env(SERVICE)
    own = ModerationSettings.from_env(settings)
    orm.start_mappers()
    runtime = build_runtime(settings, orm.metadata, clock=clock)

    def new_uow(dispatch: EventDispatcher) -> SqlModerationUnitOfWork:
        return SqlModerationUnitOfWork(runtime.session_factory, runtime.messaging(), dispatch)

    portal = portal_client or HttpPortalClient(own.company_portal_url, timeout=own.company_portal_timeout)
    offers = offers_client or HttpOffersClient(own.offers_url, timeout=own.offers_timeout)
    deps = Dependencies(clock=runtime.clock, portal=portal, holidays=quebec_holidays(), offers=offers)
    bus = MessageBus(new_uow, deps, commands=COMMAND_HANDLERS)
    views = Views(bus.new_uow, runtime.clock, deps.holidays)

    pages = create_pages_app(SERVICE, PACKAGE_DIR)
    pages.register_blueprint(create_blueprint(WebDeps(bus=bus, views=views, portal=portal, offers=offers)))
    app = ServiceApp(SERVICE, api=None, pages=pages, readiness_checks=runtime.readiness_checks())
    consumer = EventConsumer(SERVICE, bus.new_uow, bus.consumer_handlers(HANDLERS), runtime.schemas)
    return ServiceBundle(
        runtime=runtime,
        asgi=instrumented(app),
        migrations_dir=MIGRATIONS_DIR,
        consumers=[consumer],
        extras={"bus": bus, "views": views, "portal_client": portal, "offers_client": offers, "settings": own},
    )
