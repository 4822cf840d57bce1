"""The mailer's composition root: database, templates, mail transport, consumer, ticks, app (the
job seekers' pages under /membre/)."""

from __future__ import annotations

from pathlib import Path

from mailer.adapters.mail import FileMailer, Mailer, SmtpMailer
from mailer.adapters.offers_reference import HttpOffersReference
from mailer.adapters.orm import metadata, start_mappers
from mailer.adapters.templates import EmailTemplates
from mailer.adapters.unit_of_work import SqlMailerUnitOfWork
from mailer.config import MailSettings, OffersSettings, contact_email
from mailer.entrypoints.consumer import CONSUMER_NAME, HANDLERS
from mailer.entrypoints.scheduler import build_tickers
from mailer.entrypoints.web import BUS_KEY
from mailer.entrypoints.web import blueprint as members_blueprint
from mailer.service_layer.handlers import COMMAND_HANDLERS
from mailer.service_layer.members import MEMBER_COMMAND_HANDLERS
from mailer.service_layer.ports import Dependencies, OffersReference
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.consumer import EventConsumer
from plumbing.messagebus import MessageBus
from plumbing.ports import EventDispatcher
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app

SERVICE = "mailer"
PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"


def build_mailer(mail: MailSettings) -> Mailer:
    if mail.transport == "file":
        return FileMailer(mail.mail_dir, sender=mail.mail_from)
    return SmtpMailer(mail.smtp_host, mail.smtp_port, starttls=mail.smtp_starttls, username=mail.smtp_username,
                      password=mail.smtp_password, sender=mail.mail_from)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              mailer: Mailer | None = None, reference: OffersReference | None = None) -> ServiceBundle:
    """Wire the mailer. Connects to nothing: engines and SMTP connections open on first use.

    `reference` (offers' code lists, for the job seekers' subscriptions) defaults to offers' API at
    OFFERS_URL (default: the public URL, through the gateway); tests pass a fixed one."""
    settings = settings or Settings.from_env(SERVICE)
    start_mappers()
    runtime = build_runtime(settings, metadata, clock=clock)
    mailer = mailer or build_mailer(MailSettings.from_env(settings))
    messaging = runtime.messaging()

    def new_uow(dispatch: EventDispatcher) -> SqlMailerUnitOfWork:
        return SqlMailerUnitOfWork(runtime.session_factory, messaging, dispatch)

    if reference is None:  # job seekers
        offers = OffersSettings.from_env(settings)
        reference = HttpOffersReference(offers.url, timeout=offers.timeout)
    deps = Dependencies(mailer=mailer, clock=runtime.clock, templates=EmailTemplates(),
                        public_url=settings.public_url, contact_email=contact_email(),
                        reference=reference)
    bus = MessageBus(new_uow, deps, commands={**COMMAND_HANDLERS, **MEMBER_COMMAND_HANDLERS})
    consumer = EventConsumer(CONSUMER_NAME, bus.new_uow, bus.consumer_handlers(HANDLERS), runtime.schemas)
    # The job seekers' pages (/membre/).
    pages = create_pages_app(SERVICE, PACKAGE_DIR)
    pages.extensions[BUS_KEY] = bus
    pages.register_blueprint(members_blueprint)
    app = ServiceApp(SERVICE, api=None, pages=pages, readiness_checks=runtime.readiness_checks())
    return ServiceBundle(
        runtime=runtime,
        asgi=instrumented(app),
        migrations_dir=MIGRATIONS_DIR,
        consumers=[consumer],
        tickers=build_tickers(bus),
        extras={"bus": bus, "uow_factory": bus.new_uow, "mailer": mailer, "pages": pages, "reference": reference},
    )
