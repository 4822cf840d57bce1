"""The mailer's composition root: database, templates, mail transport, consumer, ticks, app."""

from __future__ import annotations

from pathlib import Path

from mailer.adapters.mail import FileMailer, Mailer, SmtpMailer
from mailer.adapters.orm import metadata, start_mappers
from mailer.adapters.templates import EmailTemplates
from mailer.adapters.unit_of_work import SqlMailerUnitOfWork
from mailer.config import MailSettings, contact_email
from mailer.entrypoints.consumer import CONSUMER_NAME, HANDLERS
from mailer.entrypoints.scheduler import build_tickers
from mailer.service_layer.handlers import COMMAND_HANDLERS
from mailer.service_layer.ports import Dependencies
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.consumer import EventConsumer
from plumbing.messagebus import MessageBus
from plumbing.ports import EventDispatcher
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.app import ServiceApp, instrumented

SERVICE = "mailer"
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def build_mailer(mail: MailSettings) -> Mailer:
    if mail.transport == "file":
        return FileMailer(mail.mail_dir, sender=mail.mail_from)
    return SmtpMailer(mail.smtp_host, mail.smtp_port, starttls=mail.smtp_starttls, username=mail.smtp_username,
                      password=mail.smtp_password, sender=mail.mail_from)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              mailer: Mailer | None = None) -> ServiceBundle:
    """Wire the mailer. Connects to nothing: engines and SMTP connections open on first use."""
    settings = settings or Settings.from_env(SERVICE)
    start_mappers()
    runtime = build_runtime(settings, metadata, clock=clock)
    mailer = mailer or build_mailer(MailSettings.from_env(settings))
    messaging = runtime.messaging()

    def new_uow(dispatch: EventDispatcher) -> SqlMailerUnitOfWork:
        return SqlMailerUnitOfWork(runtime.session_factory, messaging, dispatch)

    deps = Dependencies(mailer=mailer, clock=runtime.clock, templates=EmailTemplates(),
                        public_url=settings.public_url, contact_email=contact_email())
    bus = MessageBus(new_uow, deps, commands=COMMAND_HANDLERS)
    consumer = EventConsumer(CONSUMER_NAME, bus.new_uow, bus.consumer_handlers(HANDLERS), runtime.schemas)
    app = ServiceApp(SERVICE, api=None, pages=None, readiness_checks=runtime.readiness_checks())
    return ServiceBundle(
        runtime=runtime,
        asgi=instrumented(app),
        migrations_dir=MIGRATIONS_DIR,
        consumers=[consumer],
        tickers=build_tickers(bus),
        extras={"bus": bus, "uow_factory": bus.new_uow, "mailer": mailer},
    )
