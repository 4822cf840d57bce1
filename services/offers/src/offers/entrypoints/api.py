"""The offers API (contracts/offers.yaml): translate HTTP to commands and views, and back.

Callers: employers and their HR systems (an identity token or an API key `Bearer ingk_…`, which
acts as its creator in its group only, with the creator's current role), OIQ staff (moderation,
`Idempotency-Key` on state changes), and anyone for published offers and reference data.

Handlers touch the database, so they are plain `def` (connexion runs them in its thread pool).
Errors become bilingual problem+json: a non-member (or a key of another group) gets 404, a member
whose role lacks the permission 403, an action the offer's rules refuse 409/422 with `code` and,
for missing fields, `errors`; nothing changes then.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, TypeVar

from connexion import request

from offers.domain.api_keys import ApiKey, ApiKeyRefused
from offers.domain.offer import (
    Actor,
    OfferActionRefused,
    OfferConfig,
    OfferContent,
    OfferNotFound,
    status_label,
)
from offers.domain.reference import load_reference
from offers.domain.search import FACETS, PAGE_MAX, SearchProblem, SearchQuery
from offers.service_layer import api_keys as keys
from offers.service_layer import commands as c
from offers.service_layer import views
from plumbing.auth import api_keys
from plumbing.auth.permissions import NotAMember, PermissionDenied
from plumbing.auth.tokens import Principal
from plumbing.messagebus import IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from plumbing.ports import UniqueViolation
from plumbing.web.api import bearer_or_api_key
from plumbing.web.problem import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])
Response = tuple[Any, int] | tuple[Any, int, dict[str, str]]
#: Same key as bootstrap.BUS_KEY: the bus in each request's scope state.
BUS_KEY = "offers_bus"
API = "/api/offers/v1"


def _bus() -> MessageBus[Any]:
    return request.scope["state"][BUS_KEY]


def _now() -> datetime:
    return _bus().deps.clock.now()


# Authentication ------------------------------------------------------------------------------
def _resolve_key(bus: MessageBus[Any]) -> Callable[[str], api_keys.ApiKeyCaller | None]:
    def resolve(token: str) -> api_keys.ApiKeyCaller | None:
        with bus.new_uow() as uow:
            caller = keys.resolve_api_key(uow, token, bus.deps.clock.now())
            uow.commit()
            return caller

    return resolve


async def bearer_info(token: str, request: Any) -> dict[str, Any] | None:
    """`x-bearerInfoFunc`: identity's tokens, or an API key from offers' own table (rate-limited)."""
    return await bearer_or_api_key(token, _resolve_key(request.scope["state"][BUS_KEY]), "offers")


def _token() -> str:
    value = request.headers.get("authorization") or ""
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def _caller(token_info: dict[str, Any]) -> Any:
    principal: Principal = token_info["principal"]
    key = api_keys.caller_of(token_info)
    kind = "api_key" if key else ("staff" if principal.is_staff else "employer")
    return c.Caller(principal.account_id, kind, _token())


def _in_key_group(token_info: dict[str, Any], group_id: str) -> None:
    """A key reaches its own group only: any other answers as if it did not exist."""
    key = api_keys.caller_of(token_info)
    if key is not None and key.group_id != group_id:
        raise NotAMember(group_id)


def _offer_in_key_group(token_info: dict[str, Any], offer_id: str) -> None:
    key = api_keys.caller_of(token_info)
    if key is None:
        return
    offer = _bus().query(lambda uow: uow.offers.get(offer_id))
    if offer is None or offer.group_id != key.group_id:
        raise NotAMember(offer_id)


def _staff_only(token_info: dict[str, Any]) -> None:
    if not token_info["principal"].is_staff:
        raise ApiProblem(403, "staff_only", "Réservé au personnel de l'Ordre.", "OIQ staff only.")


# Errors --------------------------------------------------------------------------------------
def _as_json(result: Any) -> Any:
    """Name the content type: operations also declare problem+json, so connexion cannot infer it."""
    if isinstance(result, tuple) and result[0] is not None:
        headers = dict(result[2]) if len(result) > 2 else {}
        headers.setdefault("Content-Type", "application/json")
        return result[0], result[1], headers
    return result


def _offer_refusal(exc: Any) -> ApiProblem:
    fr, en = exc.field_messages("fr"), exc.field_messages("en")
    field_errors = [(name, exc.code, fr[name], en.get(name, fr[name])) for name in fr]
    return ApiProblem(
        exc.status,
        exc.code,
        exc.message("fr"),
        exc.message("en"),
        field=field_errors[0][0] if field_errors else None,
        field_errors=field_errors,
    )


def problems(function: F) -> F:
    """Map the service's errors to problem+json; answer JSON."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return _as_json(function(*args, **kwargs))
        except (NotAMember, OfferNotFound):
            raise ApiProblem(
                404, "not_found", "Cette ressource est introuvable.", "This resource cannot be found."
            ) from None
        except PermissionDenied as exc:
            raise ApiProblem(
                403,
                "permission_denied",
                "Votre rôle dans ce groupe ne permet pas cette action.",
                "Your role in this group does not allow this action.",
                headers={"X-Required-Permission": str(exc.permission)},
            ) from None
        except OfferActionRefused as exc:
            raise _offer_refusal(exc) from None
        except ApiKeyRefused as exc:
            raise ApiProblem(exc.status, exc.code, exc.message_fr, exc.message_en, field=exc.field) from None
        except IdempotencyKeyReused:
            raise ApiProblem(
                422,
                "idempotency_key_reused",
                "Cette clé d'idempotence a déjà servi pour une autre requête.",
                "This idempotency key was already used for a different request.",
                field="Idempotency-Key",
            ) from None
        except UniqueViolation:
            raise ApiProblem(
                409,
                "conflict",
                "Une autre requête vient de modifier ces données ; réessayez.",
                "Another request just changed this data; try again.",
            ) from None

    return wrapper  # type: ignore[return-value]


