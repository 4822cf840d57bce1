"""Helpers for integration and e2e tests: throw-away databases and vhosts, a TCP proxy, polling.

Nothing here is used in production code. Each helper raises `TestInfrastructureError` with a
clear message when PostgreSQL or RabbitMQ cannot be reached, so fixtures can fail (not skip).

Environment overrides:
- `TEST_PG_ADMIN_URL`: a libpq URL of a role allowed to CREATE DATABASE, on its `postgres`
  database (default: `postgresql://postgres@127.0.0.1:5432/postgres`, then the current user);
- `TEST_AMQP_URL`: the broker to make vhosts on (default `amqp://guest:guest@127.0.0.1:5672/%2F`);
  vhosts are made with `rabbitmqctl` on this machine.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import socket
import struct
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit, urlunsplit

T = TypeVar("T")

DEFAULT_PG_ADMIN_URLS = (
    "postgresql://postgres@127.0.0.1:5432/postgres",
    "postgresql://127.0.0.1:5432/postgres",
)
DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


class TestInfrastructureError(RuntimeError):
    """PostgreSQL or RabbitMQ is not there (or not usable) for the tests."""

    __test__ = False  # not a test class, whatever pytest thinks of the name


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


# Polling -----------------------------------------------------------------------------------

def strings_in(value: object) -> list[str]:
    """Every string a stored value holds: itself and, if it is JSON, every string inside (keys too).
    Used by the tests that prove a store keeps no usable secret."""
    found = [value] if isinstance(value, str) else []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return found
    if isinstance(value, dict):
        found += [s for k, v in value.items() for s in strings_in(k) + strings_in(v)]
    elif isinstance(value, list):
        found += [s for v in value for s in strings_in(v)]
    return found


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.05,
    message: str | Callable[[], str] = "condition not met",
) -> T:
    """Call `predicate` until it returns something truthy (returned); AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout:.1f}s: {text} (last value: {value!r})")
        time.sleep(interval)


def files_containing(roots: Iterable[Path | str], needles: Iterable[str]) -> list[tuple[Path, str]]:
    """(file, needle) for every file under `roots` (recursively; a root may be a file) whose bytes
    contain a needle, UTF-8 encoded. For the tests that prove a secret (a card number, a token)
    reached no log, trace, database file or dump."""
    wanted = [(needle, needle.encode()) for needle in needles]
    hits: list[tuple[Path, str]] = []
    for root in map(Path, roots):
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            content = path.read_bytes()
            hits += [(path, needle) for needle, encoded in wanted if encoded in content]
    return hits


# PostgreSQL --------------------------------------------------------------------------------
def _admin_urls() -> list[str]:
    override = os.environ.get("TEST_PG_ADMIN_URL")
    return [override] if override else list(DEFAULT_PG_ADMIN_URLS)


def _admin_connect():  # type: ignore[no-untyped-def]
    import psycopg

    errors = []
    for url in _admin_urls():
        try:
            return psycopg.connect(url, autocommit=True, connect_timeout=5), url
        except psycopg.Error as exc:
            errors.append(f"{url}: {exc}".strip())
    raise TestInfrastructureError(
        "PostgreSQL is unreachable or refuses to create databases; tried " + "; ".join(errors)
        + " (start PostgreSQL on 127.0.0.1:5432 or set TEST_PG_ADMIN_URL)"
    )


def create_test_database(prefix: str = "test_plumbing") -> str:
    """Create an empty database with a random name; return its SQLAlchemy URL (psycopg 3)."""
    name = unique_name(prefix).lower()
    connection, admin_url = _admin_connect()
    with connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit(("postgresql+psycopg", parts.netloc, f"/{name}", parts.query, ""))


def drop_test_database(url: str) -> None:
    """Drop a database made by create_test_database, closing whatever is still connected."""
    name = unquote(urlsplit(url).path.lstrip("/"))
    if not name or '"' in name:
        raise ValueError(f"not a test database URL: {url}")
    connection, _ = _admin_connect()
    with connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# RabbitMQ ----------------------------------------------------------------------------------
