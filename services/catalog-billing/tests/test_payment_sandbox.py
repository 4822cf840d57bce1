"""The payment sandbox as its own process, driven through SandboxProcessor (the service's adapter)
and SandboxClient (what a browser and a test do): each test card, idempotency, the card form's
checks, and webhooks that are signed, late, doubled and out of order on demand."""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from payment_testkit import WEBHOOK_SECRET, SandboxKit, running_sandbox, sandbox_config

from catalog_billing.adapters.payments.sandbox import SandboxProcessor
from catalog_billing.adapters.payments.signatures import verify_signature
from catalog_billing.devtools.payment_sandbox import TEST_CARDS, check_card, luhn_ok
from catalog_billing.service_layer.payments import (
    InvalidWebhook,
    PaymentResult,
    PaymentStatus,
    ProcessorUnavailable,
)
from plumbing.testing import wait_until

SUCCEEDS = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
INSUFFICIENT = "4000 0000 0000 9995"
SECOND_STEP = "4000 0025 0000 3155"
PROCESSOR_ERROR = "4000 0000 0000 0119"
PROCESSING = "4000 0000 0000 0077"
RETURN_URL = "http://127.0.0.1:8080/employeur/caisse/co-1/retour"


@pytest.fixture(scope="module")
def kit_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxKit]:
    with running_sandbox(log_path=tmp_path_factory.mktemp("sandbox") / "sandbox.log") as kit:
        yield kit


@pytest.fixture()
def kit(kit_once: SandboxKit) -> SandboxKit:
    kit_once.client.set_webhooks()
    kit_once.client.flush()
    kit_once.receiver.status = 200
    kit_once.receiver.clear()
    return kit_once


def charge(kit: SandboxKit, number: str, *, key: str | None = None, amount: int = 11498, checkout: str = "co-1",
           processor: SandboxProcessor | None = None, method: str | None = None) -> PaymentResult:
    method = method or kit.client.payment_method(number)
    return (processor or kit.processor).charge(
        amount_cents=amount, currency="CAD", method_reference=method, idempotency_key=key or uuid.uuid4().hex,
        description="Forfait ing. 5", metadata={"checkout_id": checkout}, return_url=RETURN_URL)


def charges_for(kit: SandboxKit, intent: str | None) -> list[dict]:
    return [c for c in kit.client.charges() if c["payment_intent"] == intent]


def webhook_types(kit: SandboxKit, count: int) -> list[tuple[str, str]]:
    """(type, intent) of the first `count` webhooks received, once they have arrived."""
    wait_until(lambda: len(kit.receiver.snapshot()) >= count, message="webhooks not delivered")
    events = [kit.processor.parse_webhook(r.body, r.headers) for r in kit.receiver.snapshot()]
    return [(e.type, e.intent_reference) for e in events]


# Test cards ----------------------------------------------------------------------------------

def test_the_succeeding_card_is_charged_once_with_an_authorisation(kit: SandboxKit) -> None:
    result = charge(kit, SUCCEEDS)

    assert result.status is PaymentStatus.SUCCEEDED
    assert result.intent_reference and result.intent_reference.startswith("pi_")
    assert result.authorization and result.authorization.startswith("ch_")
    assert result.amount_cents == 11498 and result.metadata == {"checkout_id": "co-1"}
    [made] = charges_for(kit, result.intent_reference)
    assert made["id"] == result.authorization and made["amount"] == 11498 and made["authorization_code"]
    assert webhook_types(kit, 1) == [("payment.succeeded", result.intent_reference)]
    [event] = [kit.processor.parse_webhook(r.body, r.headers) for r in kit.receiver.snapshot()]
    assert event.result.authorization == result.authorization
    assert kit.processor.retrieve(result.intent_reference).status is PaymentStatus.SUCCEEDED


@pytest.mark.parametrize(("number", "code"), [(DECLINED, "card_declined"), (INSUFFICIENT, "insufficient_funds")])
def test_declining_cards_say_why_and_charge_nothing(kit: SandboxKit, number: str, code: str) -> None:
    result = charge(kit, number)

    assert result.status is PaymentStatus.DECLINED
    assert result.code == code
    assert charges_for(kit, result.intent_reference) == []
    assert kit.processor.retrieve(str(result.intent_reference)).code == code
    assert webhook_types(kit, 1) == [("payment.failed", result.intent_reference)]