def _invalid(field: str, fr: str, en: str) -> ApiProblem:
    return ApiProblem(422, "invalid", fr, en, field=field, field_errors=[(field, "invalid", fr, en)])


# Serializers ---------------------------------------------------------------------------------
def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _content(content: Any) -> dict[str, Any]:
    data = content.to_dict()
    workplace = data.get("workplace") or {}
    data["workplace"] = {
        "kind": str(workplace.get("kind") or "address"),
        "street": workplace.get("street") or "",
        "city": workplace.get("city") or "",
        "postal_code": workplace.get("postal_code") or "",
        "places": list(workplace.get("places") or []),
    }
    return data


def _localized(value: Any, fr_key: str, en_key: str, raw: dict[str, Any]) -> dict[str, str]:
    if isinstance(value, dict):
        return {"fr": str(value.get("fr", ""))[:2000], "en": str(value.get("en", value.get("fr", "")))[:2000]}
    fr = str(raw.get(fr_key) or value or "")
    return {"fr": fr[:2000], "en": str(raw.get(en_key) or fr)[:2000]}


def hint_body(hint: Any) -> dict[str, Any]:
    raw = hint if isinstance(hint, dict) else getattr(hint, "__dict__", {})
    return {
        "code": str(raw.get("code", ""))[:60],
        "severity": str(raw.get("severity") or "warning")[:20],
        "message": _localized(raw.get("message"), "message_fr", "message_en", raw),
        "field": (str(raw["field"])[:60] if raw.get("field") else None),
    }


def history_body(event: Any) -> dict[str, Any]:
    return {
        "at": _instant(event.at),
        "actor_id": event.actor_id,
        "actor_kind": str(event.actor_kind),
        "action": str(event.action),
        "from_status": str(event.from_status) if event.from_status else None,
        "to_status": str(event.to_status),
        "reason": event.reason,
    }


