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

    No `body` parameter on purpose: connexion would parse the JSON and consume the request stream,
    and the signature covers the raw bytes, which `request.body()` reads here (the contract's
    validator replays them unchanged)."""
    bus = _bus()
    payments: PaymentProcessor = bus.deps.payments
    if processor != payments.name:
        raise ApiProblem(404, "unknown_processor", "Ce processeur de paiement n'est pas utilisé ici.",
                         "This payment processor is not used here.")
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
