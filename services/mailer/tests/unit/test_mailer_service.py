"""The bundle as the suite runs it: health endpoints, and events through the in-process broker."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx

from mailer.domain.model import EmailStatus
from plumbing.events.inprocess import InProcessBroker


def get(app, path: str) -> httpx.Response:
    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mailer") as client:
            return await client.get(path)

    return asyncio.run(call())


def test_health_and_readiness(bundle):
    assert get(bundle.asgi, "/healthz").json() == {"status": "ok", "service": "mailer"}
    ready = get(bundle.asgi, "/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}
    assert get(bundle.asgi, "/api/mailer/v1/anything").status_code == 404


def test_readiness_reports_a_missing_database(tmp_path, settings_for):
    from mailer.bootstrap import bootstrap

    broken = bootstrap(settings_for(tmp_path, database_url=f"sqlite:///{tmp_path}/no/such/dir/mailer.db"))
    response = get(broken.asgi, "/readyz")
    assert response.status_code == 503 and response.json()["checks"]["database"].startswith("down")


def test_an_event_published_on_the_broker_becomes_a_sent_email(bundle, events, mailer):
    broker = InProcessBroker()
    [subscription] = bundle.subscriptions()
    assert subscription.queue == "mailer"
    broker.declare(subscription)
    stop = threading.Event()
    consumer = threading.Thread(target=broker.consume, args=(subscription, stop), daemon=True)
    consumer.start()
    try:
        event = events.registered()
        broker.publish(event, event.to_json(), {})
        broker.publish(event, event.to_json(), {})  # a redelivery
        deadline = time.monotonic() + 10
        with bundle.extras["uow_factory"]() as uow:
            while not uow.emails.list() and time.monotonic() < deadline:
                uow.rollback()
                time.sleep(0.02)
        assert broker.wait_idle(10)
        [(_, tick)] = bundle.tickers
        tick()
    finally:
        stop.set()
        consumer.join(5)

    assert [m.recipient for m in mailer.sent] == [event.data["email"]]
    with bundle.extras["uow_factory"]() as uow:
        [email] = uow.emails.list()
        assert email.status == EmailStatus.SENT
    assert broker.dead_letters["mailer"] == []
