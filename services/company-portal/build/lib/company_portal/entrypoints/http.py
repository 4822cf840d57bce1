"""API operations (contracts/company-portal.yaml): translate HTTP to commands and views, and back.

Handlers touch the database, so they are plain `def` (connexion runs them in its thread pool).
Errors become bilingual problem+json: a non-member gets 404 for every group resource, a member
whose role lacks the permission 403, broken rules 422 with the offending `field`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from connexion import request

from company_portal.domain import errors
from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from company_portal.service_layer.messagebus import Answer, IdempotencyKeyReused, Idempotent, MessageBus, fingerprint
from company_portal.service_layer.ports import Dependencies
from company_portal.service_layer.unit_of_work import UniqueViolation, UnitOfWork
from plumbing.auth.permissions import NotAMember, PermissionDenied
from plumbing.auth.tokens import Principal
from plumbing.web.problem import ApiProblem

F = TypeVar("F", bound=Callable[..., Any])
Response = tuple[Any, int] | tuple[Any, int, dict[str, str]]


def _bus() -> MessageBus:
    return request.scope["state"]["company_portal_bus"]


def _principal(token_info: dict[str, Any]) -> Principal:
    return token_info["principal"]


def _instant(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def not_found() -> ApiProblem:
    return ApiProblem(404, "not_found", "Cette ressource est introuvable.", "This resource cannot be found.")


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
            raise not_found() from None
        except PermissionDenied as exc:
            raise ApiProblem(403, "permission_denied", "Votre rôle dans ce groupe ne permet pas cette action.",
                             "Your role in this group does not allow this action.",
                             headers={"X-Required-Permission": str(exc.permission)}) from None
        except errors.InvalidInput as exc:
            raise ApiProblem(exc.status, exc.code, exc.message_fr, exc.message_en, field=exc.field,
                             field_errors=[(e.field, e.code, e.message_fr, e.message_en) for e in exc.errors]) from None
        except errors.PortalError as exc:
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


def _staff(token_info: dict[str, Any]) -> Principal:
    principal = _principal(token_info)
    if not principal.is_staff:
        raise ApiProblem(403, "staff_only", "Réservé au personnel de l'Ordre.", "Reserved for OIQ staff.")
    return principal


# Serializers ---------------------------------------------------------------------------------
def member_body(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) or "" for k in ("account_id", "email", "first_name", "last_name", "function")} | {
        "role": row["role"], "version": row["version"]}


def request_body(row: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": row["id"], "kind": row["kind"], "status": row["status"],
        "submitted_at": _instant(row["submitted_at"]),
        "requester": {"account_id": row["requester_account_id"], "email": row["requester_email"],
                      "first_name": row["requester_first_name"], "last_name": row["requester_last_name"],
                      "function": row["requester_function"], "phone": row["requester_phone"],
                      "extension": row["requester_extension"]},
        "company_name": row.get("company_name") or row["legal_name"],
        "group_id": row["group_id"], "group_name": row["group_name"],
        "decided_at": _instant(row["decided_at"]),
        "decision_reason": row["decision_reason"],
        "granted_role": row["granted_role"],
    }
    return body


def _request_row(request_obj: Any) -> dict[str, Any]:
    return {name: getattr(request_obj, name) for name in (
        "id", "kind", "status", "submitted_at", "requester_account_id", "requester_email", "requester_first_name",
        "requester_last_name", "requester_function", "requester_phone", "requester_extension", "legal_name",
        "group_id", "group_name", "decided_at", "decision_reason", "granted_role")}


def branding_body(group: dict[str, Any], deps: Dependencies) -> dict[str, Any]:
    return {
        "group_id": group["id"], "group_name": group["name"], "group_description": group["description"],
        "company_name": group["display_company_name"] or group["company_legal_name"],
        "address": group["address"], "website": group["website"], "phone": group["phone"],
        "description_html": group["description_html"],
        "logo_url": deps.logo_url(group["id"], group["logo_hash"], group["logo_format"]),
    }


def company_body(row: dict[str, Any]) -> dict[str, Any]:
    body = {k: row.get(k) or "" for k in ("id", "legal_name", "address", "city", "province", "postal_code",
                                          "country", "phone", "source")}
    body["neq"] = row.get("neq")
    if "groups" in row:
        body["groups"] = [
            {"id": g["id"], "name": g["name"], "user_count": g["user_count"],
             **({"members": [member_body(m) for m in g["members"]]} if "members" in g else {})}
            for g in row["groups"]]
        body["user_count"] = sum(g["user_count"] for g in row["groups"])
    return body


# Group resources ---------------------------------------------------------------------------
@problems
def get_permissions(group_id: str, token_info: dict[str, Any]) -> Response:
    return _bus().query(views.permissions, _principal(token_info).account_id, group_id), 200


@problems
def get_group(group_id: str, token_info: dict[str, Any]) -> Response:
    group = _bus().query(views.group, _principal(token_info).account_id, group_id)
    return {"id": group["id"], "company_id": group["company_id"], "name": group["name"],
            "company_name": group["company_legal_name"]}, 200


@problems
def list_members(group_id: str, token_info: dict[str, Any]) -> Response:
    rows = _bus().query(views.members, _principal(token_info).account_id, group_id)
    return {"items": [member_body(r) for r in rows]}, 200


@problems
def change_member_role(group_id: str, account_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    membership = _bus().handle(c.ChangeRole(_principal(token_info).account_id, group_id, account_id, body["role"]))
    return {"account_id": membership.account_id, "group_id": membership.group_id, "role": membership.role,
            "version": membership.version}, 200


@problems
def remove_member(group_id: str, account_id: str, token_info: dict[str, Any]) -> Response:
    _bus().handle(c.RemoveMember(_principal(token_info).account_id, group_id, account_id))
    return None, 204


@problems
def list_join_requests(group_id: str, token_info: dict[str, Any]) -> Response:
    rows = _bus().query(views.join_requests, _principal(token_info).account_id, group_id)
    return {"items": [request_body(r) for r in rows]}, 200


@problems
def approve_join_request(group_id: str, request_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    principal = _principal(token_info)
    decided = _bus().handle(c.ApproveJoinRequest(principal.account_id, principal.email, group_id, request_id,
                                                 body["role"]))
    return request_body(_request_row(decided)), 200


@problems
def refuse_join_request(group_id: str, request_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    principal = _principal(token_info)
    decided = _bus().handle(c.RefuseJoinRequest(principal.account_id, principal.email, group_id, request_id,
                                                body["reason"]))
    return request_body(_request_row(decided)), 200


@problems
def get_branding(group_id: str, token_info: dict[str, Any]) -> Response:
    bus = _bus()
    return branding_body(bus.query(views.group, _principal(token_info).account_id, group_id), bus.deps), 200


@problems
def put_branding(group_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    bus = _bus()
    actor = _principal(token_info).account_id
    bus.handle(c.UpdateBranding(actor, group_id, body))
    return branding_body(bus.query(views.group, actor, group_id), bus.deps), 200


@problems
def put_logo(group_id: str, token_info: dict[str, Any], file: Any = None, **_: Any) -> Response:
    bus = _bus()
    actor = _principal(token_info).account_id
    bus.query(views.permissions, actor, group_id)  # a non-member learns nothing about the upload rules
    content = file.file.read(3 * 1024 * 1024 + 1) if file is not None else b""
    bus.handle(c.UploadLogo(actor, group_id, content))
    return branding_body(bus.query(views.group, actor, group_id), bus.deps), 200


@problems
def my_groups(token_info: dict[str, Any]) -> Response:
    rows = _bus().query(views.my_groups, _principal(token_info).account_id)
    return {"items": [{"group_id": r["id"], "group_name": r["name"], "company_id": r["company_id"],
                       "company_name": r["company_name"], "role": r["role"]} for r in rows]}, 200


# OIQ staff ---------------------------------------------------------------------------------
def _idempotent(principal: Principal, answer: Callable[[Any, UnitOfWork], tuple[int, Any]],
                body: Any = None) -> Idempotent:
    key = request.headers.get("idempotency-key", "")
    return Idempotent(principal.account_id, key, fingerprint(request.method, request.url.path, body), answer)


def _answer(answer: Answer) -> Response:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else {}
    return answer.body, answer.status, headers


@problems
def staff_search_companies(q: str, token_info: dict[str, Any]) -> Response:
    _staff(token_info)
    return {"items": [company_body(r) for r in _bus().query(views.staff_companies, q)]}, 200


@problems
def staff_get_company(company_id: str, token_info: dict[str, Any]) -> Response:
    _staff(token_info)
    return company_body(_bus().query(views.staff_company, company_id)), 200


@problems
def staff_check_company(body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    """Company data as company-portal would save it (cleaned), or 422 with every field error; nothing saved."""
    _staff(token_info)
    return _bus().query(views.checked_company, body), 200


@problems
def staff_patch_company(company_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    principal = _staff(token_info)

    def answer(company: Any, uow: UnitOfWork) -> tuple[int, Any]:
        return 200, company_body(views.company_with_groups(uow, company.id))

    return _answer(_bus().handle_idempotent(c.CorrectCompany(principal.account_id, company_id, body),
                                            _idempotent(principal, answer, body)))


@problems
def staff_create_group(company_id: str, body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    principal = _staff(token_info)

    def answer(group: Any, uow: UnitOfWork) -> tuple[int, Any]:
        return 201, {"id": group.id, "company_id": group.company_id, "name": group.name, "user_count": 0}

    return _answer(_bus().handle_idempotent(c.CreateGroup(principal.account_id, company_id, body["name"]),
                                            _idempotent(principal, answer, body)))


@problems
def staff_request_matches(request_id: str, token_info: dict[str, Any]) -> Response:
    _staff(token_info)
    rows = _bus().query(views.staff_request_matches, request_id)
    return {"request_id": request_id,
            "items": [{"reasons": m["reasons"], "company": company_body(m["company"])} for m in rows]}, 200


@problems
def staff_search_users(q: str, token_info: dict[str, Any]) -> Response:
    _staff(token_info)
    rows = _bus().query(views.staff_users, q)
    return {"items": [{k: r.get(k) or "" for k in ("id", "email", "first_name", "last_name", "function", "phone")}
                      | {"groups": r["groups"]} for r in rows]}, 200


@problems
def staff_move_membership(body: dict[str, Any], token_info: dict[str, Any]) -> Response:
    principal = _staff(token_info)

    def answer(membership: Any, uow: UnitOfWork) -> tuple[int, Any]:
        return 200, {"account_id": membership.account_id, "group_id": membership.group_id,
                     "role": membership.role, "version": membership.version}

    command = c.MoveMember(principal.account_id, body["account_id"], body["from_group_id"], body["to_group_id"],
                           body["role"])
    return _answer(_bus().handle_idempotent(command, _idempotent(principal, answer, body)))