def test_the_second_step_card_waits_for_the_buyer_then_succeeds(kit: SandboxKit) -> None:
    result = charge(kit, SECOND_STEP)

    assert result.status is PaymentStatus.REQUIRES_ACTION
    assert result.next_action_url == f"{kit.process.url}/3ds/{result.intent_reference}"
    page = httpx.get(result.next_action_url)
    assert page.status_code == 200 and "Authentification 3-D Secure" in page.text and "114,98 CAD" in page.text
    assert charges_for(kit, result.intent_reference) == []

    back = kit.client.authenticate(result.next_action_url, approve=True)

    assert back.startswith(RETURN_URL + "?")
    assert parse_qs(urlsplit(back).query) == {"payment_intent": [str(result.intent_reference)],
                                              "redirect_status": ["succeeded"]}
    after = kit.processor.retrieve(str(result.intent_reference))
    assert after.status is PaymentStatus.SUCCEEDED and after.authorization
    assert len(charges_for(kit, result.intent_reference)) == 1
    assert webhook_types(kit, 1) == [("payment.succeeded", result.intent_reference)]


def test_a_failed_second_step_declines(kit: SandboxKit) -> None:
    result = charge(kit, SECOND_STEP)

    back = kit.client.authenticate(str(result.next_action_url), approve=False)

    assert parse_qs(urlsplit(back).query)["redirect_status"] == ["failed"]
    after = kit.processor.retrieve(str(result.intent_reference))
    assert (after.status, after.code) == (PaymentStatus.DECLINED, "payment_intent_authentication_failure")
    assert charges_for(kit, result.intent_reference) == []
    # A second press changes nothing.
    kit.client.authenticate(str(result.next_action_url), approve=True)
    assert kit.processor.retrieve(str(result.intent_reference)).status is PaymentStatus.DECLINED


def test_the_processor_error_card_is_an_unknown_outcome_and_no_charge(kit: SandboxKit) -> None:
    before = len(kit.client.charges())
    method = kit.client.payment_method(PROCESSOR_ERROR)

    with pytest.raises(ProcessorUnavailable, match="HTTP 500"):
        charge(kit, PROCESSOR_ERROR, key="k-error", method=method)
    # As Stripe does, the key keeps its first answer: the same request fails the same way.
    with pytest.raises(ProcessorUnavailable):
        charge(kit, PROCESSOR_ERROR, key="k-error", method=method)
    assert len(kit.client.charges()) == before


def test_the_processing_card_succeeds_only_by_a_late_webhook(kit: SandboxKit) -> None:
    kit.client.set_webhooks(processing_delay=600)
    result = charge(kit, PROCESSING)

    assert result.status is PaymentStatus.PROCESSING
    assert kit.processor.retrieve(str(result.intent_reference)).status is PaymentStatus.PROCESSING
    assert kit.receiver.snapshot() == []

    kit.client.flush()

    assert webhook_types(kit, 1) == [("payment.succeeded", result.intent_reference)]
    assert kit.processor.retrieve(str(result.intent_reference)).status is PaymentStatus.SUCCEEDED


def test_the_processing_card_settles_by_itself(kit: SandboxKit) -> None:
    kit.client.set_webhooks(processing_delay=0.2)
    result = charge(kit, PROCESSING)

    assert webhook_types(kit, 1) == [("payment.succeeded", result.intent_reference)]


# Idempotency ---------------------------------------------------------------------------------

def test_the_same_key_and_request_answers_the_first_charge_again(kit: SandboxKit) -> None:
    method = kit.client.payment_method(SUCCEEDS)
    first = charge(kit, SUCCEEDS, key="key-same", method=method, checkout="co-idem")
    again = charge(kit, SUCCEEDS, key="key-same", method=method, checkout="co-idem")

    assert again == first
    assert len([c for c in kit.client.charges() if c["metadata"] == {"checkout_id": "co-idem"}]) == 1


def test_the_same_key_with_other_parameters_is_refused(kit: SandboxKit) -> None:
    method = kit.client.payment_method(SUCCEEDS)
    charge(kit, SUCCEEDS, key="key-other", method=method)
    before = len(kit.client.charges())

    other = charge(kit, SUCCEEDS, key="key-other", method=method, amount=500)

    assert (other.status, other.code) == (PaymentStatus.FAILED, "idempotency_error")
    assert len(kit.client.charges()) == before


def test_concurrent_requests_with_one_key_charge_once(kit: SandboxKit) -> None:
    method = kit.client.payment_method(SUCCEEDS)
    results: list[PaymentResult] = []

    def submit() -> None:
        results.append(charge(kit, SUCCEEDS, key="key-concurrent", method=method, checkout="co-concurrent"))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({r.intent_reference for r in results}) == 1 and len(results) == 6
    assert len([c for c in kit.client.charges() if c["metadata"] == {"checkout_id": "co-concurrent"}]) == 1


