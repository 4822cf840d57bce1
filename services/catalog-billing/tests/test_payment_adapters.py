"""The Stripe adapter against Stripe-shaped responses (tests/data/stripe, an httpx MockTransport: no
network), webhook signature verification, and the processor choice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from catalog_billing.adapters.payments import build_processor
from catalog_billing.adapters.payments.sandbox import SandboxProcessor
from catalog_billing.adapters.payments.signatures import signature_header, verify_signature
from catalog_billing.adapters.payments.stripe import API_VERSION, StripeProcessor
from catalog_billing.config import BillingConfig
from catalog_billing.service_layer.payments import InvalidWebhook, PaymentStatus, ProcessorUnavailable

DATA = Path(__file__).resolve().parent / "data" / "stripe"
SECRET = "whsec_test_0123456789abcdef"
NOW = 1_733_007_710
CONFIG = BillingConfig(payment_processor="stripe", processor_secret_key="sk_test_51QRtExample",
                       processor_publishable_key="pk_test_51QRtExample", webhook_secret=SECRET,
                       public_url="https://ingemplois.example")


def recording(name: str) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


class Recorded:
    """Answers each request with a recording; keeps the requests for the assertions."""

    def __init__(self, *names: str) -> None:
        self.answers = [recording(name) for name in names]
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        assert (request.method, request.url.path) == (answer["request"]["method"], answer["request"]["path"])
        return httpx.Response(answer["status"], headers=answer["headers"], json=answer["body"])


def stripe(handler: Callable[[httpx.Request], httpx.Response]) -> StripeProcessor:
    return StripeProcessor(CONFIG, transport=httpx.MockTransport(handler), now=lambda: NOW)


def charge(processor: StripeProcessor, key: str = "c0ffee00-0000-4000-8000-000000000001") -> Any:
    return processor.charge(amount_cents=114980, currency="CAD", method_reference="pm_1QRtUvLkdIwHu7ixY5bGZ1aB",
                            idempotency_key=key, description="ingemplois — Forfait ing. 5",
                            metadata={"checkout_id": "7d0c2f0e-5a43-4c55-9a53-8a9f0f3f1b11"},
                            return_url="https://ingemplois.example/employeur/caisse/7d0c2f0e/retour")


# Stripe: charges -----------------------------------------------------------------------------

def test_a_successful_payment_intent() -> None:
    recorded = Recorded("payment_intent_succeeded")

    result = charge(stripe(recorded))

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.intent_reference == "pi_3QRtWaLkdIwHu7ix0Qe4m6Jd"
    assert result.authorization == "ch_3QRtWaLkdIwHu7ix0gWq1b2K"
    assert result.amount_cents == 114980
    assert result.metadata == {"checkout_id": "7d0c2f0e-5a43-4c55-9a53-8a9f0f3f1b11"}
    [request] = recorded.requests
    assert str(request.url).startswith("https://api.stripe.com/v1/payment_intents")
    assert request.headers["authorization"] == "Bearer sk_test_51QRtExample"
    assert request.headers["idempotency-key"] == "c0ffee00-0000-4000-8000-000000000001"
    assert request.headers["stripe-version"] == API_VERSION
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = parse_qsl(request.content.decode())
    assert ("amount", "114980") in form and ("currency", "cad") in form and ("confirm", "true") in form
    assert ("payment_method", "pm_1QRtUvLkdIwHu7ixY5bGZ1aB") in form
    assert ("metadata[checkout_id]", "7d0c2f0e-5a43-4c55-9a53-8a9f0f3f1b11") in form
    assert ("expand[]", "latest_charge") in form
    assert ("return_url", "https://ingemplois.example/employeur/caisse/7d0c2f0e/retour") in form


def test_a_payment_that_needs_the_second_step() -> None:
    result = charge(stripe(Recorded("payment_intent_requires_action")))

    assert result.status is PaymentStatus.REQUIRES_ACTION
    assert result.intent_reference == "pi_3QRtXbLkdIwHu7ix1cK0Lw3F"
    assert result.next_action_url and result.next_action_url.startswith("https://hooks.stripe.com/3d_secure_2/")


@pytest.mark.parametrize(("name", "code", "intent"), [
    ("card_declined", "card_declined", "pi_3QRtYcLkdIwHu7ix2Dq1Nn5G"),
    ("insufficient_funds", "insufficient_funds", "pi_3QRtZdLkdIwHu7ix3Ef5Gh6I"),
])
def test_a_declined_card_is_a_result_not_an_error(name: str, code: str, intent: str) -> None:
    result = charge(stripe(Recorded(name)))

    assert (result.status, result.code, result.intent_reference) == (PaymentStatus.DECLINED, code, intent)
    assert result.authorization is None


def test_an_api_error_is_an_unknown_outcome() -> None:
    with pytest.raises(ProcessorUnavailable, match="HTTP 500 \\(api_error\\)"):
        charge(stripe(Recorded("api_error")))


def test_a_reused_idempotency_key_is_a_failure() -> None:
    result = charge(stripe(Recorded("idempotency_error")))

    assert (result.status, result.code) == (PaymentStatus.FAILED, "idempotency_error")


@pytest.mark.parametrize("error", [httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
def test_timeouts_and_connection_errors_are_an_unknown_outcome(error: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    with pytest.raises(ProcessorUnavailable):
        charge(stripe(fail))


@pytest.mark.parametrize("status", [409, 429, 502, 503])
def test_a_busy_processor_is_an_unknown_outcome(status: int) -> None:
    with pytest.raises(ProcessorUnavailable, match=f"HTTP {status}"):
        charge(stripe(lambda request: httpx.Response(status, json={"error": {"type": "api_error"}})))


def test_retrieve_reads_the_intent_as_a_charge_does() -> None:
    recorded = Recorded("payment_intent_succeeded")

    def answer(request: httpx.Request) -> httpx.Response:
        recorded.answers[0]["request"] = {"method": "GET", "path": "/v1/payment_intents/pi_3QRtWaLkdIwHu7ix0Qe4m6Jd"}
        return recorded(request)

    result = stripe(answer).retrieve("pi_3QRtWaLkdIwHu7ix0Qe4m6Jd")

    assert (result.status, result.authorization) == (PaymentStatus.SUCCEEDED, "ch_3QRtWaLkdIwHu7ix0gWq1b2K")
    assert ("expand[]", "latest_charge") in parse_qsl(recorded.requests[0].url.query.decode())


# Stripe: payment methods and the card form -----------------------------------------------------

def test_describe_method_keeps_brand_last_four_and_expiry() -> None:
    method = stripe(Recorded("payment_method")).describe_method("pm_1QRtUvLkdIwHu7ixY5bGZ1aB")

    assert (method.brand, method.last4, method.exp_month, method.exp_year) == ("visa", "4242", 12, 2034)


def test_describe_an_unknown_method() -> None:
    with pytest.raises(LookupError):
        stripe(Recorded("payment_method_missing")).describe_method("pm_missing")


@pytest.mark.parametrize("reference", ["../payment_intents/pi_1", "pm_1?expand[]=x", "pi_3QRt", "", "pm_1/../x"])
def test_a_reference_from_the_browser_never_shapes_the_url(reference: str) -> None:
    nothing = Recorded()  # any request would fail: no answer recorded
    with pytest.raises(LookupError):
        stripe(nothing).describe_method(reference)
    assert nothing.requests == []


def test_card_form_urls() -> None:
    url = stripe(Recorded()).card_form_url(return_url="https://ingemplois.example/r", state="co-1", locale="en")
    assert url.startswith("https://ingemplois.example/employeur/caisse/carte-stripe?")
    assert "key=pk_test_51QRtExample" in url and "state=co-1" in url
    sandbox = SandboxProcessor(BillingConfig(sandbox_url="http://10.0.0.5:8099", sandbox_public_url="http://localhost:8099"))
    assert sandbox.card_form_url(return_url="http://x/r", state="s", locale="fr").startswith("http://localhost:8099/card?")


# Stripe: webhooks ------------------------------------------------------------------------------

def signed(name: str, secret: str = SECRET, timestamp: int = NOW) -> tuple[bytes, dict[str, str]]:
    body = (DATA / f"{name}.json").read_bytes()
    return body, {"Stripe-Signature": signature_header(secret, body, timestamp), "Content-Type": "application/json"}


def test_a_signed_success_event() -> None:
    event = stripe(Recorded()).parse_webhook(*signed("event_payment_intent_succeeded"))

    assert (event.event_id, event.type) == ("evt_3QRtWaLkdIwHu7ix0Vq1ZxPa", "payment.succeeded")
    assert event.intent_reference == "pi_3QRtWaLkdIwHu7ix0Qe4m6Jd"
    assert event.metadata == {"checkout_id": "7d0c2f0e-5a43-4c55-9a53-8a9f0f3f1b11"}
    assert event.created == 1733007702
    assert (event.result.status, event.result.authorization) == (PaymentStatus.SUCCEEDED, "ch_3QRtWaLkdIwHu7ix0gWq1b2K")


def test_a_signed_failure_event() -> None:
    event = stripe(Recorded()).parse_webhook(*signed("event_payment_intent_payment_failed"))

    assert event.type == "payment.failed"
    assert (event.result.status, event.result.code) == (PaymentStatus.DECLINED, "card_declined")


def test_other_event_types_keep_their_name() -> None:
    event = stripe(Recorded()).parse_webhook(*signed("event_charge_succeeded"))

    assert event.type == "charge.succeeded"


@pytest.mark.parametrize("mangle", [
    lambda body, headers: (body.replace(b"114980", b"1"), headers),  # tampered
    lambda body, headers: signed("event_payment_intent_succeeded", timestamp=NOW - 301),  # stale
    lambda body, headers: signed("event_payment_intent_succeeded", timestamp=NOW + 301),  # from the future
    lambda body, headers: signed("event_payment_intent_succeeded", secret="whsec_someone_else"),  # wrong secret
    lambda body, headers: (body, {}),  # unsigned
    lambda body, headers: (body, {"Stripe-Signature": "t=abc,v1=00"}),  # garbled
    lambda body, headers: (b"not json", {"Stripe-Signature": signature_header(SECRET, b"not json", NOW)}),
], ids=["tampered", "stale", "future", "wrong-secret", "unsigned", "garbled", "not-json"])
def test_bad_webhooks_are_refused(mangle: Callable[[bytes, dict[str, str]], tuple[bytes, dict[str, str]]]) -> None:
    body, headers = mangle(*signed("event_payment_intent_succeeded"))

    with pytest.raises(InvalidWebhook):
        stripe(Recorded()).parse_webhook(body, headers)


def test_signature_verifier() -> None:
    body = b'{"id": "evt_1"}'
    good = signature_header(SECRET, body, NOW)

    assert verify_signature(body, good, SECRET, now=lambda: NOW + 300) == NOW
    # During a secret roll Stripe sends one v1 per secret: one match is enough.
    rolled = f"{signature_header('whsec_old', body, NOW)},v1={good.split('v1=')[1]}"
    assert verify_signature(body, rolled, SECRET, now=lambda: NOW) == NOW
    with pytest.raises(InvalidWebhook):
        verify_signature(body, good, SECRET, now=lambda: NOW + 301)
    with pytest.raises(InvalidWebhook):
        verify_signature(body, f"t={NOW}", SECRET, now=lambda: NOW)


# Choice ------------------------------------------------------------------------------------------

def test_build_processor_follows_the_configuration() -> None:
    assert isinstance(build_processor(BillingConfig(payment_processor="sandbox")), SandboxProcessor)
    built = build_processor(CONFIG)
    assert isinstance(built, StripeProcessor) and built.name == "stripe"
    with pytest.raises(ValueError, match="expected sandbox or stripe"):
        build_processor(BillingConfig(payment_processor="paypal"))
