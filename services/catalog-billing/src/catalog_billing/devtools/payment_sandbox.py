"""A sandbox card processor for `make run`, `make up` and the tests: Stripe's behaviour, locally.

    python -m catalog_billing.devtools.payment_sandbox --port 8099 \\
        --webhook-url http://127.0.0.1:8080/api/catalog-billing/v1/payment-webhooks/sandbox \\
        --webhook-secret whsec_sandbox_ingemplois [--secret-key sk_sandbox_ingemplois]

It plays the processor, a third party: our services never import it, they call its API.

- Card form (the processor's own page, as Stripe Elements is): `GET /card?return_url=…&state=…
  &locale=fr|en&key=pk_…`; the form posts to `POST /v1/payment_methods` (Luhn, expiry, CVC, name),
  which redirects to `return_url?payment_method=pm_…&state=…`. Only brand, last four and expiry
  are kept; the card number and the CVC are never stored, echoed or logged.
- API, Stripe's shapes, form-encoded, `Authorization: Bearer <secret key>`:
  `GET /v1/payment_methods/{id}`, `POST /v1/payment_intents` (amount, currency, payment_method,
  confirm, return_url, description, metadata[…], expand[]=latest_charge; `Idempotency-Key`: same
  key and parameters → the first answer again, no second charge; other parameters → 400
  `idempotency_error`), `GET /v1/payment_intents/{id}`.
- Second step (3-D Secure): `GET /3ds/{pi}` with approve / fail buttons, then back to the intent's
  return_url with `payment_intent=pi_…&redirect_status=succeeded|failed`.
- Webhooks `payment_intent.succeeded` / `payment_intent.payment_failed`, signed as Stripe signs
  them (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`), retried on failure.
- Test controls (tests and demos only): `POST /_sandbox/webhooks` {delay, duplicate, reverse,
  processing_delay} (the body replaces the settings), `POST /_sandbox/webhooks/flush`,
  `GET /_sandbox/webhooks` (deliveries), `POST /_sandbox/latency` {delay, times} (the next
  charges answer late: a client timeout after the charge), `GET /_sandbox/charges`, `GET /_sandbox/health`.

`TEST_CARDS` lists the numbers and what they do (docs/decisions.md). `SandboxClient` drives it
from tests; `SandboxProcess` starts it as its own process (the suites).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from flask import Flask, Response, jsonify, redirect, render_template_string, request

log = logging.getLogger("payment_sandbox")

API_VERSION = "2024-06-20"

#: number -> (scenario, what the page says about it). Any other valid number succeeds.
TEST_CARDS: dict[str, tuple[str, str]] = {
    "4242424242424242": ("succeeds", "paiement accepté / succeeds"),
    "4000000000000002": ("card_declined", "refusée / declined (card_declined)"),
    "4000000000009995": ("insufficient_funds", "fonds insuffisants / insufficient_funds"),
    "4000002500003155": ("authentication", "3-D Secure : deuxième étape / second step"),
    "4000000000000119": ("processor_error", "erreur du processeur (HTTP 500) / processor error"),
    "4000000000000077": ("processing", "en traitement, confirmée par webhook / processing, then a webhook"),
}
DECLINES = {
    "card_declined": ("generic_decline", "Your card was declined."),
    "insufficient_funds": ("insufficient_funds", "Your card has insufficient funds."),
}

# ---------------------------------------------------------------------------------------------
# Card checks (the form's messages, French and English)

MESSAGES = {
    "fr": {
        "title": "Paiement par carte", "sandbox": "Processeur de test (bac à sable) : aucune carte réelle.",
        "number": "Numéro de carte", "expiry": "Expiration (MM/AA)", "cvc": "Code de sécurité (CVC)",
        "name": "Nom sur la carte", "submit": "Enregistrer la carte",
        "errors": "Veuillez corriger les champs indiqués.", "test_cards": "Cartes de test",
        "number_missing": "Entrez le numéro de la carte.",
        "number_invalid": "Ce numéro de carte n'est pas valide.",
        "expiry_invalid": "Entrez la date d'expiration au format MM/AA.",
        "expiry_past": "Cette carte est expirée.",
        "cvc_invalid": "Le code de sécurité compte 3 chiffres (4 pour American Express).",
        "name_missing": "Entrez le nom inscrit sur la carte.",
        "bad_request": "Lien de paiement incomplet : retournez au site marchand.",
        "auth_title": "Authentification 3-D Secure",
        "auth_intro": "Votre banque demande une confirmation pour ce paiement de",
        "approve": "Approuver", "fail": "Refuser l'authentification", "not_found": "Paiement introuvable.",
    },
    "en": {
        "title": "Card payment", "sandbox": "Test processor (sandbox): no real card.",
        "number": "Card number", "expiry": "Expiry (MM/YY)", "cvc": "Security code (CVC)",
        "name": "Name on card", "submit": "Save card",
        "errors": "Please correct the fields shown.", "test_cards": "Test cards",
        "number_missing": "Enter the card number.",
        "number_invalid": "This card number is not valid.",
        "expiry_invalid": "Enter the expiry date as MM/YY.",
        "expiry_past": "This card has expired.",
        "cvc_invalid": "The security code has 3 digits (4 for American Express).",
        "name_missing": "Enter the name printed on the card.",
        "bad_request": "Incomplete payment link: go back to the merchant's site.",
        "auth_title": "3-D Secure authentication", "auth_intro": "Your bank asks you to confirm this payment of",
        "approve": "Approve", "fail": "Fail authentication", "not_found": "Payment not found.",
    },
}


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def brand_of(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return "mastercard"
    return "unknown"


@dataclass(frozen=True)
class CardCheck:
    digits: str = ""
    exp_month: int = 0
    exp_year: int = 0
    #: field -> message key
    errors: dict[str, str] = field(default_factory=dict)


def check_card(number: str, expiry: str, cvc: str, name: str, today: date) -> CardCheck:
    """Luhn, expiry (MM/YY, not past), CVC length, a name. Returns the digits and the errors."""
    errors: dict[str, str] = {}
    digits = re.sub(r"[\s-]", "", number or "")
    if not digits:
        errors["number"] = "number_missing"
    elif not digits.isdigit() or not 12 <= len(digits) <= 19 or not luhn_ok(digits):
        errors["number"] = "number_invalid"
    month = year = 0
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", expiry or "")
    if match and 1 <= int(match.group(1)) <= 12:
        month, year = int(match.group(1)), int(match.group(2))
        year = year + 2000 if year < 100 else year
        if (year, month) < (today.year, today.month):
            errors["expiry"] = "expiry_past"
    else:
        errors["expiry"] = "expiry_invalid"
    wanted = 4 if "number" not in errors and brand_of(digits) == "amex" else 3
    if not (cvc or "").strip().isdigit() or len(cvc.strip()) != wanted:
        errors["cvc"] = "cvc_invalid"
    if not (name or "").strip():
        errors["name"] = "name_missing"
    return CardCheck(digits, month, year, errors)


# ---------------------------------------------------------------------------------------------
# The processor's state


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def sign(secret: str, payload: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class ApiError(Exception):
    def __init__(self, status: int, error: dict[str, Any]) -> None:
        super().__init__(error.get("message", ""))
        self.status = status
        self.error = error


@dataclass
class WebhookSettings:
    #: Seconds before an event is delivered.
    delay: float = 0.0
    #: Deliver every event twice.
    duplicate: bool = False
    #: Hold events until a flush, which delivers them newest first.
    reverse: bool = False
    #: Seconds before a `processing` payment settles (and its webhook is sent).
    processing_delay: float = 2.0


@dataclass(order=True)
class _Task:
    due: float
    seq: int
    kind: str = field(compare=False)  # "deliver" | "settle"
    payload: Any = field(compare=False)
    attempt: int = field(default=0, compare=False)


class Sandbox:
    """Payment methods, intents, charges, idempotency keys and the webhook queue, in memory."""

    MAX_ATTEMPTS = 5

    def __init__(self, *, secret_key: str, webhook_url: str | None, webhook_secret: str,
                 public_url: str | None = None, now: Callable[[], float] = time.time) -> None:
        self.secret_key = secret_key
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.public_url = public_url
        self.now = now
        self.lock = threading.RLock()
        self.wakeup = threading.Condition(self.lock)
        self.methods: dict[str, dict[str, Any]] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.charges: list[dict[str, Any]] = []
        self.idempotency: dict[str, tuple[str, int, dict[str, Any]]] = {}
        self.settings = WebhookSettings()
        self.tasks: list[_Task] = []
        self.held: list[_Task] = []
        self.deliveries: list[dict[str, Any]] = []
        self.latency = (0.0, 0)  # (seconds, how many more charges answer that late)
        self._seq = 0
        #: Same card, same fingerprint, within this process only (a bare hash of a card number is guessable).
        self._fingerprint_key = secrets.token_bytes(32)
        self._stop = threading.Event()
        self._http = httpx.Client(timeout=10.0)
        self._worker = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        with self.wakeup:
            self.wakeup.notify_all()

    # payment methods -------------------------------------------------------------------------
    def create_method(self, card: CardCheck, name: str, locale: str) -> dict[str, Any]:
        scenario = TEST_CARDS.get(card.digits, ("succeeds", ""))[0]
        method = {
            "id": _id("pm"), "object": "payment_method", "type": "card", "created": int(self.now()),
            "livemode": False, "billing_details": {"name": name.strip()},
            "card": {"brand": brand_of(card.digits), "last4": card.digits[-4:], "exp_month": card.exp_month,
                     "exp_year": card.exp_year, "funding": "credit", "country": "CA",
                     "fingerprint": hmac.new(self._fingerprint_key, card.digits.encode(), "sha256").hexdigest()[:16]},
            "metadata": {},
        }
        with self.lock:
            self.methods[method["id"]] = {"public": method, "scenario": scenario, "locale": locale}
        log.info("payment method %s created (%s ending %s)", method["id"], method["card"]["brand"],
                 method["card"]["last4"])
        return method

    def method(self, method_id: str) -> dict[str, Any]:
        with self.lock:
            found = self.methods.get(method_id)
        if found is None:
            raise _missing("payment_method", method_id)
        return found["public"]

    # payment intents -------------------------------------------------------------------------
    def create_intent(self, params: list[tuple[str, str]], idempotency_key: str | None,
                      base_url: str) -> tuple[int, dict[str, Any]]:
        """Create (and confirm) an intent; with a key, the first answer is kept and replayed."""
        fingerprint = hashlib.sha256(json.dumps(sorted(params)).encode()).hexdigest()
        with self.lock:
            if idempotency_key:
                stored = self.idempotency.get(idempotency_key)
                if stored is not None:
                    if stored[0] != fingerprint:
                        return 400, {"error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with the same parameters "
                                       "they were first used with. Try using a key other than "
                                       f"'{idempotency_key}' if you meant to execute a different request."}}
                    return stored[1], copy.deepcopy(stored[2])
            try:
                status, body = 200, self._new_intent(_nested(params), base_url, idempotency_key)
            except ApiError as exc:
                status, body = exc.status, {"error": exc.error}
            if idempotency_key:
                self.idempotency[idempotency_key] = (fingerprint, status, copy.deepcopy(body))
            delay, times = self.latency
            if times > 0:
                self.latency = (delay, times - 1)
        if times > 0:
            time.sleep(delay)  # the charge is made; only the answer is late
        return status, body

    def _new_intent(self, params: dict[str, Any], base_url: str, key: str | None) -> dict[str, Any]:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            amount = 0
        if amount <= 0:
            raise ApiError(400, {"type": "invalid_request_error", "code": "parameter_invalid_integer",
                                 "param": "amount", "message": "Invalid positive integer"})
        currency = str(params.get("currency", "")).lower()
        if not re.fullmatch(r"[a-z]{3}", currency):
            raise ApiError(400, {"type": "invalid_request_error", "code": "parameter_missing", "param": "currency",
                                 "message": "Missing required param: currency."})
        method_id = str(params.get("payment_method", ""))
        method = self.methods.get(method_id)
        if method is None:
            raise _missing("payment_method", method_id)
        intent: dict[str, Any] = {
            "id": _id("pi"), "object": "payment_intent", "amount": amount, "amount_received": 0,
            "currency": currency, "status": "requires_confirmation", "payment_method": method_id,
            "payment_method_types": ["card"], "capture_method": "automatic", "confirmation_method": "automatic",
            "created": int(self.now()), "description": params.get("description"), "livemode": False,
            "metadata": dict(params.get("metadata") or {}), "latest_charge": None, "last_payment_error": None,
            "next_action": None, "cancellation_reason": None, "client_secret": None,
        }
        intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
        extra = {"return_url": params.get("return_url"), "locale": method["locale"], "idempotency_key": key,
                 "expand": "latest_charge" in (params.get("expand") or [])}
        if str(params.get("confirm", "")).lower() != "true":
            self.intents[intent["id"]] = {"public": intent, **extra}
            return self._view(intent["id"], extra["expand"])
        scenario = method["scenario"]
        if scenario == "processor_error":
            log.warning("processor error simulated for %s", method_id)
            raise ApiError(500, {"type": "api_error", "message": "An unknown error occurred while processing "
                                                                 "your request (sandbox test card)."})
        self.intents[intent["id"]] = {"public": intent, **extra}
        if scenario in DECLINES:
            self._fail(intent, "card_declined", *DECLINES[scenario])
            error = dict(intent["last_payment_error"])
            error["payment_intent"] = self._view(intent["id"], extra["expand"])
            raise ApiError(402, error)
        if scenario == "authentication":
            if not extra["return_url"]:
                raise ApiError(400, {"type": "invalid_request_error", "code": "parameter_missing",
                                     "param": "return_url", "message": "This card needs return_url to authenticate."})
            url = f"{(self.public_url or base_url).rstrip('/')}/3ds/{intent['id']}"
            intent["status"] = "requires_action"
            intent["next_action"] = {"type": "redirect_to_url",
                                     "redirect_to_url": {"url": url, "return_url": extra["return_url"]}}
        elif scenario == "processing":
            intent["status"] = "processing"
            self._schedule("settle", intent["id"], self.settings.processing_delay)
        else:
            self._succeed(intent)
        return self._view(intent["id"], extra["expand"])

    def intent(self, intent_id: str, expand: bool) -> dict[str, Any]:
        with self.lock:
            if intent_id not in self.intents:
                raise _missing("payment_intent", intent_id)
            return self._view(intent_id, expand)

    def authenticate(self, intent_id: str, approve: bool) -> tuple[str, str]:
        """The buyer's answer on the second-step page: (return_url, redirect_status)."""
        with self.lock:
            stored = self.intents.get(intent_id)
            if stored is None:
                raise _missing("payment_intent", intent_id)
            intent = stored["public"]
            if intent["status"] == "requires_action":
                intent["next_action"] = None
                if approve:
                    self._succeed(intent)
                else:
                    self._fail(intent, "payment_intent_authentication_failure", None,
                               "The provided payment method has failed authentication.")
            status = "succeeded" if intent["status"] == "succeeded" else "failed"
            return str(stored["return_url"]), status

    def _view(self, intent_id: str, expand: bool) -> dict[str, Any]:
        intent = copy.deepcopy(self.intents[intent_id]["public"])
        if expand and intent["latest_charge"]:
            intent["latest_charge"] = copy.deepcopy(next(c for c in self.charges if c["id"] == intent["latest_charge"]))
        return intent

    def _succeed(self, intent: dict[str, Any]) -> None:
        card = {k: v for k, v in self.methods[intent["payment_method"]]["public"]["card"].items() if k != "fingerprint"}
        charge = {
            "id": _id("ch"), "object": "charge", "amount": intent["amount"], "currency": intent["currency"],
            "paid": True, "captured": True, "status": "succeeded", "payment_intent": intent["id"],
            "payment_method": intent["payment_method"], "created": int(self.now()),
            "authorization_code": secrets.token_hex(3).upper(), "metadata": dict(intent["metadata"]),
            "outcome": {"network_status": "approved_by_network", "type": "authorized"},
            "payment_method_details": {"type": "card", "card": card},
        }
        self.charges.append(charge)
        intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=charge["id"],
                      last_payment_error=None)
        log.info("payment %s succeeded (charge %s, %s %s)", intent["id"], charge["id"], intent["amount"],
                 intent["currency"])
        self._emit("payment_intent.succeeded", intent)

    def _fail(self, intent: dict[str, Any], code: str, decline_code: str | None, message: str) -> None:
        error = {"type": "card_error", "code": code, "message": message, "doc_url": None,
                 "payment_method": self.methods[intent["payment_method"]]["public"]}
        if decline_code:
            error["decline_code"] = decline_code
        intent.update(status="requires_payment_method", last_payment_error=error)
        log.info("payment %s failed (%s)", intent["id"], decline_code or code)
        self._emit("payment_intent.payment_failed", intent)

    def _settle(self, intent_id: str) -> None:
        intent = self.intents[intent_id]["public"]
        if intent["status"] == "processing":
            self._succeed(intent)

    # webhooks --------------------------------------------------------------------------------
    def _emit(self, kind: str, intent: dict[str, Any]) -> None:
        event = {"id": _id("evt"), "object": "event", "api_version": API_VERSION, "created": int(self.now()),
                 "type": kind, "livemode": False, "pending_webhooks": 1,
                 "data": {"object": copy.deepcopy(intent)},
                 "request": {"id": None, "idempotency_key": self.intents[intent["id"]].get("idempotency_key")}}
        for _ in range(2 if self.settings.duplicate else 1):
            if self.settings.reverse:
                self._seq += 1
                self.held.append(_Task(self.now(), self._seq, "deliver", event))
            else:
                self._schedule("deliver", event, self.settings.delay)

    def _schedule(self, kind: str, payload: Any, delay: float, attempt: int = 0) -> None:
        with self.wakeup:
            self._seq += 1
            self.tasks.append(_Task(self.now() + delay, self._seq, kind, payload, attempt))
            self.tasks.sort()
            self.wakeup.notify_all()

    def configure(self, settings: Mapping[str, Any]) -> WebhookSettings:
        defaults = WebhookSettings()
        with self.lock:
            self.settings = WebhookSettings(
                delay=max(0.0, float(settings.get("delay", defaults.delay))),
                duplicate=bool(settings.get("duplicate", defaults.duplicate)),
                reverse=bool(settings.get("reverse", defaults.reverse)),
                processing_delay=max(0.0, float(settings.get("processing_delay", defaults.processing_delay))),
            )
            return self.settings

    def flush(self) -> list[dict[str, Any]]:
        """Settle processing payments, then deliver every pending event now (newest first when
        `reverse`), in this thread; return the deliveries made."""
        with self.lock:
            for task in [t for t in self.tasks if t.kind == "settle"]:
                self.tasks.remove(task)
                self._settle(task.payload)
            pending = sorted(self.held + [t for t in self.tasks if t.kind == "deliver"], reverse=self.settings.reverse)
            self.held.clear()
            self.tasks = [t for t in self.tasks if t.kind != "deliver"]
        return [self._deliver(task, retry=False) for task in pending]

    def _run(self) -> None:
        while not self._stop.is_set():
            with self.wakeup:
                now = self.now()
                due = [t for t in self.tasks if t.due <= now]
                self.tasks = [t for t in self.tasks if t.due > now]
                if not due:
                    timeout = min((t.due for t in self.tasks), default=now + 1.0) - now
                    self.wakeup.wait(max(0.01, min(timeout, 1.0)))
                    continue
                for task in due:
                    if task.kind == "settle":
                        self._settle(task.payload)
            for task in due:
                if task.kind == "deliver":
                    self._deliver(task, retry=True)

    def _deliver(self, task: _Task, *, retry: bool) -> dict[str, Any]:
        event = task.payload
        record = {"event_id": event["id"], "type": event["type"], "attempt": task.attempt + 1,
                  "payment_intent": event["data"]["object"]["id"], "status": None, "at": self.now()}
        if self.webhook_url:
            body = json.dumps(event).encode()
            headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "ingemplois-payment-sandbox",
                       "Stripe-Signature": sign(self.webhook_secret, body, int(self.now()))}
            try:
                # A processor keeps no cookies: one set by the receiving site (the gateway's CSRF
                # cookie) would make the next delivery look like a browser's form post (403).
                self._http.cookies.clear()
                record["status"] = self._http.post(self.webhook_url, content=body, headers=headers).status_code
            except httpx.HTTPError as exc:
                record["status"] = type(exc).__name__
        ok = isinstance(record["status"], int) and 200 <= record["status"] < 300
        log.info("webhook %s %s attempt %s: %s", event["type"], event["id"], record["attempt"], record["status"])
        with self.lock:
            self.deliveries.append(record)
        if self.webhook_url and not ok and retry and task.attempt + 1 < self.MAX_ATTEMPTS:
            self._schedule("deliver", event, 2.0 ** task.attempt, task.attempt + 1)
        return record


