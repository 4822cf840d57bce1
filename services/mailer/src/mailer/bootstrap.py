"""The mailer's composition root: database, templates, mail transport, consumer, ticks, app."""

from __future__ import annotations

from pathlib import Path

from mailer.adapters.mail import FileMailer, Mailer, SmtpMailer
from mailer.adapters.orm import metadata, start_mappers
from mailer.adapters.templates import EmailTemplates
from mailer.config import MailSettings, contact_email
from mailer.entrypoints.consumer import build_consumer
from mailer.entrypoints.scheduler import build_tickers
from mailer.service_layer.handlers import COMMAND_HANDLERS
from mailer.service_layer.messagebus import MessageBus, inject
from mailer.service_layer.unit_of_work import MailerUnitOfWork
from plumbing.clock import Clock
from plumbing.config import Settings
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

    def uow_factory() -> MailerUnitOfWork:
        return MailerUnitOfWork(runtime.session_factory, messaging)

    dependencies = {
        "uow_factory": uow_factory,
        "mailer": mailer,
        "clock": runtime.clock,
        "templates": EmailTemplates(),
        "public_url": settings.public_url,
        "contact_email": contact_email(),
    }
    bus = MessageBus({command: inject(handler, dependencies) for command, handler in COMMAND_HANDLERS.items()})
    app = ServiceApp(SERVICE, api=None, pages=None, readiness_checks=runtime.readiness_checks())
    return ServiceBundle(
        runtime=runtime,
        asgi=instrumented(app),
        migrations_dir=MIGRATIONS_DIR,
        consumers=[build_consumer(uow_factory, runtime.schemas, dependencies)],
        tickers=build_tickers(bus),
        extras={"bus": bus, "uow_factory": uow_factory, "mailer": mailer},
    )
