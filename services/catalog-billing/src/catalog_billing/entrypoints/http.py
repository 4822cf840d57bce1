"""API operations (contracts/catalog-billing.yaml): translate HTTP to commands and views, and back.

Handlers touch the database, so they are plain `def` (connexion runs them in its thread pool).
Errors become bilingual problem+json: a non-member gets 404 for every group resource, a member
whose role lacks the permission 403, broken rules 409/422 with `code` and `field`.
`POST /payment-webhooks/{processor}` is `entrypoints.webhooks.receive` ([payments]).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from connexion import request

# The webhook's operationId is absolute (`catalog_billing.entrypoints.webhooks.receive`); connexion
# resolves it relative to this module, so this module must reach it under that dotted name.
import catalog_billing.entrypoints.webhooks  # noqa: F401
from catalog_billing.domain import errors
from catalog_billing.domain.ledger import CreditEntry, Reservation
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import views
from catalog_billing.service_layer.access import Actor
from catalog_billing.service_layer.credits import ReservationResult
from catalog_billing.service_layer.ports import Dependencies, Quote
from plumbing.auth import api_keys
from plumbing.auth.permissions import NotAMember, PermissionDenied
from plumbing.auth.tokens import Principal
from plumbing.messagebus import IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from plumbing.ports import UniqueViolation
from plumbing.web.api import bearer_or_api_key
from plumbing.web.problem import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])
Response = tuple[Any, int] | tuple[Any, int, dict[str, str]]
#: Same key as bootstrap.BUS_KEY and webhooks.BUS_STATE_KEY.
BUS_KEY = "catalog_billing_bus"


def _bus() -> MessageBus[Dependencies]:
    return request.scope["state"][BUS_KEY]


def _actor(token_info: dict[str, Any]) -> Actor:
    principal: Principal = token_info["principal"]
    key = api_keys.caller_of(token_info)
    return Actor(principal.account_id, principal.is_staff, key.group_id if key else None)


def _resolve_key(bus: MessageBus[Dependencies]) -> Callable[[str], api_keys.ApiKeyCaller | None]:
    def resolve(token: str) -> api_keys.ApiKeyCaller | None:
        with bus.new_uow() as uow:
            return api_keys.resolve(token, uow.api_keys.find)

    return resolve


async def bearer_info(token: str, request: Any) -> dict[str, Any] | None:
    """`x-bearerInfoFunc`: identity's tokens everywhere; offers' API keys (`Bearer ingk_…`, from the
    projection of offers.api_key.*) on the credit reservations only, so an HR system that sends
    an offer can reserve its credit, as the key's creator in the key's group."""
    if api_keys.looks_like_key(token) and "/credit-reservations/" not in request.url.path:
        return None
    return await bearer_or_api_key(token, _resolve_key(request.scope["state"][BUS_KEY]), "catalog-billing")


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value).quantize(Decimal('0.01'))}"


def _as_json(result: Any) -> Any:
    """Name the content type: operations also declare problem+json, so connexion cannot infer it."""
    if isinstance(result, tuple) and result[0] is not None:
        headers = dict(result[2]) if len(result) > 2 else {}
        headers.setdefault("Content-Type", "application/json")
        return result[0], result[1], headers
    return result


def problems(function: F) -> F:
    """Map the service's errors to problem+json; answer JSON."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _as_json(function(*args, **kwargs))
        except NotAMember:
            raise ApiProblem(404, "not_found", "Cette ressource est introuvable.",
                             "This resource cannot be found.") from None
        except PermissionDenied as exc:
            raise ApiProblem(403, "permission_denied", "Votre rôle dans ce groupe ne permet pas cette action.",
                             "Your role in this group does not allow this action.",
                             headers={"X-Required-Permission": str(exc.permission)}) from None
        except errors.BillingError as exc:
            raise ApiProblem(exc.status, exc.code, exc.message_fr, exc.message_en, field=exc.field) from None
        except IdempotencyKeyReused:
            raise ApiProblem(422, "idempotency_key_reused",
                             "Cette clé d'idempotence a déjà servi pour une autre requête.",
                             "This idempotency key was already used for a different request.",
                             field="Idempotency-Key") from None
        except UniqueViolation:
            raise ApiProblem(409, "conflict", "Une autre requête vient de modifier ces données ; réessayez.",
                             "Another request just changed this data; try again.") from None

    return wrapper  # type: ignore[return-value]


def _run(command: Any, actor: Actor, answer: Callable[[Any], tuple[int, Any]], body: Any = None) -> Response:
    """Send the command; with an `Idempotency-Key`, through `handle_idempotent` (a retry gets the stored answer)."""
    bus = _bus()
    key = request.headers.get("idempotency-key")
    if not key:
        status, payload = answer(bus.handle(command))
        return payload, status
    call = Idempotent(actor.account_id, key, fingerprint(request.method, request.url.path, body),
                      lambda result, uow: answer(result))
    stored = bus.handle_idempotent(command, call)
    return stored.body, stored.status, ({"Idempotent-Replayed": "true"} if stored.replayed else {})


