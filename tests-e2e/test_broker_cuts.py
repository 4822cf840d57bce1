"""Issue 6, done means 1: the broker connection is cut five times, for 1 to 20 seconds, during
account journeys on the distributed suite (every service and worker reaches RabbitMQ through a
TCP proxy). No worker dies, and every event's effect (an email) happens exactly once.

The session's suite already reaches RabbitMQ through the proxy (conftest.py).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from test_account_journey import sign_up

from plumbing.liveness import is_alive
from plumbing.testing import (
    TcpProxy,
    rabbitmqctl,
    vhost_of,
    wait_until,
)
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, emails_to, forms_of, link_in, unique_email, wait_for_email

CUTS_SECONDS = (1, 3, 5, 10, 20)


@pytest.fixture
def cut_suite(suite: DistributedSuite, broker_proxy: TcpProxy) -> tuple[DistributedSuite, TcpProxy]:
    """The session's suite: every process reaches the broker through `broker_proxy`."""
    return suite, broker_proxy


def queue_depths(amqp_url: str) -> dict[str, int]:
    """Queues of the suite's vhost holding messages (ready or unacked), dead-letter queues included."""
    out = rabbitmqctl("list_queues", "-q", "--no-table-headers", "-p", vhost_of(amqp_url),
                      "name", "messages_ready", "messages_unacknowledged")
    depths = {}
    for line in out.splitlines():
        name, ready, unacked = line.split("\t")
        if int(ready) + int(unacked):
            depths[name] = int(ready) + int(unacked)
    return depths


def in_flight(amqp_url: str) -> dict[str, int]:
    return {name: n for name, n in queue_depths(amqp_url).items() if not name.endswith(".dlq")}


def dead_letters(amqp_url: str) -> dict[str, int]:
    return {name: n for name, n in queue_depths(amqp_url).items() if name.endswith(".dlq")}


def verify(browser: Browser, mail_dir: Path, email: str) -> None:
    message = wait_for_email(mail_dir, email)
    page = browser.get(link_in(message, "/compte/verifier"))
    form = next(f for f in forms_of(page.text) if f["action"] == "/compte/verifier")
    response = browser.post("/compte/verifier", data=form["fields"])
    assert response.status_code in (200, 303), response.text[:500]


def test_broker_cuts_kill_no_worker_and_every_effect_happens_once(cut_suite) -> None:
    suite, proxy = cut_suite
    workers = {name: process.pid for name, process in suite.processes.items() if name.endswith("-worker")}
    dead_letters_before = dead_letters(suite.infra.amqp_url)
    accounts: list[tuple[Browser, str]] = []
    pause = threading.Event()  # never set: waits out each cut's length
    try:
        for seconds in CUTS_SECONDS:
            browser = Browser(suite.gateway_url)
            email = unique_email("coupure")
            connections = proxy.connections
            proxy.refuse()
            sign_up(browser, email)  # identity.account.registered waits in the outbox
            if accounts:  # and the previous account is verified: identity.account.verified too
                verify(accounts[-1][0], suite.mail_dir, accounts[-1][1])
            pause.wait(seconds)
            proxy.accept()
            accounts.append((browser, email))
            wait_for_email(suite.mail_dir, email, timeout=90)
            wait_until(lambda: proxy.connections > connections, timeout=60,  # noqa: B023
                       message="workers reconnected")
        verify(accounts[-1][0], suite.mail_dir, accounts[-1][1])

        for _, email in accounts:  # a verification email and a welcome email, once each
            wait_until(lambda: len(emails_to(suite.mail_dir, email)) >= 2, timeout=90,  # noqa: B023
                       message=f"welcome email to {email}")
        # Anything late (a duplicate) would be on its way in a queue: wait until all are empty.
        wait_until(lambda: not in_flight(suite.infra.amqp_url), timeout=90,
                   message=lambda: f"queues drained: {in_flight(suite.infra.amqp_url)}")
        assert dead_letters(suite.infra.amqp_url) == dead_letters_before
        for _, email in accounts:
            assert len(emails_to(suite.mail_dir, email)) == 2, email
    finally:
        for browser, _ in accounts:
            browser.close()

    assert suite.restarts == {}, f"workers were restarted: {suite.restarts}"
    assert {name: process.pid for name, process in suite.processes.items() if name.endswith("-worker")} == workers
    assert all(process.poll() is None for process in suite.processes.values())
    for name in workers:
        log = suite.log_path(name).read_text(encoding="utf-8", errors="replace")
        assert "crashed" not in log and "died" not in log, name


def test_a_worker_that_dies_is_restarted_by_the_suite_supervisor(cut_suite) -> None:
    """The distributed runner plays Kubernetes' part: a dead worker process is started again."""
    suite, _ = cut_suite
    name = "mailer-worker"
    killed = suite.processes[name]
    killed.kill()
    wait_until(lambda: suite.restarts.get(name) == 1, timeout=30, message="worker restarted")
    replacement = suite.processes[name]
    assert replacement.pid != killed.pid and replacement.poll() is None
    assert "mailer-worker exited" in suite.log_path("supervisor").read_text(encoding="utf-8")
    wait_until(lambda: is_alive(suite.heartbeat_path("mailer"), max_age=5), timeout=60,
               message="the new worker beats")