def offer_body(item: Any) -> dict[str, Any]:
    """An offer as a viewer sees it (views.OfferItem: the offer, online now, allowed actions)."""
    offer = item.offer
    return {
        "id": offer.id,
        "group_id": offer.group_id,
        "profile": offer.profile,
        "status": str(offer.status),
        "status_label": {"fr": status_label(offer.status, "fr"), "en": status_label(offer.status, "en")},
        "version": offer.version,
        "created_by": offer.created_by,
        "created_at": _instant(offer.created_at),
        "updated_at": _instant(offer.updated_at),
        "content": _content(offer.content),
        "config": offer.config.to_dict(),
        "hints": [hint_body(h) for h in offer.hints][:50],
        "online": bool(item.online),
        "actions": [str(a) for a in item.actions],
        "published_at": _instant(offer.published_at),
        "publication_ends_at": _instant(offer.publication_ends_at),
        "featured_until": _instant(offer.featured_until),
        "credit_types_reserved": [str(t) for t in offer.credit_types_reserved],
    }


def published_body(offer: Any, branding: Any) -> dict[str, Any]:
    config = offer.config
    return {
        "id": offer.id,
        "profile": offer.profile,
        "content": _content(offer.live_content or offer.content),
        "company_name": branding.company_name if branding else "",
        "logo_url": branding.logo_url if branding else None,
        "published_at": _instant(offer.published_at),
        "publication_ends_at": _instant(offer.publication_ends_at),
        "featured": bool(offer.featured_until and offer.featured_until > _now()),
        "apply_method": config.apply_method if config.apply_method in ("url", "email") else "email",
        "apply_url": config.apply_to if config.apply_method == "url" else None,
    }


def key_body(key: ApiKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "group_id": key.group_id,
        "name": key.name,
        "prefix": key.display_prefix,
        "creator_id": key.creator_id,
        "creator_email": key.creator_email,
        "created_at": _instant(key.created_at),
        "last_used_at": _instant(key.last_used_at),
        "revoked_at": _instant(key.revoked_at),
        "active": key.active,
    }


# Employer and HR systems -----------------------------------------------------------------------
def _details(caller: Any, offer_id: str) -> Any:
    return _bus().query(views.get_offer, caller, offer_id, now=_now())


def _content_from(current: dict[str, Any], given: dict[str, Any] | None) -> Any:
    merged = {**current, **(given or {})}
    try:
        return OfferContent.from_dict(merged)
    except ValueError:
        raise _invalid("application_deadline", "Cette date est invalide.", "This date is invalid.") from None


def _config_from(current: dict[str, Any], given: dict[str, Any] | None) -> Any:
    try:
        return OfferConfig.from_dict({**current, **(given or {})})
    except ValueError:
        raise _invalid("posting", "Cette date est invalide.", "This date is invalid.") from None


@problems
def list_offers(
    group_id: str, token_info: dict[str, Any], status: str | None = None, limit: int = 100, offset: int = 0
) -> Response:
    _in_key_group(token_info, group_id)
    items = _bus().query(
        views.list_offers, _caller(token_info), group_id, status, now=_now(), limit=limit, offset=offset
    )
    return {"items": [offer_body(i) for i in items]}, 200


