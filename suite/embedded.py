"""The embedded default (`make run`): every service in one process, SQLite files under var/,
the in-process event transport, emails written to var/mail/, behind the gateway on :8080
(`--port` moves every public and internal URL with it, unless PUBLIC_URL is set). The payment
sandbox is the one other process (a card processor is a third party): started on a free port (or
`--sandbox-port`) unless CATALOG_BILLING_SANDBOX_URL names one already running, stopped with the suite.

Same code paths as production except the two adapters (database engine, event transport).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from plumbing.clock import Clock
from plumbing.config import Settings
from plumbing.events.inprocess import InProcessBroker
from plumbing.service import ServiceBundle
from plumbing.worker import run_worker
from suite.services import built_services, package_of


@dataclass
class EmbeddedSuite:
    bundles: dict[str, ServiceBundle]
    broker: InProcessBroker
    gateway: Any
    stop_event: threading.Event = field(default_factory=threading.Event)
    _worker: threading.Thread | None = None

    def start_workers(self) -> None:
        """Relays, consumers and ticks of every service, in background threads."""
        relays = [bundle.runtime.relay(self.broker) for bundle in self.bundles.values()]
        subscriptions = [sub for bundle in self.bundles.values() for sub in bundle.subscriptions()]
        for sub in subscriptions:
            self.broker.declare(sub)
        tickers = [t for bundle in self.bundles.values() for t in bundle.tickers]
        self._worker = threading.Thread(
            target=run_worker, args=(relays, subscriptions, self.broker, tickers, self.stop_event),
            name="embedded-worker", daemon=True,
        )
        self._worker.start()

    def stop(self) -> None:
        self.stop_event.set()
        if self._worker is not None:
            self._worker.join(timeout=10)


def public_url_of(host: str, port: int) -> str:
    """The address browsers (and the services' own calls through the gateway) use for this suite."""
    reachable = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104 - binding all, not a URL
    return f"http://{f'[{reachable}]' if ':' in reachable else reachable}:{port}"


def build_embedded(var_dir: Path | None = None, *, clock: Clock | None = None,
                   gateway_env: dict[str, str] | None = None, host: str = "127.0.0.1",
                   port: int = 8080) -> EmbeddedSuite:
    """Bootstrap and migrate every built service, and a gateway that calls them in-process.

    Every public and internal URL derives from `host` and `port` (email links, moderation's calls
    to company-portal through the gateway) unless PUBLIC_URL or a service's own URL is set.
    """
    if var_dir is not None:
        os.environ["INGEMPLOIS_VAR"] = str(var_dir)
    os.environ.setdefault("INGEMPLOIS_MODE", "embedded")
    os.environ.setdefault("PUBLIC_URL", public_url_of(host, port))
    bundles: dict[str, ServiceBundle] = {}
    for service in built_services():
        module = importlib.import_module(f"{package_of(service)}.bootstrap")
        bundle = module.bootstrap(Settings.from_env(service), clock=clock)
        bundle.migrate()
        bundles[service] = bundle
    from gateway.app import create_gateway
    from gateway.config import GatewayConfig

    for key, value in (gateway_env or {}).items():
        os.environ[key] = value
    transports = {name: httpx.ASGITransport(app=bundle.asgi) for name, bundle in bundles.items()}
    gateway = create_gateway(GatewayConfig.from_env(), transports=transports)
    return EmbeddedSuite(bundles=bundles, broker=InProcessBroker(), gateway=gateway)


def start_payment_sandbox(host: str, port: int, sandbox_port: int) -> Any:
    """The sandbox card processor for catalog-billing, its webhooks sent through the gateway.

    Sets the CATALOG_BILLING_* variables the service reads at bootstrap; None when catalog-billing
    is not built, uses another processor, or CATALOG_BILLING_SANDBOX_URL points to a running sandbox.
    """
    if ("catalog-billing" not in built_services() or "CATALOG_BILLING_SANDBOX_URL" in os.environ
            or os.environ.get("CATALOG_BILLING_PAYMENT_PROCESSOR", "sandbox") != "sandbox"):
        return None
    from catalog_billing.devtools.payment_sandbox import SandboxProcess

    public = os.environ.get("PUBLIC_URL") or public_url_of(host, port)
    secret = os.environ.setdefault("CATALOG_BILLING_WEBHOOK_SECRET", "whsec_sandbox_ingemplois")
    sandbox = SandboxProcess(webhook_url=public.rstrip("/") + "/api/catalog-billing/v1/payment-webhooks/sandbox",
                             webhook_secret=secret, port=sandbox_port, host=host,
                             secret_key=os.environ.get("CATALOG_BILLING_PROCESSOR_SECRET_KEY", "sk_sandbox_ingemplois"))
    sandbox.port = sandbox.port or free_port()
    sandbox.public_url = public_url_of(host, sandbox.port)
    sandbox.log_path = Settings.from_env("catalog-billing").var_dir / "payment-sandbox.log"
    sandbox.start()
    os.environ["CATALOG_BILLING_SANDBOX_URL"] = sandbox.url
    os.environ["CATALOG_BILLING_SANDBOX_PUBLIC_URL"] = sandbox.public_url
    return sandbox


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the whole suite in one process (embedded default).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--sandbox-port", type=int, default=int(os.environ.get("PAYMENT_SANDBOX_PORT", "0")),
                        help="the payment sandbox's port (0: a free one)")
    args = parser.parse_args()

    import uvicorn

    from plumbing.logs import configure_logging
    from plumbing.telemetry import setup_tracing
    from suite.seed import print_banner, seed_demo

    configure_logging("embedded", os.environ.get("LOG_LEVEL", "WARNING"))
    setup_tracing("ingemplois-embedded")
    sandbox = start_payment_sandbox(args.host, args.port, args.sandbox_port)
    suite: EmbeddedSuite | None = None
    try:
        suite = build_embedded(host=args.host, port=args.port)
        suite.start_workers()
        logins = [] if args.no_seed else seed_demo(suite.bundles)
        print_banner(public_url_of(args.host, args.port), logins, Settings.from_env("mailer").var_dir / "mail")
        if sandbox is not None:
            print(f"  Paiements (bac à sable, carte 4242 4242 4242 4242) : {sandbox.public_url}", flush=True)
        uvicorn.run(suite.gateway, host=args.host, port=args.port, log_level="warning")
    finally:
        if suite is not None:
            suite.stop()
        if sandbox is not None:
            sandbox.stop()
        logging.shutdown()

if __name__ == "__main__":
    main()