def _nested(params: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding: `metadata[k]=v` → {"metadata": {k: v}}, `expand[]=x` → {"expand": [x]}."""
    out: dict[str, Any] = {}
    for key, value in params:
        match = re.fullmatch(r"([a-z_]+)\[([^\]]*)\]", key)
        if match is None:
            out[key] = value
        elif match.group(2) == "":
            out.setdefault(match.group(1), []).append(value)
        else:
            out.setdefault(match.group(1), {})[match.group(2)] = value
    return out


def _missing(kind: str, object_id: str) -> ApiError:
    return ApiError(404, {"type": "invalid_request_error", "code": "resource_missing", "param": "id",
                          "message": f"No such {kind}: '{object_id}'"})


# ---------------------------------------------------------------------------------------------
# The web application

PAGE = """<!doctype html>
<html lang="{{ locale }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Sandbox</title>
<style>
 body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;color:#1d2430}
 main{max-width:26rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
 h1{font-size:1.3rem;margin-top:0} label{display:block;font-weight:600;margin-top:1rem}
 input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8a94a6;
  border-radius:.3rem}
 .note{color:#4a5568;font-size:.9rem} .error{color:#b00020;font-size:.9rem;margin:.25rem 0 0}
 .alert{background:#fde8ea;color:#8a0016;padding:.6rem;border-radius:.3rem}
 button{margin-top:1.25rem;padding:.7rem 1rem;font-size:1rem;border:0;border-radius:.3rem;background:#0b5cad;
  color:#fff;cursor:pointer}
 button.secondary{background:#e2e6ec;color:#1d2430} code{font-size:.85rem} li{margin:.2rem 0}
</style></head><body><main>{{ content|safe }}</main></body></html>"""

FORM = """<h1>{{ m.title }}</h1><p class="note">{{ m.sandbox }}</p>
{% if errors %}<p class="alert" role="alert">{{ m.errors }}</p>{% endif %}
<form method="post" action="/v1/payment_methods" novalidate>
 <input type="hidden" name="return_url" value="{{ return_url }}"><input type="hidden" name="state" value="{{ state }}">
 <input type="hidden" name="locale" value="{{ locale }}"><input type="hidden" name="key" value="{{ key }}">
 {% for name, label, auto, mode, value in fields %}
 <div><label for="{{ name }}">{{ label }}</label>
  <input id="{{ name }}" name="{{ name }}" autocomplete="{{ auto }}" inputmode="{{ mode }}" value="{{ value }}"
   {% if name in errors %}aria-invalid="true" aria-describedby="{{ name }}-error"{% endif %}>
  {% if name in errors %}<p class="error" id="{{ name }}-error">{{ m[errors[name]] }}</p>{% endif %}</div>
 {% endfor %}
 <button type="submit">{{ m.submit }}</button>
</form>
<h2 class="note">{{ m.test_cards }}</h2><ul class="note">{% for number, (_, what) in cards %}
 <li><code>{{ number[0:4] }} {{ number[4:8] }} {{ number[8:12] }} {{ number[12:] }}</code> : {{ what }}</li>
{% endfor %}</ul>"""

AUTH = """<h1>{{ m.auth_title }}</h1><p>{{ m.auth_intro }} <strong>{{ amount }}</strong>.</p>
<form method="post"><input type="hidden" name="locale" value="{{ locale }}">
 <button name="action" value="approve">{{ m.approve }}</button>
 <button name="action" value="fail" class="secondary">{{ m.fail }}</button></form>"""


def money(cents: int, currency: str, locale: str) -> str:
    """`2 875,58 CAD` in French, `2,875.58 CAD` in English."""
    value = f"{cents / 100:,.2f}"
    if locale == "fr":
        value = value.replace(",", "\u00a0").replace(".", ",")
    return f"{value} {currency.upper()}"


def create_app(sandbox: Sandbox, today: Callable[[], date] = date.today) -> Flask:
    app = Flask("payment_sandbox")

    def page(locale: str, template: str, status: int = 200, **context: Any) -> tuple[str, int, dict[str, str]]:
        m = MESSAGES[locale]
        content = render_template_string(template, m=m, locale=locale, **context)
        return render_template_string(PAGE, locale=locale, title=m["title"], content=content), status, {
            "Cache-Control": "no-store", "X-Frame-Options": "DENY"}

    def locale_of(value: str | None) -> str:
        return "en" if value == "en" else "fr"

    def api_error(exc: ApiError) -> tuple[Response, int]:
        return jsonify(error=exc.error), exc.status

    def authorized() -> bool:
        header = request.headers.get("Authorization", "")
        return hmac.compare_digest(header.encode(), f"Bearer {sandbox.secret_key}".encode())

    @app.before_request
    def _api_key() -> Any:
        if request.path.startswith("/v1/") and not (request.path == "/v1/payment_methods" and request.method == "POST"):
            if not authorized():
                return jsonify(error={"type": "invalid_request_error", "message": "Invalid API Key provided."}), 401
        return None

    def form_context(values: Mapping[str, str], locale: str) -> dict[str, Any]:
        m = MESSAGES[locale]
        return {"return_url": values.get("return_url", ""), "state": values.get("state", ""),
                "key": values.get("key", ""), "cards": list(TEST_CARDS.items()),
                "fields": [("number", m["number"], "cc-number", "numeric", ""),
                           ("expiry", m["expiry"], "cc-exp", "numeric", values.get("expiry", "")),
                           ("cvc", m["cvc"], "cc-csc", "numeric", ""),
                           ("name", m["name"], "cc-name", "text", values.get("name", ""))]}

    def link_ok(values: Mapping[str, str]) -> bool:
        return (urlsplit(values.get("return_url", "")).scheme in {"http", "https"} and bool(values.get("state"))
                and values.get("key", "").startswith("pk_"))

    @app.get("/card")
    def card_form() -> Any:
        locale = locale_of(request.args.get("locale"))
        if not link_ok(request.args):
            return page(locale, "<p class='alert' role='alert'>{{ m.bad_request }}</p>", 400)
        return page(locale, FORM, errors={}, **form_context(request.args, locale))

    @app.post("/v1/payment_methods")
    def create_payment_method() -> Any:
        values = request.form
        locale = locale_of(values.get("locale"))
        if not link_ok(values):
            return page(locale, "<p class='alert' role='alert'>{{ m.bad_request }}</p>", 400)
        card = check_card(values.get("number", ""), values.get("expiry", ""), values.get("cvc", ""),
                          values.get("name", ""), today())
        if card.errors:
            return page(locale, FORM, 422, errors=card.errors, **form_context(values, locale))
        method = sandbox.create_method(card, values.get("name", ""), locale)
        return redirect(with_query(values["return_url"], payment_method=method["id"], state=values["state"]), 303)

    @app.get("/v1/payment_methods/<method_id>")
    def get_payment_method(method_id: str) -> Any:
        try:
            return jsonify(sandbox.method(method_id))
        except ApiError as exc:
            return api_error(exc)

    @app.post("/v1/payment_intents")
    def create_payment_intent() -> Any:
        params = list(request.form.items(multi=True))
        status, body = sandbox.create_intent(params, request.headers.get("Idempotency-Key"), request.host_url)
        return jsonify(body), status

    @app.get("/v1/payment_intents/<intent_id>")
    def get_payment_intent(intent_id: str) -> Any:
        try:
            return jsonify(sandbox.intent(intent_id, "latest_charge" in request.args.getlist("expand[]")))
        except ApiError as exc:
            return api_error(exc)

    @app.route("/3ds/<intent_id>", methods=["GET", "POST"])
    def authentication(intent_id: str) -> Any:
        try:
            intent = sandbox.intent(intent_id, False)
        except ApiError:
            return page("fr", "<p class='alert' role='alert'>{{ m.not_found }}</p>", 404)
        locale = locale_of(request.values.get("locale") or sandbox.intents[intent_id]["locale"])
        if request.method == "POST" and request.form.get("action") in {"approve", "fail"}:
            return_url, status = sandbox.authenticate(intent_id, request.form["action"] == "approve")
            return redirect(with_query(return_url, payment_intent=intent_id, redirect_status=status), 303)
        return page(locale, AUTH, amount=money(intent["amount"], intent["currency"], locale))

    # test controls --------------------------------------------------------------------------
    @app.get("/_sandbox/health")
    def health() -> Any:
        return jsonify(status="ok")

    @app.route("/_sandbox/webhooks", methods=["GET", "POST"])
    def webhooks() -> Any:
        if request.method == "POST":
            try:
                sandbox.configure(request.get_json(force=True, silent=True) or {})
            except (TypeError, ValueError):
                return jsonify(error={"type": "invalid_request_error", "message": "bad settings"}), 400
        with sandbox.lock:
            return jsonify(settings=sandbox.settings.__dict__, deliveries=list(sandbox.deliveries),
                           pending=len(sandbox.held) + sum(t.kind == "deliver" for t in sandbox.tasks))

    @app.post("/_sandbox/webhooks/flush")
    def flush() -> Any:
        return jsonify(delivered=sandbox.flush())

    @app.post("/_sandbox/latency")
    def latency() -> Any:
        body = request.get_json(force=True, silent=True) or {}
        with sandbox.lock:
            sandbox.latency = (max(0.0, float(body.get("delay", 0))), int(body.get("times", 1)))
        return jsonify(delay=sandbox.latency[0], times=sandbox.latency[1])

    @app.get("/_sandbox/charges")
    def charges() -> Any:
        with sandbox.lock:
            return jsonify(count=len(sandbox.charges), data=copy.deepcopy(sandbox.charges),
                           intents=len(sandbox.intents))

    return app


# ---------------------------------------------------------------------------------------------
# Driving it: a client for tests, a process for the suites


class SandboxClient:
    """What a browser and a test do with the sandbox (never what our services do)."""

    def __init__(self, url: str, *, publishable_key: str = "pk_sandbox_ingemplois") -> None:
        self.url = url.rstrip("/")
        self.publishable_key = publishable_key
        self.http = httpx.Client(base_url=self.url, timeout=30.0)

    def submit_card(self, number: str, *, expiry: str = "12/34", cvc: str = "123", name: str = "Test Buyer",
                    return_url: str = "http://127.0.0.1/retour", state: str = "state", locale: str = "fr",
                    key: str | None = None) -> httpx.Response:
        """Post the card form as a browser would; a 303 to return_url on success, 422 otherwise."""
        return self.http.post("/v1/payment_methods", data={
            "number": number, "expiry": expiry, "cvc": cvc, "name": name, "return_url": return_url,
            "state": state, "locale": locale, "key": key or self.publishable_key})

    def payment_method(self, number: str, **kwargs: Any) -> str:
        """A `pm_…` for that card (the form's redirect carries it)."""
        response = self.submit_card(number, **kwargs)
        if response.status_code != 303:
            raise AssertionError(f"card form answered {response.status_code}")
        query = dict(parse_qsl(urlsplit(response.headers["location"]).query))
        return query["payment_method"]

    def authenticate(self, next_action_url: str, *, approve: bool = True) -> str:
        """Press approve or fail on the second-step page; return where it sends the browser."""
        response = self.http.post(next_action_url, data={"action": "approve" if approve else "fail"})
        if response.status_code != 303:
            raise AssertionError(f"3-D Secure page answered {response.status_code}")
        return response.headers["location"]

    def set_webhooks(self, *, delay: float = 0.0, duplicate: bool = False, reverse: bool = False,
                     processing_delay: float = 2.0) -> dict[str, Any]:
        return self.http.post("/_sandbox/webhooks", json={
            "delay": delay, "duplicate": duplicate, "reverse": reverse, "processing_delay": processing_delay}).json()

    def webhooks(self) -> dict[str, Any]:
        return self.http.get("/_sandbox/webhooks").json()

    def flush(self) -> list[dict[str, Any]]:
        return self.http.post("/_sandbox/webhooks/flush").json()["delivered"]

    def slow_down(self, delay: float, times: int = 1) -> None:
        """The next `times` charges answer after `delay` seconds (the charge itself is made at once)."""
        self.http.post("/_sandbox/latency", json={"delay": delay, "times": times})

    def charges(self) -> list[dict[str, Any]]:
        return self.http.get("/_sandbox/charges").json()["data"]

    def close(self) -> None:
        self.http.close()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


@dataclass
class SandboxProcess:
    """The sandbox as its own process (suites and tests); `url` once started."""

    webhook_url: str | None
    webhook_secret: str
    secret_key: str = "sk_sandbox_ingemplois"
    port: int = 0
    host: str = "127.0.0.1"
    #: Its address as browsers reach it (3-D Secure links), when not `url`.
    public_url: str | None = None
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    _log: Any = None

    @property
    def url(self) -> str:
        reachable = "127.0.0.1" if self.host in {"", "0.0.0.0", "::"} else self.host  # noqa: S104 - a bind address
        return f"http://{f'[{reachable}]' if ':' in reachable else reachable}:{self.port}"

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 30.0, env: Mapping[str, str] | None = None) -> SandboxProcess:
        self.port = self.port or free_port(self.host if self.host not in {"", "::"} else "127.0.0.1")
        argv = [sys.executable, "-m", "catalog_billing.devtools.payment_sandbox", "--host", self.host,
                "--port", str(self.port), "--webhook-secret", self.webhook_secret, "--secret-key", self.secret_key,
                "--exit-with-parent"]
        if self.public_url:
            argv += ["--public-url", self.public_url]
        if self.webhook_url:
            argv += ["--webhook-url", self.webhook_url]
        out: Any = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            out = self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                        env=dict(env) if env is not None else None)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"payment sandbox exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/_sandbox/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"payment sandbox did not answer on {self.url} in {timeout:.0f}s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import make_server

    parser = argparse.ArgumentParser(description="Sandbox card processor (Stripe-like) for development and tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--webhook-url", default=os.environ.get("PAYMENT_SANDBOX_WEBHOOK_URL"))
    parser.add_argument("--webhook-secret", default=os.environ.get("PAYMENT_SANDBOX_WEBHOOK_SECRET",
                                                                    "whsec_sandbox_ingemplois"))
    parser.add_argument("--secret-key", default="sk_sandbox_ingemplois")
    parser.add_argument("--public-url", default=None, help="its address as browsers reach it (3-D Secure links)")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started it is gone (even if it was killed)")
    args = parser.parse_args(argv)
    parent = os.getppid()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sandbox = Sandbox(secret_key=args.secret_key, webhook_url=args.webhook_url, webhook_secret=args.webhook_secret,
                      public_url=args.public_url)
    sandbox.start()
    server = make_server(args.host, args.port, create_app(sandbox), threaded=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=server.serve_forever, name="sandbox-http", daemon=True).start()
    print(f"payment sandbox on http://{args.host}:{args.port}, webhooks to {args.webhook_url or '(none)'}", flush=True)
    while not stop.wait(0.5):
        if args.exit_with_parent and os.getppid() != parent:
            break
    server.shutdown()
    sandbox.stop()


if __name__ == "__main__":
    main()
