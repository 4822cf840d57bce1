"""`POST /api/catalog-billing/v1/payment-webhooks/{processor}`: the processor tells us a payment's fate.

No bearer token: the signature over the raw body is the proof (adapters/payments/signatures.py),
so the handler reads the body as bytes, before anything parses it. A verified
`payment.succeeded` / `payment.failed` for one of our checkouts becomes `RecordPaymentEvent` on
the bus; any other event type is acknowledged and ignored (processors send many). An error in the
handler is a 500, and the processor delivers the event again later: that is what we want.
"""

from __future__ import annotations

import logging
from typing import Any

from connexion import request
from starlette.concurrency import run_in_threadpool

from catalog_billing.service_layer import commands
from catalog_billing.service_layer.payments import InvalidWebhook, PaymentEvent, PaymentProcessor
from plumbing.messagebus import MessageBus
from plumbing.web.problem import ApiProblem

log = logging.getLogger(__name__)

#: Where bootstrap puts the bus in each API request's scope (as company-portal does).
BUS_STATE_KEY = "catalog_billing_bus"
HANDLED_TYPES = frozenset({"payment.succeeded", "payment.failed"})
#: Where `keep_raw_body` leaves the webhook's bytes in the request's scope state.
RAW_BODY_KEY = "catalog_billing_raw_body"
WEBHOOK_PATH_PART = "/payment-webhooks/"
MAX_WEBHOOK_BYTES = 1024 * 1024


def keep_raw_body(api: Any) -> Any:
    """ASGI wrapper: read a webhook's body once, keep the bytes in the scope and replay them to the API.

    connexion reads the body to validate it, and its `request` proxy builds a new request on each
    use, whose stream is then already consumed (`await request.body()` would wait for ever); the
    signature needs the exact bytes, so they are kept before connexion sees them."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or WEBHOOK_PATH_PART not in scope.get("path", ""):
            await api(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= MAX_WEBHOOK_BYTES:
                chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        scope.setdefault("state", {})[RAW_BODY_KEY] = body
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await api(scope, replay, send)

    return app


def _bus() -> MessageBus[Any]:
    return request.scope["state"][BUS_STATE_KEY]


def to_command(processor: str, event: PaymentEvent) -> commands.RecordPaymentEvent:
    result = event.result
    return commands.RecordPaymentEvent(
        processor=processor, event_id=event.event_id, type=event.type, intent_reference=event.intent_reference,
        checkout_id=event.metadata.get("checkout_id"), created=event.created, status=str(result.status),
        authorization=result.authorization, code=result.code, amount_cents=result.amount_cents,
    )


async def receive(processor: str) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Verify, translate, hand to the bus.

    The signature covers the raw bytes: `keep_raw_body` (bootstrap) keeps them in the scope before
    connexion parses anything. No `body` parameter on purpose: connexion would parse the JSON and
    consume the stream, so the fallback `request.body()` (an app without the wrapper) would wait."""
    bus = _bus()
    payments: PaymentProcessor = bus.deps.payments
    if processor != payments.name:
        raise ApiProblem(404, "unknown_processor", "Ce processeur de paiement n'est pas utilisé ici.",
                         "This payment processor is not used here.")
    raw = request.scope.get("state", {}).get(RAW_BODY_KEY)
    if raw is None:
        raw = await request.body()
    headers = {key.lower(): value for key, value in request.headers.items()}
    try:
        event = payments.parse_webhook(raw, headers)
    except InvalidWebhook as exc:
        log.warning("payment webhook refused (%s): %s", processor, exc)
        raise ApiProblem(400, "invalid_webhook", "Signature ou contenu de l'événement invalide.",
                         "Invalid event signature or content.") from None
    if event.type not in HANDLED_TYPES or not event.metadata.get("checkout_id"):
        log.info("payment webhook %s (%s) ignored", event.event_id, event.type)
        return {"received": True}, 200, {"Content-Type": "application/json"}
    await run_in_threadpool(bus.handle, to_command(processor, event))
    log.info("payment webhook %s (%s) recorded for %s", event.event_id, event.type, event.intent_reference)
    return {"received": True}, 200, {"Content-Type": "application/json"}
