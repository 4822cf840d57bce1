"""The e2e harness: the distributed suite (a gunicorn per service, workers, gateway, SMTP sink) on
throw-away PostgreSQL databases, a throw-away RabbitMQ vhost and free ports, once per session.

Every process reaches RabbitMQ through a TCP proxy (`broker_proxy`), so a test can cut the broker
connection (test_broker_cuts.py); while it forwards, it is transparent."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from offers_support import CLOCK_FILE, offers_clock  # noqa: F401 - shared fixture
from portal_support import no_email_twice, registry, staff, staff_browser  # noqa: F401 - shared fixtures

from browser_support import chromium  # noqa: F401 - shared fixture (one browser per module)
from plumbing.config import REPO_ROOT
from plumbing.testing import (
    TcpProxy,
    create_test_database,
    create_test_vhost,
    delete_test_vhost,
    drop_test_database,
)
from suite.distributed import DistributedSuite, Infrastructure, free_port
from suite.services import built_services
from tests_e2e_support import Browser


@pytest.fixture(scope="session")
def suite_vhost() -> Iterator[str]:
    amqp_url = create_test_vhost(prefix="e2e")
    try:
        yield amqp_url
    finally:
        delete_test_vhost(amqp_url)


@pytest.fixture(scope="session")
def broker_proxy(suite_vhost: str) -> Iterator[TcpProxy]:
    with TcpProxy.for_url(suite_vhost) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def suite(
    tmp_path_factory: pytest.TempPathFactory, suite_vhost: str, broker_proxy: TcpProxy
) -> Iterator[DistributedSuite]:
    services = built_services()
    databases = {service: create_test_database(f"e2e_{service.replace('-', '_')}") for service in services}
    run_dir = tmp_path_factory.mktemp("suite")
    infra = Infrastructure(databases, broker_proxy.url_for(suite_vhost), redis_prefix=f"e2e:{uuid.uuid4().hex[:8]}:")
    extra_env = {
        "GATEWAY_RATE_LIMIT_AUTH": "1000/minute",
        "GATEWAY_RATE_LIMIT_DEFAULT": "10000/minute",
        # A charge that answers later than this is a timeout (test_billing_journeys: retry charges once).
        "CATALOG_BILLING_PROCESSOR_TIMEOUT": "4",
        "LOG_LEVEL": "INFO",
        # offers' time can be moved by the tests (offers_support.OffersClock; docs/decisions.md), and
        # its ticks run every second so that a moved clock is acted on at once.
        "OFFERS_TEST_CLOCK_FILE": str(run_dir / CLOCK_FILE),
        "OFFERS_TICK_SECONDS": "1",
        # Schemathesis sends a few hundred requests with one API key (the limit is 120/minute).
        "API_KEY_RATE_LIMIT": "5000/minute",
        # Every test applies to offers from 127.0.0.1 (the limit per IP is 5 an hour, kept in Redis).
        "APPLICATION_LIMIT_IP": "1000/hour",
    }
    suite = DistributedSuite(infra, run_dir, gateway_port=free_port(), services=services, extra_env=extra_env)
    try:
        suite.start()
        yield suite
    finally:
        suite.stop()
        keep = REPO_ROOT / "test-output" / "e2e-logs"
        if os.environ.get("CI") or os.environ.get("KEEP_E2E_LOGS", "1") == "1":
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(run_dir / "logs", keep, dirs_exist_ok=True)
        for url in databases.values():
            drop_test_database(url)


@pytest.fixture()
def browser(suite: DistributedSuite) -> Iterator[Browser]:
    with Browser(suite.gateway_url) as client:
        yield client


@pytest.fixture()
def mail_dir(suite: DistributedSuite) -> Path:
    return suite.mail_dir
