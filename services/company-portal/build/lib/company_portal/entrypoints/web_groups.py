"""Group pages: join requests, users and roles, Mon entreprise (with the logo), Mon profil,
and the public logo files."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, redirect, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from company_portal.domain import errors
from company_portal.entrypoints.web import (
    blueprint,
    bus,
    employer_required,
    error_message,
    field_errors,
    form,
    me,
    render_page,
    requested_group,
    see_other,
)
from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from plumbing.auth.permissions import Permission, allows
from plumbing.web.richtext import html_to_plain_text, rich_text_from_form

ROLES = ("principal", "affichage", "finances")
HASH = re.compile(r"^[0-9a-f]{8,64}$")


def _group_or_wizard() -> dict[str, Any] | Response:
    group = requested_group(request.form.get("group_id") or request.args.get("groupe"))
    if group is None:
        return redirect("/entreprises/", 303)
    return group


def _can(group: dict[str, Any], permission: Permission) -> bool:
    return allows(group["role"], permission)


# Join requests -----------------------------------------------------------------------------
def _requests_page(group: dict[str, Any], *, errors_by_request: dict[str, dict[str, str]] | None = None,
                   values: dict[str, str] | None = None, status: int = 200,
                   flashes: list[tuple[str, str]] | None = None) -> tuple[str, int]:
    pending = bus().query(views.join_requests, me().account_id, group["id"])
    return render_page("portal/join_requests.html", group=group, pending=pending, roles=ROLES,
                       errors_by_request=errors_by_request or {}, values=values or {}, status=status,
                       flashes=flashes)


@blueprint.get("/demandes")
@employer_required
def join_requests() -> Any:
    group = _group_or_wizard()
    return group if isinstance(group, Response) else _requests_page(group)


@blueprint.post("/demandes/<request_id>/<decision>")
@employer_required
def decide_join_request(request_id: str, decision: str) -> Any:
    group = _group_or_wizard()
    if isinstance(group, Response):
        return group
    actor = me()
    try:
        if decision == "approbation":
            bus().handle(c.ApproveJoinRequest(actor.account_id, actor.email, group["id"], request_id,
                                              request.form.get("role", "")))
        elif decision == "refus":
            bus().handle(c.RefuseJoinRequest(actor.account_id, actor.email, group["id"], request_id,
                                             request.form.get("reason", "")))
        else:
            abort(404)
    except errors.PortalError as exc:
        return _requests_page(group, errors_by_request={request_id: field_errors(exc)}, values=form(),
                              status=exc.status)
    return see_other("/entreprises/demandes", "approuvee" if decision == "approbation" else "refusee")


# Users and roles ---------------------------------------------------------------------------
def _users_page(group: dict[str, Any], *, status: int = 200, flashes: list[tuple[str, str]] | None = None,
                errors_by_user: dict[str, str] | None = None) -> tuple[str, int]:
    members = bus().query(views.members, me().account_id, group["id"])
    return render_page("portal/users.html", group=group, members=members, roles=ROLES,
                       can_assign=_can(group, Permission.ASSIGN_ROLES), errors_by_user=errors_by_user or {},
                       status=status, flashes=flashes)


@blueprint.get("/utilisateurs")
@employer_required
def users() -> Any:
    group = _group_or_wizard()
    return group if isinstance(group, Response) else _users_page(group)


@blueprint.post("/utilisateurs/<account_id>/<action>")
@employer_required
def change_user(account_id: str, action: str) -> Any:
    group = _group_or_wizard()
    if isinstance(group, Response):
        return group
    actor = me().account_id
    try:
        if action == "role":
            bus().handle(c.ChangeRole(actor, group["id"], account_id, request.form.get("role", "")))
        elif action == "retrait":
            bus().handle(c.RemoveMember(actor, group["id"], account_id))
        else:
            abort(404)
    except errors.PortalError as exc:
        return _users_page(group, status=exc.status, errors_by_user={account_id: error_message(exc)})
    if account_id == actor:
        return see_other("/entreprises/mon-entreprise" if action == "retrait" else "/entreprises/utilisateurs",
                         "retrait" if action == "retrait" else "role")
    return see_other("/entreprises/utilisateurs", "retrait" if action == "retrait" else "role")


# Mon entreprise ----------------------------------------------------------------------------
def _company_page(group: dict[str, Any], *, values: dict[str, Any] | None = None,
                  errors_found: dict[str, str] | None = None, logo_error: str | None = None,
                  status: int = 200) -> tuple[str, int]:
    details = bus().query(views.group, me().account_id, group["id"])
    logo_url = bus().deps.logo_path(details["id"], details["logo_hash"], details["logo_format"])
    current = {
        "group_name": details["name"], "group_description": details["description"],
        "company_name": details["display_company_name"] or details["company_legal_name"],
        "address": details["address"], "website": details["website"], "phone": details["phone"],
        "description_html": details["description_html"],
    }
    shown = dict(values or current)
    # The editor gets sanitized HTML even when a refused form is shown again; the textarea its text.
    shown["description_html"] = bus().deps.sanitize_html(str(shown.get("description_html") or ""))
    shown["description_text"] = html_to_plain_text(shown["description_html"])
    return render_page("portal/my_company.html", group=group, details=details, values=shown,
                       errors=errors_found or {}, logo_error=logo_error, logo_url=logo_url,
                       can_edit=_can(group, Permission.EDIT_COMPANY_PROFILE), status=status)


@blueprint.route("/mon-entreprise", methods=["GET", "POST"])
@employer_required
def my_company() -> Any:
    group = _group_or_wizard()
    if isinstance(group, Response):
        return group
    if request.method == "GET":
        return _company_page(group)
    values = form()
    values["description_html"] = rich_text_from_form(request.form, "description_html")
    values.pop("description_html_format", None)
    try:
        bus().handle(c.UpdateBranding(me().account_id, group["id"], values))
    except errors.PortalError as exc:
        return _company_page(group, values=values, errors_found=field_errors(exc), status=exc.status)
    return see_other("/entreprises/mon-entreprise", "entreprise")


@blueprint.post("/mon-entreprise/logo")
@employer_required
def upload_logo() -> Any:
    group = requested_group(request.args.get("groupe"))
    if group is None:
        return redirect("/entreprises/", 303)
    try:
        upload = request.files.get("logo")
        content = upload.read() if upload is not None else b""
        group = requested_group(request.form.get("group_id")) or group
    except RequestEntityTooLarge:  # over what the server reads at all: the same message, next to the field
        return _company_page(group, logo_error=error_message(errors.logo_too_large()), status=413)
    try:
        bus().handle(c.UploadLogo(me().account_id, group["id"], content))
    except errors.PortalError as exc:
        return _company_page(group, logo_error=error_message(exc), status=exc.status)
    return see_other("/entreprises/mon-entreprise", "logo")


@blueprint.get("/logos/<group_id>")
def logo_current(group_id: str) -> Response:
    found = bus().query(views.logo, group_id)
    if found is None:
        abort(404)
    response = redirect(bus().deps.logo_path(group_id, found["content_hash"], found["image_format"]) or "/", 302)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blueprint.get("/logos/<group_id>/<content_hash>.<extension>")
def logo_file(group_id: str, content_hash: str, extension: str) -> Response:
    found = bus().query(views.logo, group_id)
    if found is None or not HASH.match(content_hash):
        abort(404)
    if found["content_hash"] != content_hash:
        return logo_current(group_id)
    response = Response(found["content"], mimetype=f"image/{found['image_format']}")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


# Mon profil --------------------------------------------------------------------------------
@blueprint.route("/mon-profil", methods=["GET", "POST"])
@employer_required
def my_profile() -> Any:
    principal = me()
    found = bus().query(views.profile, principal.account_id)
    account = found["account"]
    current = {name: account[name] for name in ("first_name", "last_name", "function", "phone", "extension")
               } if account else {}
    if request.method == "GET":
        return render_page("portal/my_profile.html", profile=found, values=current, errors={},
                           email=principal.email)
    values = form()
    try:
        bus().handle(c.UpdateProfile(principal.account_id, principal.email, values))
    except errors.PortalError as exc:
        return render_page("portal/my_profile.html", profile=found, values=values, errors=field_errors(exc),
                           email=principal.email, status=exc.status)
    return see_other("/entreprises/mon-profil", "profil")