def test_a_timeout_then_a_retry_with_the_same_key_charges_once(kit: SandboxKit) -> None:
    impatient = SandboxProcessor(sandbox_config(kit.process.url, processor_timeout=0.3))
    method = kit.client.payment_method(SUCCEEDS)
    kit.client.slow_down(1.0, times=1)

    with pytest.raises(ProcessorUnavailable, match="timeout"):
        charge(kit, SUCCEEDS, key="key-timeout", method=method, checkout="co-timeout", processor=impatient)
    retried = charge(kit, SUCCEEDS, key="key-timeout", method=method, checkout="co-timeout", processor=impatient)

    assert retried.status is PaymentStatus.SUCCEEDED
    assert len([c for c in kit.client.charges() if c["metadata"] == {"checkout_id": "co-timeout"}]) == 1
    impatient.close()


def test_an_unreachable_processor_is_unavailable() -> None:
    from catalog_billing.devtools.payment_sandbox import free_port

    nowhere = SandboxProcessor(sandbox_config(f"http://127.0.0.1:{free_port()}"))
    with pytest.raises(ProcessorUnavailable):
        nowhere.describe_method("pm_x")


# API -----------------------------------------------------------------------------------------

def test_payment_methods_give_brand_last_four_and_expiry_only(kit: SandboxKit) -> None:
    method = kit.client.payment_method("5555 5555 5555 4444", expiry="04/31")

    described = kit.processor.describe_method(method)

    assert (described.reference, described.brand, described.last4) == (method, "mastercard", "4444")
    assert (described.exp_month, described.exp_year) == (4, 2031)
    with pytest.raises(LookupError):
        kit.processor.describe_method("pm_unknown")


def test_the_api_wants_the_secret_key(kit: SandboxKit) -> None:
    method = kit.client.payment_method(SUCCEEDS)
    assert httpx.get(f"{kit.process.url}/v1/payment_methods/{method}").status_code == 401
    wrong = SandboxProcessor(sandbox_config(kit.process.url, processor_secret_key="sk_wrong"))

    refused = charge(kit, SUCCEEDS, method=method, processor=wrong)

    assert refused.status is PaymentStatus.FAILED
    wrong.close()


# The card form -------------------------------------------------------------------------------

def test_the_card_form_is_the_processors_page_in_french_or_english(kit: SandboxKit) -> None:
    url = kit.processor.card_form_url(return_url=RETURN_URL, state="co-1", locale="fr")
    assert url.startswith(f"{kit.process.url}/card?")
    french = httpx.get(url)
    english = httpx.get(kit.processor.card_form_url(return_url=RETURN_URL, state="co-1", locale="en"))

    assert french.status_code == 200 and "Numéro de carte" in french.text and 'lang="fr"' in french.text
    assert english.status_code == 200 and "Card number" in english.text
    assert 'autocomplete="cc-number"' in french.text
    assert httpx.get(f"{kit.process.url}/card?state=x&key=pk_x").status_code == 400


def test_a_valid_card_returns_to_the_merchant_with_a_reference(kit: SandboxKit) -> None:
    response = kit.client.submit_card(SUCCEEDS, return_url=RETURN_URL + "?etape=carte", state="co-9")

    assert response.status_code == 303
    location = response.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(RETURN_URL + "?")
    assert query["etape"] == ["carte"] and query["state"] == ["co-9"]
    assert query["payment_method"][0].startswith("pm_")
    assert "4242" not in location


@pytest.mark.parametrize(("fields", "locale", "message"), [
    ({"number": "4242 4242 4242 4241"}, "fr", "Ce numéro de carte n&#39;est pas valide."),
    ({"number": "4242 4242 4242 4241"}, "en", "This card number is not valid."),
    ({"number": ""}, "fr", "Entrez le numéro de la carte."),
    ({"expiry": "12/20"}, "fr", "Cette carte est expirée."),
    ({"expiry": "12/20"}, "en", "This card has expired."),
    ({"expiry": "13/30"}, "fr", "Entrez la date d&#39;expiration au format MM/AA."),
    ({"cvc": "12"}, "en", "The security code has 3 digits (4 for American Express)."),
    ({"name": " "}, "fr", "Entrez le nom inscrit sur la carte."),
])
def test_the_card_form_explains_what_is_wrong(kit: SandboxKit, fields: dict[str, str], locale: str,
                                              message: str) -> None:
    values = {"number": SUCCEEDS, "expiry": "12/34", "cvc": "123", "name": "Test Buyer", **fields}
    response = kit.client.submit_card(values.pop("number"), locale=locale, **values)

    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_refused_form_echoes_neither_number_nor_cvc(kit: SandboxKit) -> None:
    response = kit.client.submit_card("5555 5555 5555 4444", expiry="01/20", cvc="987")

    assert response.status_code == 422
    assert "5555555555554444" not in response.text and "5555 5555 5555 4444" not in response.text
    assert 'value="987"' not in response.text


