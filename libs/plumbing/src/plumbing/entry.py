"""Process entry points shared by every service (distributed mode and Kubernetes).

Each service package exposes `<package>.bootstrap.bootstrap(settings=None, *, clock=None)`
returning a ServiceBundle. Then:

    gunicorn -k uvicorn_worker.UvicornWorker --no-control-socket 'plumbing.entry:web_app("identity")'
    python -m plumbing.entry worker identity
    python -m plumbing.entry migrate identity
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from plumbing.auth.tokens import TokenVerifier, configure_verifier, http_jwks_provider
from plumbing.config import Settings
from plumbing.logs import configure_logging
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
    parser = argparse.ArgumentParser(description="Run a service's worker or migrations.")
    parser.add_argument("command", choices=["worker", "migrate"])
    parser.add_argument("service")
    args = parser.parse_args(argv)
    bundle = load_bundle(args.service, _prepare(args.service))
    if args.command == "migrate":
        bundle.migrate()
    else:
        run_worker_process(bundle)


if __name__ == "__main__":
    main()
