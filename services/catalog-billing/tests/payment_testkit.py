"""Test helpers for payments: a webhook receiver, the sandbox process, a processor bound to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from catalog_billing.adapters.payments.sandbox import SandboxProcessor
from catalog_billing.config import BillingConfig
from catalog_billing.devtools.payment_sandbox import SandboxClient, SandboxProcess

WEBHOOK_SECRET = "whsec_test_payments"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """An HTTP server that records every POST and answers `status` (200 by default)."""

    status: int = 200
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver._lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def clear(self) -> None:
        with self._lock:
            self.received.clear()

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)


def sandbox_config(url: str, **overrides: Any) -> BillingConfig:
    values: dict[str, Any] = {"payment_processor": "sandbox", "sandbox_url": url, "sandbox_public_url": url,
                              "webhook_secret": WEBHOOK_SECRET, "processor_timeout": 5.0}
    values.update(overrides)
    return BillingConfig(**values)


@dataclass
class SandboxKit:
    process: SandboxProcess
    receiver: WebhookReceiver
    client: SandboxClient
    processor: SandboxProcessor


@contextmanager
def running_sandbox(webhook_url: str | None = None, *, log_path: Any = None) -> Iterator[SandboxKit]:
    """The sandbox as its own process, a receiver for its webhooks (unless `webhook_url` is given)."""
    receiver = WebhookReceiver().start()
    process = SandboxProcess(webhook_url=webhook_url or receiver.url, webhook_secret=WEBHOOK_SECRET,
                             log_path=log_path).start()
    client = SandboxClient(process.url)
    processor = SandboxProcessor(sandbox_config(process.url))
    try:
        yield SandboxKit(process, receiver, client, processor)
    finally:
        processor.close()
        client.close()
        process.stop()
        receiver.stop()