def rabbitmqctl(*args: str, timeout: float = 30.0) -> str:
    """Run rabbitmqctl on this machine; TestInfrastructureError when it fails."""
    try:
        result = subprocess.run(
            ["rabbitmqctl", *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TestInfrastructureError(f"rabbitmqctl {' '.join(args)} failed: {exc!r}") from exc
    if result.returncode != 0:
        raise TestInfrastructureError(
            f"rabbitmqctl {' '.join(args)} exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout


def vhost_of(amqp_url: str) -> str:
    path = urlsplit(amqp_url).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def with_vhost(amqp_url: str, vhost: str) -> str:
    parts = urlsplit(amqp_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(vhost, safe=""), parts.query, ""))


def check_amqp(amqp_url: str, timeout: float = 5.0) -> None:
    """Open and close one AMQP connection; TestInfrastructureError if the broker refuses."""
    import pika

    params = pika.URLParameters(amqp_url)
    params.socket_timeout = timeout
    params.connection_attempts = 1
    try:
        pika.BlockingConnection(params).close()
    except Exception as exc:  # noqa: BLE001 - any failure means "no broker for the tests"
        raise TestInfrastructureError(f"RabbitMQ is unreachable at {amqp_url}: {exc!r}") from exc


def create_test_vhost(base_url: str | None = None, prefix: str = "test-plumbing") -> str:
    """Create a vhost with a random name, grant the URL's user everything; return its AMQP URL."""
    base_url = base_url or os.environ.get("TEST_AMQP_URL", DEFAULT_AMQP_URL)
    check_amqp(base_url)
    vhost = unique_name(prefix)
    user = unquote(urlsplit(base_url).username or "guest")
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
    url = with_vhost(base_url, vhost)
    wait_until(lambda: _can_connect(url), timeout=10, interval=0.1, message=f"vhost {vhost} not usable")
    return url


def _can_connect(url: str) -> bool:
    try:
        check_amqp(url)
    except TestInfrastructureError:
        return False
    return True


def delete_test_vhost(amqp_url: str) -> None:
    """Delete a vhost made by create_test_vhost, with all its queues and exchanges."""
    vhost = vhost_of(amqp_url)
    if vhost == "/":
        raise ValueError("refusing to delete the default vhost")
    rabbitmqctl("delete_vhost", vhost)


def unacked_count(amqp_url: str) -> int:
    """Messages delivered but not yet acknowledged, over every channel of the URL's vhost.

    Read live from the channels (`rabbitmqctl list_queues` figures for quorum queues lag by
    seconds, which would make "the queue is empty" checks pass too early or late).
    """
    out = rabbitmqctl("list_channels", "-q", "--no-table-headers", "vhost", "messages_unacknowledged")
    vhost = vhost_of(amqp_url)
    total = 0
    for line in out.splitlines():
        fields = line.split("\t")
        if len(fields) == 2 and fields[0] == vhost:
            total += int(fields[1])
    return total


def ready_count(amqp_url: str, queue: str) -> int:
    """Messages ready in a queue (live, from a passive declare); the queue must exist."""
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()


def queue_message_count(amqp_url: str, queue: str) -> int:
    """Ready messages in `queue` plus the unacknowledged ones of the whole vhost (see unacked_count).

    In a test vhost where only this queue is consumed, 0 means every message was acked.
    """
    return ready_count(amqp_url, queue) + unacked_count(amqp_url)


# TCP proxy ---------------------------------------------------------------------------------
class TcpProxy:
    """A TCP forwarder to simulate a network or broker outage.

    `url_for(amqp_url)` points a client at the proxy. `refuse()` cuts open connections and
    closes new ones at once (the client sees the broker as down); `accept()` restores forwarding.
    """

    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self._server = socket.create_server((listen_host, 0))
        self._server.settimeout(0.2)
        self.host, self.port = self._server.getsockname()[:2]
        self._accepting = True
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._pipes: set[socket.socket] = set()
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, name=f"tcp-proxy-{self.port}", daemon=True)
        self._thread.start()

    @classmethod
    def for_url(cls, amqp_url: str) -> TcpProxy:
        parts = urlsplit(amqp_url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 5672)

    def url_for(self, url: str) -> str:
        parts = urlsplit(url)
        auth = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
        return urlunsplit((parts.scheme, f"{auth}{self.host}:{self.port}", parts.path, parts.query, ""))

    def refuse(self) -> None:
        with self._lock:  # a connection being opened now is either dropped here or refused in _serve
            self._accepting = False
        self.drop_connections()

    def refuse_new(self) -> None:
        """Close new connections at once, leaving the open ones alone."""
        self._accepting = False

    def accept(self) -> None:
        self._accepting = True

    def drop_connections(self) -> None:
        with self._lock:
            pipes, self._pipes = self._pipes, set()
        for sock in pipes:
            _abort(sock, shutdown=True)

    def close(self) -> None:
        self._stopped.set()
        self.drop_connections()
        self._thread.join(2)
        self._server.close()

    def __enter__(self) -> TcpProxy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self._accepting:
                _abort(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _abort(client)
                continue
            with self._lock:
                if not self._accepting:  # refuse() ran while the upstream connection was opening
                    _abort(client)
                    _abort(upstream)
                    continue
                self.connections += 1
                self._pipes.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        sel = selectors.DefaultSelector()
        try:
            for sock in peers:
                sock.setblocking(False)
                sel.register(sock, selectors.EVENT_READ)
            while not self._stopped.is_set():
                for key, _ in sel.select(timeout=0.2):
                    src = key.fileobj
                    data = src.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    dst = peers[src]  # type: ignore[index]
                    dst.setblocking(True)
                    dst.sendall(data)
                    dst.setblocking(False)
        except (OSError, ValueError):
            return
        finally:
            sel.close()
            with self._lock:
                self._pipes.discard(a)
                self._pipes.discard(b)
            _abort(a)
            _abort(b)


def _abort(sock: socket.socket, shutdown: bool = False) -> None:
    """Close with a reset, as a crashed peer would (shutdown also wakes a thread reading it)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    if shutdown:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        return  # the pump thread closes it
    with contextlib.suppress(OSError):
        sock.close()


class TokenMaker:
    """An Ed25519 key, its JWKS, a verifier over it, and access tokens as identity signs them, for
    page tests (the gateway's `Authorization: Bearer …` and `X-CSRF-Token` headers)."""

    KID = "test-key"
    CSRF = "csrf-test-token"

    def __init__(self) -> None:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from jwt.algorithms import OKPAlgorithm

        self.private_key = Ed25519PrivateKey.generate()
        jwk = OKPAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        self.jwks = {"keys": [{**jwk, "kid": self.KID, "use": "sig", "alg": "EdDSA"}]}

    def verifier(self):  # type: ignore[no-untyped-def] - plumbing.auth.tokens.TokenVerifier
        from plumbing.auth.tokens import TokenVerifier

        return TokenVerifier(lambda: self.jwks)

    def token(self, kind: str = "staff", *, account_id: str | None = None, email: str | None = None) -> str:
        import jwt

        from plumbing.auth.tokens import AUDIENCE, ISSUER

        now = int(time.time())  # PyJWT checks lifetimes against the real time
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": account_id or str(uuid.uuid4()),
            "email": email or f"{kind}.{uuid.uuid4().hex[:6]}@oiq-test.ca", "kind": kind,
            "sid": str(uuid.uuid4()), "iat": now, "exp": now + 600,
        }
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.KID})

    def headers(self, kind: str = "staff", **kwargs: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(kind, **kwargs)}", "X-CSRF-Token": self.CSRF}


def compile_catalogs(translations_dir: Path) -> None:
    """What `make translations` does (pybabel compile) for one translations folder, when a .po is
    newer than its .mo: .mo files are build output, not in git."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in translations_dir.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parents[1].name)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