def test_card_checks() -> None:
    today = date(2026, 11, 30)
    assert all(luhn_ok(number) for number in TEST_CARDS)
    assert not luhn_ok("4242424242424241")
    assert check_card("4242-4242-4242-4242", "11/26", "123", "A", today).errors == {}  # this month still counts
    assert check_card("4242424242424242", "10/26", "123", "A", today).errors == {"expiry": "expiry_past"}
    assert check_card("4242424242424242", "11/2030", "123", "A", today).exp_year == 2030
    assert check_card("378282246310005", "11/30", "123", "A", today).errors == {"cvc": "cvc_invalid"}
    assert check_card("378282246310005", "11/30", "1234", "A", today).errors == {}
    assert check_card("4242 4242 42x2 4242", "11/30", "123", "A", today).errors == {"number": "number_invalid"}


def test_the_sandbox_never_logs_a_card_number_or_cvc(kit: SandboxKit) -> None:
    kit.client.submit_card("4000 0566 5566 5556", cvc="741")
    result = charge(kit, "4000056655665556")
    kit.processor.describe_method(str(kit.client.payment_method("4000056655665556", cvc="741")))
    assert result.status is PaymentStatus.SUCCEEDED
    kit.client.flush()

    log = Path(str(kit.process.log_path)).read_text(encoding="utf-8")
    assert "payment method pm_" in log  # the log is there, and it logs
    for secret in ("4000056655665556", "4000 0566 5566 5556"):
        assert secret not in log
    # The CVC as a word of its own (not a chance match inside an id, a port or a timestamp's milliseconds).
    assert not re.search(r"(?<![\w:,.])741(?!\w)", log)


# Webhooks ------------------------------------------------------------------------------------

def test_webhooks_are_signed_like_stripes(kit: SandboxKit) -> None:
    charge(kit, SUCCEEDS)
    webhook_types(kit, 1)
    [received] = kit.receiver.snapshot()

    header = received.headers["stripe-signature"]
    assert header.startswith("t=") and ",v1=" in header
    assert received.headers["content-type"].startswith("application/json")
    verify_signature(received.body, header, WEBHOOK_SECRET)
    with pytest.raises(InvalidWebhook):
        verify_signature(received.body, header, "whsec_another")
    with pytest.raises(InvalidWebhook):
        verify_signature(received.body.replace(b"11498", b"11499"), header, WEBHOOK_SECRET)


def test_webhooks_can_come_late(kit: SandboxKit) -> None:
    kit.client.set_webhooks(delay=600)
    result = charge(kit, SUCCEEDS)

    assert kit.client.webhooks()["pending"] == 1
    assert kit.receiver.snapshot() == []
    kit.client.flush()
    assert webhook_types(kit, 1) == [("payment.succeeded", result.intent_reference)]


def test_webhooks_can_come_twice(kit: SandboxKit) -> None:
    kit.client.set_webhooks(duplicate=True)
    result = charge(kit, SUCCEEDS)

    assert webhook_types(kit, 2) == [("payment.succeeded", result.intent_reference)] * 2
    first, second = (kit.processor.parse_webhook(r.body, r.headers) for r in kit.receiver.snapshot())
    assert first.event_id == second.event_id


def test_webhooks_can_come_out_of_order(kit: SandboxKit) -> None:
    kit.client.set_webhooks(reverse=True)
    declined = charge(kit, DECLINED, checkout="co-order")
    paid = charge(kit, SUCCEEDS, checkout="co-order")
    assert kit.receiver.snapshot() == []

    delivered = kit.client.flush()

    assert [d["status"] for d in delivered] == [200, 200]
    assert webhook_types(kit, 2) == [("payment.succeeded", paid.intent_reference),
                                     ("payment.failed", declined.intent_reference)]
    events = [kit.processor.parse_webhook(r.body, r.headers) for r in kit.receiver.snapshot()]
    assert events[0].created >= events[1].created
    assert {e.metadata["checkout_id"] for e in events} == {"co-order"}


def test_a_refused_webhook_is_delivered_again(kit: SandboxKit) -> None:
    kit.receiver.status = 503
    result = charge(kit, SUCCEEDS)
    wait_until(lambda: len(kit.receiver.snapshot()) >= 1)
    kit.receiver.status = 200

    def deliveries() -> list[tuple[int, object]]:
        return [(d["attempt"], d["status"]) for d in kit.client.webhooks()["deliveries"]
                if d["payment_intent"] == result.intent_reference]

    wait_until(lambda: len(deliveries()) >= 2, message="no second attempt")
    assert deliveries() == [(1, 503), (2, 200)]


