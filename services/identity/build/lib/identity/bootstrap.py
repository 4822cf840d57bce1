"""The composition root of identity: `bootstrap()` wires everything; nothing connects at import.

Also `create_account_directly()`, for operators and the demo seed (a command through the bus,
not a back door).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError

from identity.adapters.common_passwords import load_password_policy
from identity.adapters.hashing import Argon2Hasher
from identity.adapters.jwt_tokens import JwtSigner
from identity.adapters.keystore import SigningKeyStore, generate_signing_key
from identity.adapters.orm import metadata, start_mappers
from identity.adapters.unit_of_work import SqlIdentityUnitOfWork
from identity.adapters.webmail import load_email_policy
from identity.config import IdentityConfig
from identity.domain.errors import EmailAlreadyUsed
from identity.domain.keys import KeyRotationPolicy
from identity.domain.model import LockoutPolicy
from identity.entrypoints import http, web
from identity.service_layer import commands
from identity.service_layer.handlers import AccountView
from identity.service_layer.messagebus import MessageBus, identity_bus
from identity.service_layer.ports import Dependencies
from plumbing.auth.tokens import TokenVerifier, configure_verifier
from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.ports import EventDispatcher
from plumbing.revocations import make_revoked_sessions
from plumbing.service import ServiceBundle, build_runtime
from plumbing.web.api import build_api
from plumbing.web.app import ServiceApp, instrumented
from plumbing.web.pages import create_pages_app

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR.parents[1] / "migrations"
HEALTH_PATHS = ("/healthz", "/readyz")


class WarmSigningKeys:
    """ASGI wrapper: before the first request, and whenever the process's copy of the signing keys
    is older than its reload interval, read them in a thread (not the loop).

    The keys cannot be read at bootstrap when the database is not migrated yet (the embedded
    runner and the migrate command bootstrap first); until they are, each request retries at most
    every few seconds. A failed re-read keeps the keys already read.
    """

    def __init__(self, app: Any, keystore: SigningKeyStore, retry_seconds: float = 5.0) -> None:
        self.app = app
        self.keystore = keystore
        self.retry_seconds = retry_seconds
        self._next_try = 0.0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and self.keystore.needs_reload() and scope.get("path") not in HEALTH_PATHS
                and time.monotonic() >= self._next_try):
            try:
                await anyio.to_thread.run_sync(self.keystore.ensure_loaded)
            except SQLAlchemyError as exc:
                self._next_try = time.monotonic() + self.retry_seconds
                log.warning("signing keys not readable yet: %s", type(exc).__name__)
        await self.app(scope, receive, send)


def _try_load_keys(keystore: SigningKeyStore) -> None:
    try:
        keystore.ensure_loaded()
    except SQLAlchemyError as exc:
        log.info("signing keys deferred to first use (database not ready: %s)", type(exc).__name__)


def build_dependencies(settings: Settings, config: IdentityConfig, clock: Clock,
                       keystore: SigningKeyStore) -> Dependencies:
    return Dependencies(
        clock=clock,
        hasher=Argon2Hasher(config.argon2_time_cost, config.argon2_memory_kib, config.argon2_parallelism),
        signer=JwtSigner(keystore, config.access_ttl),
        email_policy=load_email_policy(),
        password_policy=load_password_policy(),
        public_url=settings.public_url,
        new_signing_key=generate_signing_key,
        lockout=LockoutPolicy(config.lockout_threshold, timedelta(minutes=config.lockout_minutes)),
        revoked_sessions=make_revoked_sessions(config.redis_url, config.redis_prefix),
        revocation_ttl=config.access_ttl + 60,
        verification_ttl=timedelta(hours=config.verification_ttl_hours),
        reset_ttl=timedelta(minutes=config.reset_ttl_minutes),
        refresh_ttl=timedelta(hours=config.refresh_ttl_hours),
        key_rotation=KeyRotationPolicy(activation_delay=timedelta(seconds=config.key_activation_seconds),
                                       access_ttl=timedelta(seconds=config.access_ttl),
                                       margin=timedelta(seconds=config.key_retirement_margin_seconds)),
    )


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None,
              config: IdentityConfig | None = None) -> ServiceBundle:
    """identity, ready to serve: API, pages, token verification with its own keys."""
    settings = settings or Settings.from_env("identity")
    config = config or IdentityConfig.from_env()
    start_mappers()
    runtime = build_runtime(settings, metadata, clock=clock)
    keystore = SigningKeyStore(runtime.engine, runtime.clock, timedelta(seconds=config.key_reload_seconds))
    _try_load_keys(keystore)
    configure_verifier(TokenVerifier(keystore.jwks))  # identity verifies with its own keys, locally

    deps = build_dependencies(settings, config, runtime.clock, keystore)

    def new_uow(dispatch: EventDispatcher) -> SqlIdentityUnitOfWork:
        return SqlIdentityUnitOfWork(runtime.session_factory, runtime.messaging(), dispatch)

    bus = identity_bus(new_uow, deps)

    http.init(http.ApiDependencies(bus=bus, keystore=keystore, email_policy=deps.email_policy))
    api = build_api("identity", settings.contracts_dir, "identity.entrypoints.http")
    pages = create_pages_app("identity", PACKAGE_DIR)
    pages.extensions["identity"] = web.PagesDependencies(bus=bus)
    pages.register_blueprint(web.blueprint)

    app = ServiceApp("identity", api=api, pages=pages, readiness_checks=runtime.readiness_checks())
    return ServiceBundle(
        runtime=runtime,
        asgi=instrumented(WarmSigningKeys(app, keystore)),
        migrations_dir=MIGRATIONS_DIR,
        extras={"bus": bus, "keystore": keystore, "config": config, "deps": deps},
    )


def create_account_directly(bundle: ServiceBundle, email: str, password: str, kind: str, first_name: str,
                            last_name: str, verified: bool = True) -> AccountView:
    """Create an account unless its address already has one (then return that one): idempotent.

    verified=True: `CreateVerifiedAccount` (staff, demo data; any kind). verified=False: a normal
    sign-up (`RegisterAccount`: employer or member; a confirmation email goes out).
    """
    bus: MessageBus = bundle.extras["bus"]
    command: commands.Command
    if verified:
        command = commands.CreateVerifiedAccount(email=email, password=password, kind=kind,
                                                 first_name=first_name, last_name=last_name)
    else:
        command = commands.RegisterAccount(email=email, password=password, kind=kind,
                                           first_name=first_name, last_name=last_name)
    try:
        return bus.handle(command)
    except EmailAlreadyUsed:
        existing = bus.handle(commands.FindAccount(email=email))
        if existing is None:  # pragma: no cover - only if the account vanished in between
            raise
        return existing
