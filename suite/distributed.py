"""The distributed suite: each service in its own gunicorn, its worker, the gateway, an SMTP sink,
the payment sandbox (when catalog-billing is built), against real PostgreSQL (a database per
service), RabbitMQ (one vhost) and Redis.

`make up` runs it in the foreground with fixed names (databases `ingemplois_<service>`, vhost
`ingemplois`, gateway on :8080). The e2e harness runs it with throw-away databases, vhost and
free ports (see tests-e2e/conftest.py).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from plumbing.config import REPO_ROOT
from suite.services import built_services, package_of

GUNICORN_WORKER = "uvicorn_worker.UvicornWorker"
#: Where the payment processor posts its webhooks, behind the gateway.
PAYMENT_WEBHOOK_PATH = "/api/catalog-billing/v1/payment-webhooks/sandbox"


def gunicorn_command(app: str, port: int, workers: int) -> list[str]:
    """How every web process of the suite is started (services and gateway alike).

    `--forwarded-allow-ips=` (empty): uvicorn never rewrites the client address or scheme from
    X-Forwarded-* headers. By default it trusts them from loopback, where the gateway and the
    services talk, so anyone could pick their own address; the gateway applies its own rule
    (GATEWAY_TRUST_PROXY hops) and the services read the headers the gateway wrote.
    """
    return [sys.executable, "-m", "gunicorn", "-k", GUNICORN_WORKER, "--no-control-socket",
            "--forwarded-allow-ips=", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "5", app]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Infrastructure:
    """Where the suite keeps its state: one database URL per service, a vhost, a Redis prefix."""

    database_urls: dict[str, str]
    amqp_url: str
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "gw:"


@dataclass
class DistributedSuite:
    infra: Infrastructure
    run_dir: Path
    gateway_port: int = 8080
    workers_per_service: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=built_services)
    ports: dict[str, int] = field(default_factory=dict)
    smtp_port: int = 0
    #: The payment sandbox's port (its own process, like the SMTP sink); 0 until started.
    sandbox_port: int = 0
    webhook_secret: str = field(default_factory=lambda: f"whsec_{secrets.token_hex(16)}")
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Workers restarted by the supervisor (they exited, or their heartbeat went stale), per name.
    restarts: dict[str, int] = field(default_factory=dict)
    heartbeat_max_age: float = 120.0
    _stopping: threading.Event = field(default_factory=threading.Event)
    _supervisor: threading.Thread | None = None

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def mail_dir(self) -> Path:
        return self.run_dir / "mail-sink"

    @property
    def payments_enabled(self) -> bool:
        return "catalog-billing" in self.services

    @property
    def sandbox_url(self) -> str:
        """The payment sandbox (card form, test controls: catalog_billing.devtools.payment_sandbox)."""
        return f"http://127.0.0.1:{self.sandbox_port}"

    def log_path(self, name: str) -> Path:
        return self.run_dir / "logs" / f"{name}.log"

    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_UPSTREAM_")}
        env.update(
            INGEMPLOIS_MODE="distributed",
            INGEMPLOIS_VAR=str(self.run_dir),
            AMQP_URL=self.infra.amqp_url,
            IDENTITY_URL=f"http://127.0.0.1:{self.ports['identity']}",
            PUBLIC_URL=self.gateway_url,
            MAILER_TRANSPORT="smtp",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(self.smtp_port),
            REDIS_URL=self.infra.redis_url,
            GATEWAY_REDIS_PREFIX=self.infra.redis_prefix,
            PYTHONPATH=str(REPO_ROOT),
            PYTHONUNBUFFERED="1",
        )
        if self.payments_enabled:
            env.update(CATALOG_BILLING_PAYMENT_PROCESSOR="sandbox", CATALOG_BILLING_SANDBOX_URL=self.sandbox_url,
                       CATALOG_BILLING_SANDBOX_PUBLIC_URL=self.sandbox_url,
                       CATALOG_BILLING_WEBHOOK_SECRET=self.webhook_secret)
        for service in self.services:
            prefix = package_of(service).upper()
            env[f"{prefix}_DATABASE_URL"] = self.infra.database_urls[service]
            env[f"GATEWAY_UPSTREAM_{prefix}"] = f"http://127.0.0.1:{self.ports[service]}"
        env.update(self.extra_env)
        return env

    # life cycle ---------------------------------------------------------------------------
    def start(self, timeout: float = 90.0) -> None:
        (self.run_dir / "logs").mkdir(parents=True, exist_ok=True)
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.ports = {service: free_port() for service in self.services}
        self.smtp_port = self.smtp_port or free_port()
        self.sandbox_port = self.sandbox_port or free_port()
        env = self.env()
        for service in self.services:
            self._run_to_end(f"migrate-{service}", [sys.executable, "-m", "plumbing.entry", "migrate", service], env)
        self._spawn("smtp-sink", [sys.executable, "-m", "mailer.devtools.smtp_sink",
                                  "--port", str(self.smtp_port), "--dir", str(self.mail_dir)], env)
        if self.payments_enabled:
            self._spawn("payment-sandbox", [sys.executable, "-m", "catalog_billing.devtools.payment_sandbox",
                                            "--port", str(self.sandbox_port),
                                            "--webhook-url", self.gateway_url + PAYMENT_WEBHOOK_PATH,
                                            "--webhook-secret", self.webhook_secret, "--exit-with-parent",
                                            "--secret-key", env.get("CATALOG_BILLING_PROCESSOR_SECRET_KEY",
                                                                    "sk_sandbox_ingemplois")], env)
        for service in self.services:
            self.start_web(service, env)
            self.start_worker(service, env)
        self._spawn("gateway", self._gunicorn("gateway.asgi:create_app()", self.gateway_port), env)
        self.wait_healthy(timeout)
        self._supervisor = threading.Thread(target=self._supervise_workers, name="suite-supervisor", daemon=True)
        self._supervisor.start()

    def _gunicorn(self, app: str, port: int) -> list[str]:
        return gunicorn_command(app, port, self.workers_per_service)

    def start_web(self, service: str, env: dict[str, str] | None = None) -> None:
        app = f'plumbing.entry:web_app("{service}")'
        self._spawn(f"{service}-web", self._gunicorn(app, self.ports[service]), env or self.env())

    def heartbeat_path(self, service: str) -> Path:
        return self.run_dir / "heartbeats" / f"{service}-worker"

    def start_worker(self, service: str, env: dict[str, str] | None = None) -> None:
        env = dict(env or self.env())
        env["WORKER_HEARTBEAT_FILE"] = str(self.heartbeat_path(service))
        self._spawn(f"{service}-worker", [sys.executable, "-m", "plumbing.entry", "worker", service], env)

    def _supervise_workers(self) -> None:
        """Restart a worker that exited or whose heartbeat is stale, as Kubernetes would.

        Each restart is counted in `restarts` and logged in logs/supervisor.log (a test can then
        assert that no worker died).
        """
        from plumbing.liveness import is_alive

        started = {service: time.monotonic() for service in self.services}
        while not self._stopping.wait(1.0):
            for service in self.services:
                name = f"{service}-worker"
                process = self.processes.get(name)
                if process is None or self._stopping.is_set():
                    continue
                exited = process.poll() is not None
                grace = time.monotonic() - started[service] > self.heartbeat_max_age
                stale = grace and not is_alive(self.heartbeat_path(service), self.heartbeat_max_age)
                if not (exited or stale):
                    continue
                why = f"exited with {process.returncode}" if exited else "heartbeat stale"
                with self.log_path("supervisor").open("a", encoding="utf-8") as log:
                    log.write(f"{time.strftime('%H:%M:%S')} {name} {why}: restarting\n")
                self.restarts[name] = self.restarts.get(name, 0) + 1
                if not exited:
                    self.stop_process(name, signal.SIGKILL)
                self.processes.pop(name, None)
                self.start_worker(service)
                started[service] = time.monotonic()

    def stop_process(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)

    def stop(self) -> None:
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(5)
        for name in list(self.processes):
            self.stop_process(name)

    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        log = self.log_path(name).open("ab")
        self.processes[name] = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT)

    def _run_to_end(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        with self.log_path(name).open("ab") as log:
            result = subprocess.run(argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed (exit {result.returncode}); see {self.log_path(name)}")

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_path(name)}")
            try:
                health = httpx.get(f"{self.gateway_url}/healthz", timeout=2).json()
                states = {s: health["services"].get(s, {}).get("status") for s in self.services}
                if all(state == "ok" for state in states.values()) and self._sandbox_answers():
                    return
                last = str(states)
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise RuntimeError(f"the suite did not become healthy in {timeout:.0f}s: {last}")


    def _sandbox_answers(self) -> bool:
        if not self.payments_enabled:
            return True
        try:
            return httpx.get(f"{self.sandbox_url}/_sandbox/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


def ensure_infrastructure(services: list[str]) -> Infrastructure:
    """Fixed-name databases and vhost for `make up` (created when missing, kept between runs)."""
    import psycopg

    from plumbing.testing import rabbitmqctl

    admin = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    urls = {}
    with psycopg.connect(admin, autocommit=True) as connection:
        for service in services:
            name = f"ingemplois_{package_of(service)}"
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
            urls[service] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    if "ingemplois" not in rabbitmqctl("list_vhosts", "-q").split():
        rabbitmqctl("add_vhost", "ingemplois")
    rabbitmqctl("set_permissions", "-p", "ingemplois", "guest", ".*", ".*", ".*")
    return Infrastructure(urls, "amqp://guest:guest@127.0.0.1:5672/ingemplois", redis_prefix="ingemplois:gw:")


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the distributed suite in the foreground.")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    services = built_services()
    suite = DistributedSuite(ensure_infrastructure(services), REPO_ROOT / "var" / "distributed",
                             gateway_port=args.port, workers_per_service=args.workers, services=services)
    try:
        suite.start()
        print(f"\n  ingemplois (distribué) : {suite.gateway_url}\n  journaux : {suite.run_dir / 'logs'}\n"
              f"  courriels : {suite.mail_dir}\n"
              + (f"  paiements (bac à sable) : {suite.sandbox_url}\n" if suite.payments_enabled else "")
              + "  Arrêt : Ctrl+C", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(process.poll() is None for name, process in list(suite.processes.items())
                  if not name.endswith("-worker")):  # workers are restarted by the supervisor
            time.sleep(1)
        print("  un processus s'est arrêté : voir les journaux", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        suite.stop()


if __name__ == "__main__":
    main()