# The helper later e2e tests use to look for a card number ---------------------------------------

def test_card_number_traces_finds_every_written_form(tmp_path: Path) -> None:
    import sqlite3

    import psycopg
    from payment_support import card_number_forms, card_number_traces, dump_databases

    from plumbing.testing import create_test_database, drop_test_database

    assert card_number_forms("4242-4242-4242-4242") == ["4242424242424242", "4242 4242 4242 4242",
                                                        "4242-4242-4242-4242"]
    logs = tmp_path / "logs"
    (logs / "nested").mkdir(parents=True)
    (logs / "clean.log").write_text("visa ending 4242, pm_abc\n")
    (logs / "nested" / "leak.log").write_text("body: number=4242 4242 4242 4242&cvc=123\n")
    lite = tmp_path / "billing.db"
    with sqlite3.connect(lite) as connection:
        connection.execute("CREATE TABLE t (v TEXT)")
        connection.execute("INSERT INTO t VALUES ('4242424242424242')")
    postgres = create_test_database("test_card_traces")
    try:
        with psycopg.connect(postgres.replace("+psycopg", "")) as connection:
            connection.execute("CREATE TABLE t (v TEXT)")
            connection.execute("INSERT INTO t VALUES ('card 4242-4242-4242-4242')")
        dumps = dump_databases({"lite": f"sqlite:///{lite}", "pg": postgres}, tmp_path / "dumps")
    finally:
        drop_test_database(postgres)

    found = card_number_traces("4242424242424242", logs, dumps)

    assert sorted((path.name, form) for path, form in found) == [
        ("leak.log", "4242 4242 4242 4242"), ("lite-billing.db", "4242424242424242"),
        ("pg.sql", "4242-4242-4242-4242")]
    assert card_number_traces("4000 0000 0000 0002", logs, dumps) == []


# The suites start it ------------------------------------------------------------------------------

def test_make_run_starts_a_sandbox_whose_webhooks_go_through_the_gateway(monkeypatch: pytest.MonkeyPatch,
                                                                        tmp_path: Path) -> None:
    from suite.embedded import start_payment_sandbox

    for name in ("CATALOG_BILLING_SANDBOX_URL", "CATALOG_BILLING_SANDBOX_PUBLIC_URL",
                 "CATALOG_BILLING_PAYMENT_PROCESSOR", "CATALOG_BILLING_WEBHOOK_SECRET", "PUBLIC_URL"):
        monkeypatch.setenv(name, "")  # so that monkeypatch restores what the function sets
        monkeypatch.delenv(name)
    monkeypatch.setenv("INGEMPLOIS_VAR", str(tmp_path))

    sandbox = start_payment_sandbox("127.0.0.1", 18123, 0)
    try:
        assert sandbox is not None
        assert httpx.get(f"{sandbox.url}/_sandbox/health").status_code == 200
        assert sandbox.webhook_url == "http://127.0.0.1:18123/api/catalog-billing/v1/payment-webhooks/sandbox"
        assert os.environ["CATALOG_BILLING_SANDBOX_URL"] == sandbox.url
        assert os.environ["CATALOG_BILLING_SANDBOX_PUBLIC_URL"] == sandbox.url
    finally:
        if sandbox is not None:
            sandbox.stop()
    # A sandbox named by the environment is used as it is.
    assert start_payment_sandbox("127.0.0.1", 18123, 0) is None


def test_the_distributed_suite_points_catalog_billing_at_its_sandbox(tmp_path: Path) -> None:
    from suite.distributed import DistributedSuite, Infrastructure

    services = ["identity", "catalog-billing"]
    suite = DistributedSuite(Infrastructure({s: "sqlite://" for s in services}, "amqp://x"), tmp_path,
                             gateway_port=18124, services=services, ports={"identity": 1, "catalog-billing": 2},
                             sandbox_port=18125)

    env = suite.env()

    assert suite.sandbox_url == "http://127.0.0.1:18125"
    assert env["CATALOG_BILLING_SANDBOX_URL"] == env["CATALOG_BILLING_SANDBOX_PUBLIC_URL"] == suite.sandbox_url
    assert env["CATALOG_BILLING_WEBHOOK_SECRET"] == suite.webhook_secret
    assert suite.webhook_secret.startswith("whsec_") and len(suite.webhook_secret) > 20
