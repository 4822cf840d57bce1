"""`POST /api/catalog-billing/v1/payment-webhooks/{processor}` through the service's own ASGI app:
signed events become `RecordPaymentEvent` on the bus, anything else changes nothing. The last
test has the real sandbox process deliver to the service, late, twice and out of order."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from payment_testkit import WEBHOOK_SECRET, running_sandbox, sandbox_config
from starlette.testclient import TestClient

from catalog_billing.adapters.payments.sandbox import SandboxProcessor
from catalog_billing.adapters.payments.signatures import signature_header
from catalog_billing.adapters.payments.stripe import StripeProcessor
from catalog_billing.bootstrap import bootstrap
from catalog_billing.config import BillingConfig
from catalog_billing.devtools.payment_sandbox import free_port
from catalog_billing.service_layer.commands import RecordPaymentEvent
from catalog_billing.service_layer.payments import PaymentProcessor
from plumbing.config import Settings
from plumbing.service import ServiceBundle
from plumbing.testing import wait_until

DATA = Path(__file__).resolve().parent / "data" / "stripe"
PATH = "/api/catalog-billing/v1/payment-webhooks"
CHECKOUT = "7d0c2f0e-5a43-4c55-9a53-8a9f0f3f1b11"


class Recorder:
    """Stands in for [checkout]'s handler: what reached the bus, in order."""

    def __init__(self) -> None:
        self.commands: list[RecordPaymentEvent] = []
        self.fail = False
        self.lock = threading.Lock()

    def __call__(self, command: RecordPaymentEvent, uow: Any, deps: Any) -> None:
        if self.fail:
            raise RuntimeError("the database is away")
        with self.lock:
            self.commands.append(command)


def service(tmp_path: Path, payments: PaymentProcessor) -> tuple[ServiceBundle, Recorder]:
    settings = dataclasses.replace(Settings.from_env("catalog-billing"), database_url=f"sqlite:///{tmp_path / 'b.db'}")
    bundle = bootstrap(settings, payments=payments)
    bundle.migrate()
    recorder = Recorder()
    bundle.extras["bus"].commands[RecordPaymentEvent] = recorder
    return bundle, recorder


@pytest.fixture()
def sandbox_service(tmp_path: Path) -> Iterator[tuple[TestClient, Recorder]]:
    bundle, recorder = service(tmp_path, SandboxProcessor(sandbox_config("http://127.0.0.1:9")))
    with TestClient(bundle.asgi) as client:
        yield client, recorder


def event(name: str = "event_payment_intent_succeeded", **changes: Any) -> bytes:
    body = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    body.update(changes)
    return json.dumps(body).encode()


def post(client: TestClient, body: bytes, *, processor: str = "sandbox", secret: str = WEBHOOK_SECRET,
         timestamp: int | None = None, **headers: str) -> Any:
    signature = signature_header(secret, body, int(time.time()) if timestamp is None else timestamp)
    return client.post(f"{PATH}/{processor}", content=body,
                       headers={"Content-Type": "application/json", "Stripe-Signature": signature, **headers})


def test_a_signed_success_is_recorded_through_the_bus(sandbox_service: tuple[TestClient, Recorder]) -> None:
    client, recorder = sandbox_service

    response = post(client, event())

    assert response.status_code == 200
    assert response.json() == {"received": True}
    assert recorder.commands == [RecordPaymentEvent(
        processor="sandbox", event_id="evt_3QRtWaLkdIwHu7ix0Vq1ZxPa", type="payment.succeeded",
        intent_reference="pi_3QRtWaLkdIwHu7ix0Qe4m6Jd", checkout_id=CHECKOUT, created=1733007702,
        status="succeeded", authorization="ch_3QRtWaLkdIwHu7ix0gWq1b2K", code=None, amount_cents=114980)]


def test_a_signed_failure_is_recorded_with_its_code(sandbox_service: tuple[TestClient, Recorder]) -> None:
    client, recorder = sandbox_service

    assert post(client, event("event_payment_intent_payment_failed")).status_code == 200

    [command] = recorder.commands
    assert (command.type, command.status, command.code) == ("payment.failed", "declined", "card_declined")


