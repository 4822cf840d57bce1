"""The seeded embedded suite served over HTTP on a free port, for tests that need a real browser
or a real socket (the link crawl, the page layout at phone and desktop widths).

The payment sandbox (catalog-billing's card processor, its own process) runs with it: its address
is `DemoSite.sandbox_url` (None when catalog-billing is not built). Everything lives under a
throw-away folder; the environment variables the embedded suite sets are
restored on exit so other tests in the same process are not affected.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from suite.embedded import EmbeddedSuite, build_embedded, start_payment_sandbox
from suite.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo

#: Each kind of visitor the layout must serve, by the seed's account key (None: anonymous).
VISITORS: dict[str, str | None] = {
    "anonyme": None,
    "employeur-sans-entreprise": "new_employer",
    "demande-en-attente": "creation_requester",
    "principal": "principal",
    "affichage": "affichage",
    "finances": "finances",
    "candidat": "member",
    "personnel": "staff",
}


def demo_email(key: str) -> str:
    return next(email for k, email, *_ in DEMO_ACCOUNTS if k == key)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class DemoSite:
    url: str
    suite: EmbeddedSuite
    password: str = DEMO_PASSWORD
    #: The payment sandbox's address (its card form), when catalog-billing is built.
    sandbox_url: str | None = None


_ENV_KEYS = ("INGEMPLOIS_VAR", "INGEMPLOIS_MODE", "MAILER_TRANSPORT", "COMPANY_PORTAL_REGISTRY_SAMPLE",
             "REDIS_URL", "GATEWAY_RATE_LIMIT_AUTH", "GATEWAY_RATE_LIMIT_DEFAULT", "INGEMPLOIS_STYLEGUIDE",
             "PUBLIC_URL", "CATALOG_BILLING_SANDBOX_URL", "CATALOG_BILLING_SANDBOX_PUBLIC_URL",
             "CATALOG_BILLING_WEBHOOK_SECRET")


@contextmanager
def demo_site(var_dir: Path) -> Iterator[DemoSite]:
    """Build, seed and serve the embedded suite; stop it and restore the environment after."""
    import uvicorn

    saved = {key: os.environ.get(key) for key in _ENV_KEYS}
    port = free_port()
    os.environ.pop("REDIS_URL", None)
    os.environ.update({"PUBLIC_URL": f"http://127.0.0.1:{port}", "MAILER_TRANSPORT": "file",
                       "COMPANY_PORTAL_REGISTRY_SAMPLE": "200", "INGEMPLOIS_STYLEGUIDE": "1",
                       "INGEMPLOIS_VAR": str(var_dir)})
    for key in ("CATALOG_BILLING_SANDBOX_URL", "CATALOG_BILLING_SANDBOX_PUBLIC_URL"):
        os.environ.pop(key, None)  # a sandbox of this site's own, its webhooks sent to this site
    sandbox = start_payment_sandbox("127.0.0.1", port, 0)
    suite = build_embedded(var_dir, gateway_env={"GATEWAY_RATE_LIMIT_AUTH": "10000/minute",
                                                 "GATEWAY_RATE_LIMIT_DEFAULT": "100000/minute"})
    suite.start_workers()
    seed_demo(suite.bundles)
    server = uvicorn.Server(uvicorn.Config(suite.gateway, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, name="demo-site", daemon=True)
    thread.start()
    try:
        from plumbing.testing import wait_until

        wait_until(lambda: server.started, timeout=30)
        yield DemoSite(url=f"http://127.0.0.1:{port}", suite=suite,
                       sandbox_url=sandbox.public_url if sandbox is not None else None)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        suite.stop()
        if sandbox is not None:
            sandbox.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
