"""The composition root of company-portal: the one place that wires database, bus, API, pages
and consumer. Nothing connects at import time; `bootstrap()` builds, the caller runs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from company_portal.adapters import registry_csv
from company_portal.adapters.images import process_logo
from company_portal.adapters.orm import metadata, start_mappers
from company_portal.adapters.unit_of_work import SqlPortalUnitOfWork
from company_portal.config import SERVICE, PortalConfig
from company_portal.entrypoints.consumer import HANDLERS
from company_portal.entrypoints.web import register_pages
from company_portal.service_layer import seed
from company_portal.service_layer.messagebus import MessageBus, portal_bus
from company_portal.service_layer.ports import Dependencies
from company_portal.service_layer.registry import ImportReport, import_registry
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.consumer import EventConsumer
from plumbing.ports import EventDispatcher
from plumbing.richtext import sanitize_html
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.api import build_api
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"
#: Logos are at most 2 MiB; bodies up to 3 MiB reach the handlers so they can say so next to the field.
MAX_UPLOAD = 3 * 1024 * 1024
BUS_STATE_KEY = "company_portal_bus"


@dataclass
class PortalBundle(ServiceBundle):
    """A ServiceBundle whose migrate step also loads the company registry on first start."""

    @property
    def bus(self) -> MessageBus:
        return self.extras["bus"]

    def migrate(self) -> None:
        super().migrate()
        self.load_registry_if_empty()

    def load_registry_if_empty(self) -> ImportReport | None:
        config: PortalConfig = self.extras["config"]
        with self.bus.new_uow() as uow:
            if uow.queries.company_count() > 0:
                return None
        if config.registry_csv is not None:
            names = registry_csv.read_legal_names(config.registry_names_csv) if config.registry_names_csv else None
            return load_registry_file(self.bus, config.registry_csv, names)
        if config.registry_sample <= 0:
            return None
        sample = self.runtime.settings.var_dir / f"registry-sample-{config.registry_sample}-{config.registry_seed}.csv"
        if not sample.is_file():
            registry_csv.write_sample(sample, config.registry_sample, config.registry_seed)
        report = load_registry_file(self.bus, sample)
        log.info("company registry loaded from the generated sample: %s", report.summary())
        return report


def load_registry_file(bus: MessageBus, path: Path, names: dict[str, str] | None = None, *,
                       include_inactive: bool = False) -> ImportReport:
    """Parse a Registraire export and import it in one transaction."""
    parsed = registry_csv.parse_registry(path, names)
    with bus.new_uow() as uow:
        report = import_registry(uow, parsed.rows, bus.deps.clock.now(), bus.deps.new_id,
                                 include_inactive=include_inactive, invalid=parsed.invalid)
        uow.commit()
    return report


def _with_bus(api: Any, bus: MessageBus) -> Any:
    """The API app, with the bus in each request's scope (handlers read it there, not from a global)."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in {"http", "websocket"}:
            scope.setdefault("state", {})[BUS_STATE_KEY] = bus
        await api(scope, receive, send)

    return app


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              config: PortalConfig | None = None) -> PortalBundle:
    settings = settings or Settings.from_env(SERVICE)
    config = config or PortalConfig.from_env(settings)
    start_mappers()
    runtime = build_runtime(settings, metadata, clock=clock)
    deps = Dependencies(clock=runtime.clock, sanitize_html=sanitize_html, process_logo=process_logo,
                        public_url=settings.public_url)
    messaging = runtime.messaging()

    def uow_factory(dispatch: EventDispatcher) -> SqlPortalUnitOfWork:
        return SqlPortalUnitOfWork(runtime.session_factory, messaging, dispatch)

    bus = portal_bus(uow_factory, deps)
    consumer = EventConsumer(SERVICE, bus.new_uow, bus.consumer_handlers(HANDLERS), runtime.schemas)
    api = build_api(SERVICE, settings.contracts_dir, "company_portal.entrypoints.http")
    pages = create_pages_app("company_portal", PACKAGE_DIR, max_upload=MAX_UPLOAD)
    register_pages(pages, bus)
    app = ServiceApp(SERVICE, api=_with_bus(api, bus), pages=pages, max_api_body=MAX_UPLOAD,
                     readiness_checks=runtime.readiness_checks())
    return PortalBundle(runtime=runtime, asgi=instrumented(app), migrations_dir=MIGRATIONS_DIR,
                        consumers=[consumer], extras={"bus": bus, "config": config})


Person = Sequence[str] | Any


def _person(value: Person | None) -> seed.DemoAccount | None:
    """(account_id, email, first_name, last_name), or an object with those attributes (or `id`),
    like identity's AccountView."""
    if value is None:
        return None
    if hasattr(value, "email"):
        account_id = getattr(value, "account_id", None) or value.id
        return seed.DemoAccount(str(account_id), value.email, getattr(value, "first_name", ""),
                                getattr(value, "last_name", ""))
    return seed.DemoAccount(*value)


def seed_demo(bundle: ServiceBundle, *, principal: Person, affichage: Person | None = None,
              finances: Person | None = None, join_requester: Person | None = None,
              new_group_requester: Person | None = None, creation_requester: Person | None = None) -> dict[str, str]:
    """Demo data for suite/seed.py: Génivert inc. (NEQ 1165432109) with « Groupe 001 » and a user in
    each role, a pending join request, a pending new-group request (Structura Ingénierie ltée) and a
    pending company-creation request. Each person is (account_id, email, first_name, last_name) or
    identity's AccountView; the ones not given are portal-only placeholders (they cannot log in).
    Idempotent: returns {} once Génivert has users."""
    main = _person(principal)
    assert main is not None
    return seed.seed_demo(
        bundle.extras["bus"], principal=main, affichage=_person(affichage), finances=_person(finances),
        join_requester=_person(join_requester), new_group_requester=_person(new_group_requester),
        creation_requester=_person(creation_requester),
    )