@problems
def create_offer(group_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    _in_key_group(token_info, group_id)
    caller = _caller(token_info)
    content = _content_from(OfferContent().to_dict(), body.get("content"))
    config = _config_from(OfferConfig().to_dict(), body.get("config"))
    offer = _bus().handle(c.CreateDraft(group_id, body["profile"], caller, content, config))
    return offer_body(_details(caller, offer.id)), 201, {"Location": f"{API}/offers/{offer.id}"}


@problems
def get_offer(offer_id: str, token_info: dict[str, Any]) -> Response:
    _offer_in_key_group(token_info, offer_id)
    return offer_body(_details(_caller(token_info), offer_id)), 200


@problems
def update_offer(offer_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    _offer_in_key_group(token_info, offer_id)
    caller = _caller(token_info)
    offer = _details(caller, offer_id).offer
    content = _content_from(offer.content.to_dict(), body.get("content"))
    version = body.get("version")
    if str(offer.status) == "published":
        if "config" in body:
            raise _invalid(
                "config",
                "La configuration d'une offre en cours ne change plus.",
                "The configuration of a live offer no longer changes.",
            )
        command: Any = c.ModifyOffer(offer_id, caller, content, version)
    else:
        config = _config_from(offer.config.to_dict(), body.get("config"))
        command = c.SaveDraft(offer_id, caller, content, config, version)
    _bus().handle(command)
    return offer_body(_details(caller, offer_id)), 200


def _version(body: dict[str, Any] | None) -> int | None:
    return (body or {}).get("version")


@problems
def submit_offer(offer_id: str, token_info: dict[str, Any], body: dict[str, Any] | None = None) -> Response:
    _offer_in_key_group(token_info, offer_id)
    caller = _caller(token_info)
    _bus().handle(c.SubmitOffer(offer_id, caller, _version(body)))
    return offer_body(_details(caller, offer_id)), 200


@problems
def cancel_offer(offer_id: str, token_info: dict[str, Any], body: dict[str, Any] | None = None) -> Response:
    _offer_in_key_group(token_info, offer_id)
    caller = _caller(token_info)
    _bus().handle(c.CancelOffer(offer_id, caller, _version(body)))
    return offer_body(_details(caller, offer_id)), 200


@problems
def get_hints(offer_id: str, token_info: dict[str, Any]) -> Response:
    _offer_in_key_group(token_info, offer_id)
    offer = _details(_caller(token_info), offer_id).offer
    return {"items": [hint_body(h) for h in offer.hints][:50]}, 200


@problems
def get_history(offer_id: str, token_info: dict[str, Any]) -> Response:
    _offer_in_key_group(token_info, offer_id)
    details = _details(_caller(token_info), offer_id)
    return {"items": [history_body(e) for e in details.history][-1000:]}, 200


# API keys ------------------------------------------------------------------------------------
@problems
def list_api_keys(group_id: str, token_info: dict[str, Any]) -> Response:
    _in_key_group(token_info, group_id)
    principal: Principal = token_info["principal"]
    found = _bus().query(
        keys.group_api_keys, principal.account_id, group_id, api_keys.caller_of(token_info) is not None
    )
    return {"items": [key_body(k) for k in found]}, 200


@problems
def create_api_key(group_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    _in_key_group(token_info, group_id)
    principal: Principal = token_info["principal"]
    issued = _bus().handle(
        keys.IssueApiKey(
            group_id, body["name"], principal.account_id, principal.email, api_keys.caller_of(token_info) is not None
        )
    )
    return {**key_body(issued.key), "key": issued.token}, 201


@problems
def revoke_api_key(group_id: str, key_id: str, token_info: dict[str, Any]) -> Response:
    _in_key_group(token_info, group_id)
    principal: Principal = token_info["principal"]
    _bus().handle(keys.RevokeApiKey(group_id, key_id, principal.account_id, api_keys.caller_of(token_info) is not None))
    return None, 204


# Staff -----------------------------------------------------------------------------------------
def _run_staff(command: Any, caller: Any, offer_id: str, body: Any) -> Response:
    """Send the staff command; with an `Idempotency-Key`, a retry gets the stored answer."""
    bus = _bus()
    key = request.headers.get("idempotency-key")

    def answer(offer: Any, uow: Any = None) -> tuple[int, Any]:
        now = bus.deps.clock.now()
        item = SimpleNamespace(
            offer=offer,
            online=offer.is_online(now),
            actions=tuple(offer.allowed_actions(Actor.staff(caller.account_id))),
        )
        return 200, offer_body(item)

    if not key:
        status, payload = answer(bus.handle(command))
        return payload, status
    call = Idempotent(caller.account_id, key, fingerprint(request.method, request.url.path, body), answer)
    stored = bus.handle_idempotent(command, call)
    return stored.body, stored.status, ({"Idempotent-Replayed": "true"} if stored.replayed else {})


@problems
def staff_get_offer(offer_id: str, token_info: dict[str, Any]) -> Response:
    _staff_only(token_info)
    caller = _caller(token_info)
    details = _details(caller, offer_id)
    offer = details.offer

    def names(uow: Any) -> tuple[str, str]:
        # Read inside the unit of work: the branding row is detached once it closes.
        branding = uow.brandings.get(offer.group_id)
        return (branding.group_name, branding.company_name) if branding else ("", "")

    group_name, company_name = _bus().query(names)
    return {
        "offer": offer_body(details),
        "live_content": _content(offer.live_content) if offer.live_content is not None else None,
        "history": [history_body(e) for e in details.history][-1000:],
        "group": {"id": offer.group_id, "name": group_name, "company_name": company_name},
    }, 200


@problems
def staff_approve(offer_id: str, token_info: dict[str, Any], body: dict[str, Any] | None = None) -> Response:
    _staff_only(token_info)
    caller = _caller(token_info)
    changes = None
    if body and body.get("changes") is not None:
        changes = _content_from(_details(caller, offer_id).offer.content.to_dict(), body["changes"])
    command = c.ApproveOffer(offer_id, caller, changes, _version(body))
    return _run_staff(command, caller, offer_id, body)


@problems
def staff_return(offer_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    _staff_only(token_info)
    caller = _caller(token_info)
    command = c.ReturnOffer(offer_id, caller, body["comment"], _version(body))
    return _run_staff(command, caller, offer_id, body)


@problems
def staff_withdraw(offer_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    _staff_only(token_info)
    caller = _caller(token_info)
    command = c.WithdrawOffer(offer_id, caller, body["reason"], _version(body))
    return _run_staff(command, caller, offer_id, body)


@problems
def staff_move_deadline(offer_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    _staff_only(token_info)
    caller = _caller(token_info)
    try:
        day = datetime.strptime(str(body["date"]), "%Y-%m-%d").date()
    except ValueError:
        raise _invalid("date", "Cette date est invalide.", "This date is invalid.") from None
    command = c.MoveApplicationDeadline(offer_id, caller, day, _version(body))
    return _run_staff(command, caller, offer_id, body)


# Public --------------------------------------------------------------------------------------
def _search_query(limit: int, offset: int) -> SearchQuery:
    """The search of the query string, strictly: what a page would drop or clamp is a 400 here."""
    args = request.query_params
    found = SearchQuery.problems(args)
    page_given = bool(args.getlist("page"))
    if offset % limit or (not page_given and offset // limit + 1 > PAGE_MAX):
        found.append(
            SearchProblem(
                "offset",
                f"Un multiple de `limit`, pour une page de 1 à {PAGE_MAX}.",
                f"A multiple of `limit`, for a page from 1 to {PAGE_MAX}.",
            )
        )
    if found:
        raise ApiProblem(
            400,
            "invalid_search",
            "Des paramètres de la recherche sont invalides : voyez `errors`.",
            "Some search parameters are invalid: see `errors`.",
            field=found[0].field,
            field_errors=[(p.field, "invalid", p.fr, p.en) for p in found],
        )
    query = dataclasses.replace(SearchQuery.from_args(args), per_page=limit)
    return query if page_given else dataclasses.replace(query, page=offset // limit + 1)


@problems
def list_published(limit: int = 100, offset: int = 0, **_search: Any) -> Response:
    """The job site's search (`q`, the filters and `page` are read from the query string)."""
    query = _search_query(limit, offset)
    now = _now()

    def view(uow: Any) -> dict[str, Any]:
        result = views.search_offers(uow, query, now=now)
        items = []
        for hit in result.hits:
            offer = uow.offers.get(hit.offer_id)
            if offer is not None:
                items.append(published_body(offer, uow.brandings.get(offer.group_id)))
        return {
            "items": items,
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "facets": {facet: result.facets.get(facet, {}) for facet in FACETS},
        }

    return _bus().query(view), 200


@problems
def get_published(offer_id: str) -> Response:
    def view(uow: Any) -> dict[str, Any]:
        offer = views.published_offer(uow, offer_id, now=_now())
        return published_body(offer, uow.brandings.get(offer.group_id))

    return _bus().query(view), 200


@problems
def get_reference() -> Response:
    return {"lists": load_reference().as_dict()}, 200
