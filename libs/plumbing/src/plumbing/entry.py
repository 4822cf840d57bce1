"""Process entry points shared by every service (distributed mode and Kubernetes).

Each service package exposes `<package>.bootstrap.bootstrap(settings=None, *, clock=None)`
returning a ServiceBundle. Then:

    gunicorn -k uvicorn_worker.UvicornWorker --no-control-socket 'plumbing.entry:web_app("identity")'
    python -m plumbing.entry worker identity
    python -m plumbing.entry migrate identity        # Alembic, then the broker topology
    python -m plumbing.entry topology moderation     # only the broker topology (idempotent)
    python -m plumbing.entry dlq mailer list|show ID|replay ID|replay --all
    python -m plumbing.entry outbox identity parked|requeue SEQ
    python -m plumbing.entry alive [--max-age 120]   # the worker's liveness probe
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from plumbing.auth.tokens import TokenVerifier, configure_verifier, http_jwks_provider
from plumbing.config import Settings
from plumbing.logs import configure_logging
from plumbing.operator import dead_letters, declare_topology, parked_outbox
from plumbing.service import ServiceBundle, run_worker_process
from plumbing.telemetry import setup_tracing


def package_of(service: str) -> str:
    return service.replace("-", "_")


def load_bundle(service: str, settings: Settings | None = None) -> ServiceBundle:
    module = importlib.import_module(f"{package_of(service)}.bootstrap")
    settings = settings or Settings.from_env(service)
    if service != "identity":
        # identity verifies with its own keys (its bootstrap configures that); the others fetch
        # identity's public keys once and cache them.
        configure_verifier(TokenVerifier(http_jwks_provider(settings.identity_url)))
    return module.bootstrap(settings)


def _prepare(service: str) -> Settings:
    settings = Settings.from_env(service)
    configure_logging(service, settings.log_level)
    setup_tracing(service)  # called in the gunicorn worker (after fork): the batch thread lives there
    return settings


def web_app(service: str) -> Any:
    """The ASGI app of a service for gunicorn's uvicorn worker (a factory: runs after fork)."""
    return load_bundle(service, _prepare(service)).asgi


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a service's worker, migrations or operator commands.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("worker", "migrate", "topology"):
        commands.add_parser(name).add_argument("service")
    dlq = commands.add_parser("dlq", help="list, show and replay dead letters")
    dlq.add_argument("service")
    dlq.add_argument("action", choices=["list", "show", "replay"])
    dlq.add_argument("id", nargs="?")
    dlq.add_argument("--all", action="store_true")
    outbox = commands.add_parser("outbox", help="parked outbox rows")
    outbox.add_argument("service")
    outbox.add_argument("action", choices=["parked", "requeue"])
    outbox.add_argument("seq", nargs="?", type=int)
    alive = commands.add_parser("alive", help="the worker's liveness probe (heartbeat file age)")
    alive.add_argument("--max-age", type=float, default=120.0)
    args = parser.parse_args(argv)
    if args.command == "alive":
        from plumbing.liveness import heartbeat_file, is_alive

        raise SystemExit(0 if is_alive(heartbeat_file(), args.max_age) else 1)
    bundle = load_bundle(args.service, _prepare(args.service))
    if args.command == "migrate":
        bundle.migrate()
        declare_topology(bundle)
    elif args.command == "topology":
        if bundle.runtime.settings.embedded:
            print("embedded mode: no broker, nothing to declare")
        else:
            print(f"{args.service}: declared {', '.join(declare_topology(bundle)) or 'the exchange'}")
    elif args.command == "dlq":
        raise SystemExit(dead_letters(bundle, args))
    elif args.command == "outbox":
        if args.action == "requeue" and args.seq is None:
            parser.error("outbox requeue needs a SEQ")
        raise SystemExit(parked_outbox(bundle, args))
    else:
        run_worker_process(bundle)


if __name__ == "__main__":
    main()
