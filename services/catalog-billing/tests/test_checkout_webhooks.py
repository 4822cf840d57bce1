"""[checkout] A signed webhook through the service's API (ASGI, connexion, the Stripe-format adapter's
signature check) finalizes a checkout the charge left `processing`, once: delivered twice, or a
failure arriving after the success, it changes nothing more; a bad signature is a 400."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest
from billing_testkit import API, T0, TestClient, add_member, make_settings, outbox
from checkout_fakes import FakeProcessor

from catalog_billing.adapters import orm
from catalog_billing.adapters.payments import build_processor
from catalog_billing.bootstrap import bootstrap
from catalog_billing.config import BillingConfig
from catalog_billing.devtools.payment_sandbox import sign
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer.access import Actor
from plumbing.clock import FixedClock

SECRET = BillingConfig().webhook_secret
ADDRESS = {"name": "Génivert inc.", "street": "1200, rue Saint-Denis", "city": "Montréal", "province": "QC",
           "postal_code": "H2X 3J6", "country": "Canada"}


class SignedProcessor(FakeProcessor):
    """The fake card processor, whose webhooks are read by the real adapter (signature included)."""

    def parse_webhook(self, payload, headers):  # type: ignore[override]
        return build_processor(BillingConfig()).parse_webhook(payload, headers)


@pytest.fixture
def processor():
    return SignedProcessor()


@pytest.fixture
def shop(tmp_path: Path, processor):
    built = bootstrap(make_settings(tmp_path), clock=FixedClock(T0), payments=processor)
    orm.metadata.create_all(built.runtime.engine)
    yield built
    built.runtime.engine.dispose()


def processing_checkout(shop) -> tuple[str, str]:
    bus = shop.extras["bus"]
    buyer, group = Actor(str(uuid.uuid4())), str(uuid.uuid4())
    add_member(shop, buyer.account_id, group, "finances")
    bus.handle(c.AddToCart(buyer, group, "ing-1"))
    checkout = bus.handle(c.StartCheckout(buyer, group, "b@genivert-test.ca", "fr",
                                          c.CheckoutDetails(new_address=ADDRESS)))
    bus.handle(c.AttachPaymentMethod(buyer, checkout.id, "pm_processing"))
    key = bus.query(lambda uow: uow.checkouts.get(checkout.id).idempotency_key)
    outcome = bus.handle(c.CompleteCheckout(buyer, checkout.id, key, True, True, "http://site.test/retour"))
    assert outcome.status == "processing"
    intent = bus.query(lambda uow: uow.checkouts.get(checkout.id).intent_reference)
    return checkout.id, intent


def webhook(client, event_type: str, intent: str, checkout_id: str, *, status: str, event_id: str,
            secret: str = SECRET):
    body = json.dumps({"id": event_id, "object": "event", "type": event_type, "created": int(time.time()),
                       "data": {"object": {"id": intent, "object": "payment_intent", "status": status,
                                           "amount": 70000, "currency": "cad", "metadata": {"checkout_id": checkout_id},
                                           "latest_charge": "ch_1", "last_payment_error": None}}}).encode()
    headers = {"Content-Type": "application/json; charset=utf-8",
               "Stripe-Signature": sign(secret, body, int(time.time()))}
    return client.post(f"{API}/payment-webhooks/sandbox", content=body, headers=headers)


def test_a_signed_webhook_finalizes_once_and_stale_ones_change_nothing(shop):
    checkout_id, intent = processing_checkout(shop)
    with TestClient(shop.asgi, base_url="http://facturation.test") as client:
        assert webhook(client, "payment_intent.succeeded", intent, checkout_id, status="succeeded",
                       event_id="evt_a", secret="whsec_wrong").status_code == 400
        for _ in range(2):
            answer = webhook(client, "payment_intent.succeeded", intent, checkout_id, status="succeeded",
                             event_id="evt_a")
            assert answer.status_code == 200, answer.text
        late = webhook(client, "payment_intent.payment_failed", intent, checkout_id, status="requires_payment_method",
                       event_id="evt_b")
        assert late.status_code == 200
    stored = shop.extras["bus"].query(lambda uow: uow.checkouts.get(checkout_id))
    assert stored.status == "paid" and stored.invoice_id
    assert len(outbox(shop, "billing.invoice.issued")) == 1
    assert len(outbox(shop, "billing.credit.purchased")) == 1
