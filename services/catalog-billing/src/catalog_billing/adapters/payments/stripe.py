"""Stripe's PaymentIntents API over httpx (docs/decisions.md: why not the `stripe` library).

The sandbox processor speaks the same wire format, so `SandboxProcessor` is this class with
another address and its own card form: every test through the sandbox runs this code too.

Requests are form-encoded (`metadata[checkout_id]=…`), authenticated by the secret key, pinned to
one API version, and every charge carries the checkout's `Idempotency-Key`: a retry after a
timeout returns the first answer instead of charging again. Timeouts, connection errors, 409
(the same key still in flight), 429 and 5xx raise `ProcessorUnavailable` (outcome unknown: retry
with the same key, or wait for the webhook); a card refused is a `DECLINED` result, not an error.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from catalog_billing.adapters.payments.signatures import header_value, verify_signature
from catalog_billing.config import BillingConfig
from catalog_billing.service_layer.payments import (
    InvalidWebhook,
    PaymentEvent,
    PaymentMethod,
    PaymentResult,
    PaymentStatus,
    ProcessorUnavailable,
)

log = logging.getLogger(__name__)

API_BASE = "https://api.stripe.com"
#: The API version whose shapes this adapter reads (PaymentIntent.latest_charge, next_action).
API_VERSION = "2024-06-20"
_ID = re.compile(r"[a-z]{2,5}_[A-Za-z0-9_]{1,250}")
EVENT_TYPES = {"payment_intent.succeeded": "payment.succeeded", "payment_intent.payment_failed": "payment.failed"}


class StripeProcessor:
    """PaymentIntents (create + confirm in one call), PaymentMethods, signed webhooks."""

    name = "stripe"

    def __init__(self, config: BillingConfig, *, transport: httpx.BaseTransport | None = None,
                 now: Callable[[], float] = time.time) -> None:
        self.config = config
        self._now = now
        self._client = httpx.Client(
            base_url=self.api_base(config),
            timeout=config.processor_timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {config.processor_secret_key}", "Stripe-Version": API_VERSION},
        )

    def api_base(self, config: BillingConfig) -> str:
        return API_BASE

    def close(self) -> None:
        self._client.close()

    # the port -----------------------------------------------------------------------------
    def card_form_url(self, *, return_url: str, state: str, locale: str) -> str:
        """Stripe has no hosted form that hands back a PaymentMethod: in production its card form
        is Stripe Elements on a page of ours (not built yet, docs/decisions.md)."""
        query = urlencode({"return_url": return_url, "state": state, "locale": locale,
                           "key": self.config.processor_publishable_key})
        return f"{self.config.public_url}/employeur/caisse/carte-stripe?{query}"

    def describe_method(self, reference: str) -> PaymentMethod:
        _check_id("pm", reference)
        response = self._request("GET", f"/v1/payment_methods/{reference}")
        if response.status_code == 404:
            raise LookupError(reference)
        body = self._json(response)
        if response.status_code != 200:
            raise LookupError(f"{reference}: {_error(body).get('code') or response.status_code}")
        card = body.get("card") or {}
        return PaymentMethod(reference=body["id"], brand=str(card.get("brand", "unknown")),
                             last4=str(card.get("last4", "")), exp_month=int(card.get("exp_month", 0)),
                             exp_year=int(card.get("exp_year", 0)))

    def charge(self, *, amount_cents: int, currency: str, method_reference: str, idempotency_key: str,
               description: str, metadata: Mapping[str, str], return_url: str) -> PaymentResult:
        data: list[tuple[str, str]] = [
            ("amount", str(amount_cents)), ("currency", currency.lower()), ("payment_method", method_reference),
            ("payment_method_types[]", "card"), ("confirm", "true"), ("return_url", return_url),
            ("description", description), ("expand[]", "latest_charge"),
        ]
        data += [(f"metadata[{key}]", str(value)) for key, value in sorted(metadata.items())]
        response = self._request("POST", "/v1/payment_intents", content=urlencode(data).encode(),
                                 headers={"Idempotency-Key": idempotency_key,
                                          "Content-Type": "application/x-www-form-urlencoded"})
        body = self._json(response)
        if response.status_code == 200:
            return intent_result(body)
        error = _error(body)
        if response.status_code == 402 and error.get("type") == "card_error":
            intent = error.get("payment_intent") or {}
            return PaymentResult(PaymentStatus.DECLINED, intent_reference=intent.get("id"), code=_decline_code(error),
                                 amount_cents=amount_cents, metadata=dict(intent.get("metadata") or {}))
        log.warning("payment processor refused the charge: %s %s", response.status_code,
                    error.get("code") or error.get("type"))
        return PaymentResult(PaymentStatus.FAILED, code=_error_code(error, response.status_code),
                             amount_cents=amount_cents)

    def retrieve(self, intent_reference: str) -> PaymentResult:
        _check_id("pi", intent_reference)
        response = self._request("GET", f"/v1/payment_intents/{intent_reference}",
                                 params=[("expand[]", "latest_charge")])
        if response.status_code == 404:
            raise LookupError(intent_reference)
        body = self._json(response)
        if response.status_code != 200:
            return PaymentResult(PaymentStatus.FAILED, intent_reference=intent_reference,
                                 code=_error_code(_error(body), response.status_code))
        return intent_result(body)

    def parse_webhook(self, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        verify_signature(payload, header_value(headers), self.config.webhook_secret, now=self._now)
        try:
            event = json.loads(payload)
            intent = event["data"]["object"]
            kind = str(event["type"])
            return PaymentEvent(event_id=str(event["id"]), type=EVENT_TYPES.get(kind, kind),
                                intent_reference=str(intent["id"]),
                                metadata={str(k): str(v) for k, v in (intent.get("metadata") or {}).items()},
                                created=int(event["created"]),
                                result=intent_result(intent) if intent.get("object") == "payment_intent"
                                else PaymentResult(PaymentStatus.PROCESSING, intent_reference=str(intent["id"])))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidWebhook(f"unreadable event: {type(exc).__name__}") from None

    # plumbing -----------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProcessorUnavailable(f"{self.name}: timeout on {method} {_route(path)}") from exc
        except httpx.TransportError as exc:
            raise ProcessorUnavailable(f"{self.name}: {type(exc).__name__} on {method} {_route(path)}") from exc
        if response.status_code in {409, 429} or response.status_code >= 500:
            code = _error_code(_error(self._json(response)), response.status_code)
            raise ProcessorUnavailable(f"{self.name}: HTTP {response.status_code} ({code}) on {method} {_route(path)}")
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}


def intent_result(intent: Mapping[str, Any]) -> PaymentResult:
    """A PaymentIntent (Stripe's shape) as the port's result."""
    status = intent.get("status")
    reference = intent.get("id")
    amount = intent.get("amount")
    metadata = {str(k): str(v) for k, v in (intent.get("metadata") or {}).items()}
    common: dict[str, Any] = {"intent_reference": reference, "amount_cents": amount, "metadata": metadata}
    if status == "succeeded":
        authorization = _authorization(intent.get("latest_charge"))
        return PaymentResult(PaymentStatus.SUCCEEDED, authorization=authorization, **common)
    if status == "requires_action":
        action = intent.get("next_action") or {}
        url = (action.get("redirect_to_url") or {}).get("url")
        return PaymentResult(PaymentStatus.REQUIRES_ACTION, next_action_url=url, **common)
    if status in {"processing", "requires_capture"}:
        return PaymentResult(PaymentStatus.PROCESSING, **common)
    error = intent.get("last_payment_error") or {}
    if status == "requires_payment_method" and error:
        return PaymentResult(PaymentStatus.DECLINED, code=_decline_code(error), **common)
    if status == "canceled":
        reason = str(intent.get("cancellation_reason") or "canceled")
        return PaymentResult(PaymentStatus.DECLINED, code=reason, **common)
    return PaymentResult(PaymentStatus.FAILED, code=f"unexpected_status:{status}", **common)


def _authorization(charge: Any) -> str | None:
    """The charge's id (`ch_…`), expanded or not: the same reference whether the payment was read
    from the charge's answer, `retrieve` or a webhook (whose intent never has the charge expanded)."""
    if isinstance(charge, Mapping):
        return str(charge.get("id") or "") or None
    return str(charge) if charge else None


def _decline_code(error: Mapping[str, Any]) -> str:
    """`insufficient_funds` rather than the generic `card_declined` when the bank said why."""
    decline = error.get("decline_code")
    if decline and decline != "generic_decline":
        return str(decline)
    return str(error.get("code") or "card_declined")


def _error(body: Mapping[str, Any]) -> dict[str, Any]:
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def _check_id(prefix: str, reference: str) -> None:
    """References come back through the browser (`?payment_method=…`): only an id of the right kind
    goes into a URL path, never `../` or a query."""
    if not _ID.fullmatch(reference or "") or not reference.startswith(prefix + "_"):
        raise LookupError(f"not a {prefix}_ reference")


def _error_code(error: Mapping[str, Any], status: int) -> str:
    return str(error.get("code") or error.get("type") or status)


def _route(path: str) -> str:
    """The path without its object id, for messages and logs."""
    parts = path.split("/")
    return "/".join(parts[:3]) + ("/{id}" if len(parts) > 3 else "")
