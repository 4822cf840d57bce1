"""The distributed worker process: RabbitMQ → consumer → emails table → SMTP sink.

`python -m plumbing.entry worker mailer` on a throw-away PostgreSQL database and RabbitMQ vhost,
sending to the sink started as `python -m mailer.devtools.smtp_sink`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from mailer.devtools.smtp_sink import find_link, free_port, read_messages
from plumbing.events.rabbitmq import RabbitPublisher
from plumbing.testing import (
    TestInfrastructureError,
    create_test_vhost,
    delete_test_vhost,
    ready_count,
    wait_until,
)


@pytest.fixture
def amqp_url() -> Iterator[str]:
    url = create_test_vhost(prefix="test-mailer")
    try:
        yield url
    finally:
        # other suites may restart the shared broker: retry briefly rather than leak the vhost
        wait_until(lambda: _deleted(url), timeout=60, interval=0.5, message="vhost not deleted")


def _deleted(url: str) -> bool:
    try:
        delete_test_vhost(url)
    except TestInfrastructureError:
        return False
    return True


def _published(publisher: RabbitPublisher, envelope) -> bool:
    try:
        publisher.publish(envelope, envelope.to_json(), {})
    except Exception:  # noqa: BLE001 - a broker restarting under another suite: try again
        return False
    return True


def _queue_exists(url: str) -> bool:
    try:
        ready_count(url, "mailer")
    except Exception:  # noqa: BLE001 - not declared yet
        return False
    return True


def test_an_event_on_rabbitmq_reaches_the_smtp_sink(tmp_path, pg_url, amqp_url, events):
    smtp_port = free_port()
    sink_dir = tmp_path / "mail-sink"
    env = {
        **os.environ,
        "INGEMPLOIS_MODE": "distributed",
        "INGEMPLOIS_VAR": str(tmp_path),
        "MAILER_DATABASE_URL": pg_url,
        "AMQP_URL": amqp_url,
        "PUBLIC_URL": "http://127.0.0.1:18080",
        "SMTP_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("MAILER_TRANSPORT", None)  # distributed mode defaults to SMTP
    subprocess.run([sys.executable, "-m", "plumbing.entry", "migrate", "mailer"], env=env, check=True, timeout=60)
    sink = subprocess.Popen([sys.executable, "-m", "mailer.devtools.smtp_sink", "--port", str(smtp_port),
                             "--dir", str(sink_dir)], env=env, stdout=subprocess.PIPE, text=True)
    worker = subprocess.Popen([sys.executable, "-m", "plumbing.entry", "worker", "mailer"], env=env)
    publisher = RabbitPublisher(amqp_url, "ingemplois.events")
    try:
        assert "smtp sink on" in sink.stdout.readline()
        wait_until(lambda: _queue_exists(amqp_url), timeout=30, message="the worker never declared its queue")
        event = events.registered()
        for _ in range(2):  # the second is a duplicate delivery
            wait_until(lambda: _published(publisher, event), timeout=60, interval=0.5, message="broker unusable")

        [message] = wait_until(lambda: read_messages(sink_dir, to=event.data["email"]), timeout=30)
        link = find_link(message, "/compte/verifier")
        assert link is not None and link.startswith("http://127.0.0.1:18080/compte/verifier?token=")
        assert parse_qs(urlsplit(link).query)["token"] == [event.data["verification_token"]]
        wait_until(lambda: ready_count(amqp_url, "mailer") == 0, timeout=30)
        assert len(read_messages(sink_dir, to=event.data["email"])) == 1

        # the portal's request events are bound too: a join request mails the requester and each principal
        request = events.request_submitted("join_group")
        wait_until(lambda: _published(publisher, request), timeout=60, interval=0.5, message="broker unusable")
        requester = request.data["requester"]["email"]
        [pending] = wait_until(lambda: read_messages(sink_dir, to=requester), timeout=30)
        assert find_link(pending, "/entreprises/mes-demandes") == "http://127.0.0.1:18080/entreprises/mes-demandes"
        for principal in request.data["principal_emails"]:
            [notice] = wait_until(lambda p=principal: read_messages(sink_dir, to=p), timeout=30)
            assert find_link(notice, "/entreprises/demandes") == "http://127.0.0.1:18080/entreprises/demandes"
    finally:
        publisher.close()
        for process in (worker, sink):
            process.terminate()
            process.wait(timeout=20)