@pytest.mark.parametrize(("kwargs", "body_change"), [
    ({}, b"1"),  # tampered after signing
    ({"secret": "whsec_someone_else"}, None),
    ({"timestamp": int(time.time()) - 3600}, None),  # a replay an hour later
])
def test_a_bad_signature_is_refused_and_changes_nothing(sandbox_service: tuple[TestClient, Recorder],
                                                        kwargs: dict[str, Any], body_change: bytes | None) -> None:
    client, recorder = sandbox_service
    body = event()
    signature = signature_header(kwargs.get("secret", WEBHOOK_SECRET), body, kwargs.get("timestamp", int(time.time())))
    sent = body.replace(b"114980", body_change) if body_change else body

    response = client.post(f"{PATH}/sandbox", content=sent,
                           headers={"Content-Type": "application/json", "Stripe-Signature": signature,
                                    "Accept-Language": "en"})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "invalid_webhook"
    assert response.json()["detail"] == "Invalid event signature or content."
    assert recorder.commands == []


def test_an_unsigned_event_is_refused(sandbox_service: tuple[TestClient, Recorder]) -> None:
    client, recorder = sandbox_service

    response = client.post(f"{PATH}/sandbox", content=event(), headers={"Content-Type": "application/json"})

    assert response.status_code == 400 and recorder.commands == []


@pytest.mark.parametrize("processor", ["stripe", "paypal"])
def test_a_processor_not_in_use_is_not_found(sandbox_service: tuple[TestClient, Recorder], processor: str) -> None:
    client, recorder = sandbox_service

    response = post(client, event(), processor=processor)

    assert response.status_code == 404 and response.json()["code"] == "unknown_processor"
    assert recorder.commands == []


def test_other_events_are_acknowledged_and_ignored(sandbox_service: tuple[TestClient, Recorder]) -> None:
    client, recorder = sandbox_service
    foreign = json.loads(event())
    foreign["data"]["object"]["metadata"] = {}

    assert post(client, event("event_charge_succeeded")).status_code == 200
    assert post(client, json.dumps(foreign).encode()).status_code == 200
    assert recorder.commands == []


def test_a_handler_error_is_a_5xx_so_the_processor_delivers_again(sandbox_service: tuple[TestClient, Recorder]) -> None:
    client, recorder = sandbox_service
    recorder.fail = True

    assert post(client, event()).status_code == 500


def test_the_stripe_processor_reads_its_own_webhooks(tmp_path: Path) -> None:
    config = BillingConfig(payment_processor="stripe", webhook_secret="whsec_stripe_test")
    bundle, recorder = service(tmp_path, StripeProcessor(config))
    with TestClient(bundle.asgi) as client:
        assert post(client, event(), processor="sandbox", secret="whsec_stripe_test").status_code == 404
        assert post(client, event(), processor="stripe", secret="whsec_stripe_test").status_code == 200
    assert [c.processor for c in recorder.commands] == ["stripe"]


# The sandbox process delivers to the service ---------------------------------------------------

@pytest.fixture()
def served(tmp_path: Path) -> Iterator[tuple[str, Recorder, Any]]:
    """The service under uvicorn on a free port, and the sandbox posting its webhooks to it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}/sandbox"
    with running_sandbox(webhook_url=url) as kit:
        bundle, recorder = service(tmp_path, SandboxProcessor(sandbox_config(kit.process.url)))
        server = uvicorn.Server(uvicorn.Config(bundle.asgi, host="127.0.0.1", port=port, log_level="warning",
                                               lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_until(lambda: server.started, message="uvicorn did not start")
        try:
            yield url, recorder, kit
        finally:
            server.should_exit = True
            thread.join(10)


def test_sandbox_webhooks_reach_the_bus_late_twice_and_out_of_order(served: tuple[str, Recorder, Any]) -> None:
    _, recorder, kit = served
    kit.client.set_webhooks(delay=600, duplicate=True, reverse=True)
    pm_declined = kit.client.payment_method("4000 0000 0000 0002")
    pm_ok = kit.client.payment_method("4242 4242 4242 4242")
    for method in (pm_declined, pm_ok):
        kit.processor.charge(amount_cents=114980, currency="CAD", method_reference=method,
                             idempotency_key=method, description="Forfait ing. 5",
                             metadata={"checkout_id": CHECKOUT}, return_url="http://127.0.0.1/retour")
    assert recorder.commands == []

    delivered = kit.client.flush()

    assert [d["status"] for d in delivered] == [200] * 4
    types = [c.type for c in recorder.commands]
    assert types == ["payment.succeeded", "payment.succeeded", "payment.failed", "payment.failed"]
    assert len({c.event_id for c in recorder.commands}) == 2
    assert {c.checkout_id for c in recorder.commands} == {CHECKOUT}
    assert recorder.commands[0].authorization