# Serializers ---------------------------------------------------------------------------------
def reservation_body(r: Reservation) -> dict[str, Any]:
    return {"offer_id": r.offer_id, "credit_type": r.credit_type, "group_id": r.group_id, "status": str(r.status),
            "reserved_at": _instant(r.reserved_at), "consumed_at": _instant(r.consumed_at),
            "released_at": _instant(r.released_at)}


def entry_body(e: CreditEntry) -> dict[str, Any]:
    return {"id": e.id, "credit_type": e.credit_type, "delta": e.delta, "reason": str(e.reason),
            "offer_id": e.offer_id, "invoice_id": e.invoice_id, "counterpart_group_id": e.counterpart_group_id,
            "actor_account_id": e.actor_account_id, "created_at": _instant(e.created_at)}


def quote_body(q: Quote) -> dict[str, Any]:
    return {"id": q.id, "group_id": q.group_id, "offer_id": q.offer_id, "product_code": q.product_code,
            "persons": q.persons, "amount": f"{Decimal(q.amount_cents) / 100:.2f}", "currency": "CAD",
            "created_at": _instant(q.created_at)}


def _localized(product: Any, attribute: str) -> dict[str, str]:
    text = getattr(product, attribute)
    return {locale: str(text(locale) if callable(text) else text) for locale in ("fr", "en")}


def product_body(p: Any) -> dict[str, Any]:
    return {"code": p.code, "kind": p.kind, "credit_type": p.credit_type, "credits": int(p.credits or 0),
            "unit_price": _money(p.unit_price), "quoted": bool(p.quoted),
            "per_person_price": _money(p.per_person_price),
            "currency": "CAD", "name": _localized(p, "name"), "summary": _localized(p, "summary")}


def invoice_body(row: dict[str, Any]) -> dict[str, Any]:
    due = row.get("due_on")
    return {"id": row["id"], "number": row["number"], "issued_at": _instant(row["issued_at"]),
            "status": row["status"], "due_on": due.isoformat() if due else None, "currency": "CAD",
            **{k: _money(row[k]) for k in ("subtotal", "discount", "gst", "qst", "total")}}


def all_products(catalog: Any) -> list[Any]:
    """Every product of the catalog, in the order its sections show them."""
    products = getattr(catalog, "products", None)
    if products is not None:
        return list(products.values()) if isinstance(products, dict) else list(products)
    found: list[Any] = []
    for section in catalog.sections():
        items = section[1] if isinstance(section, tuple) else getattr(section, "products", section)
        found.extend(items)
    return found


# Catalog ---------------------------------------------------------------------------------------
@problems
def list_products(token_info: dict[str, Any]) -> Response:
    return {"items": [product_body(p) for p in all_products(_bus().deps.catalog)]}, 200


@problems
def create_quote(body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    actor = _actor(token_info)
    command = c.CreateQuote(body["group_id"], body["offer_id"], body["product_code"], body["persons"], actor)
    return _run(command, actor, lambda quote: (201, quote_body(quote)), body)


@problems
def get_quote(quote_id: str, token_info: dict[str, Any]) -> Response:
    return quote_body(_bus().query(views.quote, _actor(token_info), quote_id)), 200


# Credits ---------------------------------------------------------------------------------------
@problems
def get_balances(group_id: str, token_info: dict[str, Any]) -> Response:
    found = _bus().query(views.credit_balances, _actor(token_info), group_id)
    return {"group_id": group_id, "items": [{"credit_type": t, "balance": n} for t, n in found.items()]}, 200


@problems
def list_entries(group_id: str, token_info: dict[str, Any], limit: int = 100, offset: int = 0) -> Response:
    rows = _bus().query(views.credit_entries, _actor(token_info), group_id, limit, offset)
    return {"items": [entry_body(e) for e in rows]}, 200


@problems
def list_invoices(group_id: str, token_info: dict[str, Any]) -> Response:
    rows = _bus().query(views.group_invoices, _actor(token_info), group_id)
    return {"items": [invoice_body(r) for r in rows]}, 200


@problems
def get_reservation(offer_id: str, credit_type: str, token_info: dict[str, Any]) -> Response:
    return reservation_body(_bus().query(views.reservation, _actor(token_info), offer_id, credit_type)), 200


def _reservation_answer(created_status: int) -> Callable[[ReservationResult], tuple[int, Any]]:
    def answer(result: ReservationResult) -> tuple[int, Any]:
        return (created_status if result.changed else 200), reservation_body(result.reservation)

    return answer


@problems
def reserve_credit(offer_id: str, credit_type: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    actor = _actor(token_info)
    return _run(c.ReserveCredit(offer_id, credit_type, body["group_id"], actor), actor, _reservation_answer(201), body)


@problems
def consume_credit(offer_id: str, credit_type: str, token_info: dict[str, Any]) -> Response:
    actor = _actor(token_info)
    return _run(c.ConsumeCredit(offer_id, credit_type, actor), actor, _reservation_answer(200))


@problems
def release_credit(offer_id: str, credit_type: str, token_info: dict[str, Any]) -> Response:
    actor = _actor(token_info)
    return _run(c.ReleaseCredit(offer_id, credit_type, actor), actor, _reservation_answer(200))
