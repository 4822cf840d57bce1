"""One handler per command, and the table that maps commands to them.

A handler receives its command, an open unit of work and the dependencies; it applies the
domain rules and returns what the caller shows. It never commits: the message bus (or the
event consumer) commits, which also writes the integration events of the recorded domain events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from company_portal.domain import errors
from company_portal.domain.model import (
    FIRST_GROUP_NAME,
    AboutYou,
    Account,
    AccountRequest,
    Branding,
    Company,
    CompanyInfo,
    CompanySource,
    Decider,
    DeciderKind,
    Group,
    Membership,
    RequestDraft,
    RequestKind,
    check_principal_kept,
    next_group_name,
    parse_role,
)
from company_portal.domain.names import search_key
from company_portal.service_layer import commands as c
from company_portal.service_layer import snapshot
from company_portal.service_layer.ports import Dependencies
from company_portal.service_layer.unit_of_work import UnitOfWork
from plumbing.auth.permissions import Permission, Role, require

log = logging.getLogger(__name__)

NEW_GROUP = "new"
CommandHandler = Callable[[Any, UnitOfWork, Dependencies], Any]


# Helpers ------------------------------------------------------------------------------------
def authorize(uow: UnitOfWork, actor_id: str, group_id: str, permission: Permission) -> Role:
    """The caller's role if it carries the permission (NotAMember → 404, PermissionDenied → 403)."""
    return require(uow.memberships, actor_id, group_id, permission)


def _draft(uow: UnitOfWork, account_id: str) -> RequestDraft:
    draft = uow.drafts.get(account_id)
    if draft is None:
        draft = RequestDraft(account_id=account_id, data={})
        uow.drafts.add(draft)
    return draft


def _save_draft(draft: RequestDraft, deps: Dependencies, **changes: Any) -> None:
    draft.data = {**draft.data, **changes}  # a new dict: the JSON column sees the change
    draft.updated_at = deps.clock.now()


def _company(uow: UnitOfWork, company_id: str | None) -> Company:
    company = uow.companies.get(company_id) if company_id else None
    if company is None:
        raise errors.company_not_found()
    return company


def _locked_group(uow: UnitOfWork, group_id: str) -> Group:
    group = uow.groups.get(group_id, for_update=True)
    if group is None:
        raise errors.group_not_found()
    return group


def _account(uow: UnitOfWork, account_id: str, email: str, deps: Dependencies) -> Account:
    account = uow.accounts.get(account_id)
    if account is None:
        account = Account(account_id, email, deps.clock.now())
        uow.accounts.add(account)
    elif email and account.email != email:
        account.email = email
    return account


def _grant(uow: UnitOfWork, account_id: str, group_id: str, role: Role, deps: Dependencies) -> Membership:
    membership = uow.memberships.get(account_id, group_id)
    if membership is None:
        membership = Membership.grant_new(account_id, group_id, role, deps.clock.now())
        uow.memberships.add(membership)
    else:
        membership.grant(role, deps.clock.now())
    return membership


def _group_choice_error(code: str, fr: str, en: str) -> errors.InvalidInput:
    return errors.InvalidInput([errors.field_error("group", code, fr, en)])


def _known_company(uow: UnitOfWork, row: dict[str, Any]) -> dict[str, Any]:
    """A company row with its groups and whether anyone is tied to it (what the wizard offers)."""
    groups = uow.queries.groups_of_company(row["id"])
    return {**row, "groups": groups, "has_users": any(g["user_count"] for g in groups)}


def _check_not_existing(uow: UnitOfWork, info: CompanyInfo, confirmed_other: bool) -> None:
    """A creation request must not name a company the portal knows (PRODUCT.md §2.3-2.4).

    Same NEQ: it is that company, whatever the requester says. Same normalized name: it may be, so
    the requester picks it or confirms theirs is another one (names repeat: workplaces typed by
    engineers); a known company with a different NEQ than the one typed is another company.
    """
    if info.neq:
        known = uow.companies.get_by_neq(info.neq)
        if known is not None:
            row = uow.queries.company(known.id)
            raise errors.CompanyExists([_known_company(uow, row)], by_neq=True)
    if confirmed_other:
        return
    named = [row for row in uow.queries.companies_named(search_key(info.legal_name))
             if not (info.neq and row["neq"] and row["neq"] != info.neq)]
    if named:
        raise errors.CompanyExists([_known_company(uow, row) for row in named], by_neq=False)


def _check_free_to_ask(uow: UnitOfWork, account_id: str, company_id: str | None) -> None:
    """One open request per account, and an account in at most one company."""
    if uow.requests.pending_of(account_id):
        raise errors.request_pending()
    _check_one_company(uow, account_id, company_id, errors.already_in_company)


def _check_one_company(uow: UnitOfWork, account_id: str, company_id: str | None,
                       error: Callable[[str], errors.PortalError]) -> None:
    """Refuse when the account belongs to a company other than `company_id` (None: any company)."""
    elsewhere = sorted(uow.memberships.companies_of(account_id) - {company_id})
    if elsewhere:
        other = uow.companies.get(elsewhere[0])
        raise error(other.legal_name if other else "")


def _locked_requester(uow: UnitOfWork, request: AccountRequest) -> None:
    """Lock the requester's account row: grants to one account (and its requests) queue on it."""
    uow.accounts.get(request.requester_account_id, for_update=True)


# The wizard ---------------------------------------------------------------------------------
def choose_company(cmd: c.ChooseCompany, uow: UnitOfWork, deps: Dependencies) -> Company:
    company = _company(uow, cmd.company_id)
    _check_free_to_ask(uow, cmd.account_id, company.id)
    draft = _draft(uow, cmd.account_id)
    info = {"legal_name": company.legal_name, "phone": company.phone, "country": company.country,
            "address": company.address, "city": company.city, "province": company.province,
            "postal_code": company.postal_code, "neq": company.neq}
    _save_draft(draft, deps, mode="existing", company_id=company.id, company=info, company_done=False,
                group=None, about_done=False)
    return company


def start_company_creation(cmd: c.StartCompanyCreation, uow: UnitOfWork, deps: Dependencies) -> None:
    _check_free_to_ask(uow, cmd.account_id, None)
    draft = _draft(uow, cmd.account_id)
    previous = draft.data.get("company") if draft.data.get("mode") == "creation" else None
    _save_draft(draft, deps, mode="creation", company_id=None, company=previous or {"country": "Canada"},
                company_done=False, group=NEW_GROUP, about_done=False)


def save_company_info(cmd: c.SaveCompanyInfo, uow: UnitOfWork, deps: Dependencies) -> CompanyInfo:
    draft = _draft(uow, cmd.account_id)
    mode = draft.data.get("mode")
    if mode not in {"existing", "creation"}:
        raise errors.Conflict("no_company_chosen", "Choisissez d'abord votre entreprise.",
                              "Choose your company first.")
    info = CompanyInfo.parse(cmd.fields, with_neq=mode == "creation")
    confirmed_other = False
    if mode == "existing":
        info = CompanyInfo(**{**info.as_dict(), "neq": draft.data.get("company", {}).get("neq")})
    else:
        confirmed_other = str(cmd.fields.get("not_listed") or "") in {"1", "on", "true", "oui"}
        _check_not_existing(uow, info, confirmed_other)
    _save_draft(draft, deps, company=info.as_dict(), company_done=True, confirmed_other=confirmed_other)
    return info


def save_about_you(cmd: c.SaveAboutYou, uow: UnitOfWork, deps: Dependencies) -> AboutYou:
    draft = _draft(uow, cmd.account_id)
    if not draft.data.get("company_done"):
        raise errors.Conflict("company_not_validated", "Validez d'abord les informations de l'entreprise.",
                              "Validate the company information first.")
    problems: list[errors.FieldError] = []
    try:
        about = AboutYou.parse(cmd.fields)
    except errors.InvalidInput as exc:
        problems.extend(exc.errors)
        about = None
    choice = str(cmd.fields.get("group") or "").strip()
    if draft.data.get("mode") == "creation":
        choice = NEW_GROUP
    else:
        try:
            _check_group_choice(uow, cmd.account_id, draft.data["company_id"], choice)
        except errors.InvalidInput as exc:
            problems.extend(exc.errors)
    if problems or about is None:
        raise errors.InvalidInput(problems)
    _save_draft(draft, deps, about=about.as_dict(), group=choice, about_done=True)
    return about


def _check_group_choice(uow: UnitOfWork, account_id: str, company_id: str, choice: str) -> Group | None:
    """An existing group of the company, or "new"; only "new" when nobody is tied to the company."""
    if not choice:
        raise _group_choice_error("required", "Choisissez un groupe existant ou « Nouveau groupe ».",
                                  "Choose an existing group or \"New group\".")
    if choice == NEW_GROUP:
        return None
    group = uow.groups.get(choice)
    if group is None or group.company_id != company_id:
        raise _group_choice_error("invalid_group", "Ce groupe n'appartient pas à cette entreprise.",
                                  "This group does not belong to this company.")
    if not uow.memberships.company_has_users(company_id):
        raise _group_choice_error(
            "new_group_only", "Aucun utilisateur n'est lié à cette entreprise : seul « Nouveau groupe » est possible.",
            "No user is tied to this company yet: only \"New group\" is possible.")
    if uow.memberships.role_of(account_id, group.id) is not None:
        raise _group_choice_error("already_member", "Vous faites déjà partie de ce groupe.",
                                  "You are already a member of this group.")
    return group


def submit_request(cmd: c.SubmitRequest, uow: UnitOfWork, deps: Dependencies) -> AccountRequest:
    draft = uow.drafts.get(cmd.account_id)
    data = draft.data if draft else {}
    if not (data.get("company_done") and data.get("about_done")):
        raise errors.Conflict("draft_incomplete", "Il manque des renseignements : complétez les onglets précédents.",
                              "Some information is missing: complete the previous tabs.")
    about = AboutYou.parse(data["about"])
    info = CompanyInfo.parse(data["company"], with_neq=True)
    account = _account(uow, cmd.account_id, cmd.email, deps)
    uow.accounts.get(cmd.account_id, for_update=True)  # two submissions of one account queue here
    where: dict[str, str | None] = {}
    if data["mode"] == "creation":
        kind = RequestKind.COMPANY_CREATION
        _check_free_to_ask(uow, cmd.account_id, None)
        try:
            _check_not_existing(uow, info, bool(data.get("confirmed_other")))
        except errors.CompanyExists as exc:
            raise errors.Conflict(
                "company_exists", "Cette entreprise existe déjà : revenez à l'onglet « Informations de "
                "l'entreprise » pour la choisir.",
                "This company already exists: go back to the “Company information” tab to choose it.",
                field="neq" if exc.by_neq else "not_listed") from None
    else:
        company = _company(uow, data.get("company_id"))
        _check_free_to_ask(uow, cmd.account_id, company.id)
        group = _check_group_choice(uow, cmd.account_id, company.id, data.get("group") or "")
        kind = RequestKind.JOIN_GROUP if group else RequestKind.NEW_GROUP
        where = {"company_id": company.id, "group_id": group.id if group else None,
                 "group_name": group.name if group else None}
    account.update_profile(about, deps.clock.now())
    account.locale = cmd.locale if cmd.locale in {"fr", "en"} else account.locale
    request = AccountRequest.submit(deps.new_id(), kind, account, info, deps.clock.now(), **where)
    uow.requests.add(request)
    uow.drafts.delete(cmd.account_id)
    return request


def discard_draft(cmd: c.DiscardDraft, uow: UnitOfWork, deps: Dependencies) -> None:
    uow.drafts.delete(cmd.account_id)


# Decisions ----------------------------------------------------------------------------------
def _join_request(uow: UnitOfWork, group_id: str, request_id: str) -> AccountRequest:
    request = uow.requests.get(request_id, for_update=True)
    if request is None or request.kind != RequestKind.JOIN_GROUP or request.group_id != group_id:
        raise errors.request_not_found()
    return request


def approve_join_request(cmd: c.ApproveJoinRequest, uow: UnitOfWork, deps: Dependencies) -> AccountRequest:
    authorize(uow, cmd.actor_id, cmd.group_id, Permission.APPROVE_JOIN_REQUESTS)
    role = parse_role(cmd.role)
    group = _locked_group(uow, cmd.group_id)
    request = _join_request(uow, cmd.group_id, cmd.request_id)
    if not request.pending:
        raise errors.already_decided()
    _locked_requester(uow, request)
    _check_one_company(uow, request.requester_account_id, group.company_id, errors.requester_in_other_company)
    _grant(uow, request.requester_account_id, group.id, role, deps)
    request.approve(Decider(cmd.actor_id, cmd.actor_email, DeciderKind.PRINCIPAL), role, deps.clock.now(),
                    company_id=group.company_id, group_id=group.id, group_name=group.name)
    uow.audit.record(deps.clock.now(), cmd.actor_id, "join_request_approved", group_id=group.id,
                     account_id=request.requester_account_id, detail=f"role={role}")
    return request


def refuse_join_request(cmd: c.RefuseJoinRequest, uow: UnitOfWork, deps: Dependencies) -> AccountRequest:
    authorize(uow, cmd.actor_id, cmd.group_id, Permission.APPROVE_JOIN_REQUESTS)
    request = _join_request(uow, cmd.group_id, cmd.request_id)
    request.refuse(Decider(cmd.actor_id, cmd.actor_email, DeciderKind.PRINCIPAL), cmd.reason, deps.clock.now())
    uow.audit.record(deps.clock.now(), cmd.actor_id, "join_request_refused", group_id=cmd.group_id,
                     account_id=request.requester_account_id, detail=cmd.reason.strip())
    return request


def apply_staff_approval(cmd: c.ApplyStaffApproval, uow: UnitOfWork, deps: Dependencies) -> AccountRequest | None:
    """Create the company (company_creation) or open a new group, and make the requester its principal.

    Everything is checked again here, with the request, the requester's account and the company
    locked: a creation whose NEQ now belongs to a known company, or a requester who meanwhile
    joined another company, is refused (with the reason) instead of applied.
    """
    request = uow.requests.get(cmd.request_id, for_update=True)
    if request is None or not request.pending or request.kind == RequestKind.JOIN_GROUP:
        log.warning("staff approval of %s ignored (unknown, already decided or a join request)", cmd.request_id)
        return None
    now = cmd.decided_at or deps.clock.now()
    decider = Decider(cmd.decided_by_id, cmd.decided_by_email, DeciderKind.STAFF)
    _locked_requester(uow, request)
    try:
        if request.kind == RequestKind.COMPANY_CREATION:
            company = _company_for_creation(uow, request, cmd.company, deps)
        else:
            company = uow.companies.get(request.company_id or "", for_update=True)  # one new group at a time
            if company is None:
                log.warning("staff approval of %s ignored: company %s is gone", cmd.request_id, request.company_id)
                return None
            _check_one_company(uow, request.requester_account_id, company.id, errors.already_in_company)
    except errors.PortalError as exc:  # the reason goes to the requester: worded for them
        request.refuse(decider, exc.message(request.locale), now)
        uow.audit.record(now, cmd.decided_by_id, "staff_approval_refused_on_apply",
                         account_id=request.requester_account_id, detail=exc.code)
        return request
    existing = uow.groups.of_company(company.id)
    name = FIRST_GROUP_NAME if not existing else next_group_name(g.name for g in existing)
    group = Group.create(deps.new_id(), company, name, now)
    uow.groups.add(group)
    _grant(uow, request.requester_account_id, group.id, Role.PRINCIPAL, deps)
    request.approve(decider, Role.PRINCIPAL, now, company_id=company.id, group_id=group.id, group_name=group.name,
                    reason=cmd.reason)
    if request.kind == RequestKind.NEW_GROUP:
        group.opened_for(request.id, request.requester_account_id)
    uow.audit.record(now, cmd.decided_by_id, "request_approved_by_staff", group_id=group.id,
                     account_id=request.requester_account_id, detail=request.kind)
    return request


def _company_for_creation(uow: UnitOfWork, request: AccountRequest, validated: dict[str, Any] | None,
                          deps: Dependencies) -> Company:
    """The new company; never a known one (a creation cannot make its author a member of it)."""
    info = request.company_info
    if validated:
        try:
            info = CompanyInfo.parse(validated, with_neq=True)
        except errors.InvalidInput as exc:
            log.warning("staff data of %s rejected (%s); using the requester's", request.id, exc.code)
    _check_one_company(uow, request.requester_account_id, None, errors.already_in_company)
    if info.neq:
        known = uow.companies.get_by_neq(info.neq)
        if known is not None:
            raise errors.creation_of_known_company(known.legal_name)
    company = Company.create(deps.new_id(), info, CompanySource.REQUEST, deps.clock.now())
    uow.companies.add(company)
    return company


def apply_staff_refusal(cmd: c.ApplyStaffRefusal, uow: UnitOfWork, deps: Dependencies) -> AccountRequest | None:
    request = uow.requests.get(cmd.request_id)
    if request is None or not request.pending or request.kind == RequestKind.JOIN_GROUP:
        log.warning("staff refusal of %s ignored (unknown, already decided or a join request)", cmd.request_id)
        return None
    now = cmd.decided_at or deps.clock.now()
    request.refuse(Decider(cmd.decided_by_id, cmd.decided_by_email, DeciderKind.STAFF), cmd.reason, now)
    uow.audit.record(now, cmd.decided_by_id, "request_refused_by_staff",
                     account_id=request.requester_account_id, detail=cmd.reason)
    return request


# Groups and roles ---------------------------------------------------------------------------
def _active_member(uow: UnitOfWork, account_id: str, group_id: str) -> Membership:
    membership = uow.memberships.get(account_id, group_id)
    if membership is None or not membership.active:
        raise errors.member_not_found()
    return membership


def change_role(cmd: c.ChangeRole, uow: UnitOfWork, deps: Dependencies) -> Membership:
    authorize(uow, cmd.actor_id, cmd.group_id, Permission.ASSIGN_ROLES)
    role = parse_role(cmd.role)
    _locked_group(uow, cmd.group_id)
    membership = _active_member(uow, cmd.account_id, cmd.group_id)
    check_principal_kept(uow.memberships.of_group(cmd.group_id), cmd.account_id, role)
    before = membership.role
    membership.change_role(role, deps.clock.now())
    uow.audit.record(deps.clock.now(), cmd.actor_id, "role_changed", group_id=cmd.group_id,
                     account_id=cmd.account_id, detail=f"{before}->{role}")
    return membership


def remove_member(cmd: c.RemoveMember, uow: UnitOfWork, deps: Dependencies) -> Membership:
    authorize(uow, cmd.actor_id, cmd.group_id, Permission.ASSIGN_ROLES)
    _locked_group(uow, cmd.group_id)
    membership = _active_member(uow, cmd.account_id, cmd.group_id)
    check_principal_kept(uow.memberships.of_group(cmd.group_id), cmd.account_id, None)
    membership.revoke(deps.clock.now())
    uow.audit.record(deps.clock.now(), cmd.actor_id, "member_removed", group_id=cmd.group_id,
                     account_id=cmd.account_id)
    return membership


def update_branding(cmd: c.UpdateBranding, uow: UnitOfWork, deps: Dependencies) -> Group:
    authorize(uow, cmd.actor_id, cmd.group_id, Permission.EDIT_COMPANY_PROFILE)
    group = _locked_group(uow, cmd.group_id)
    html = deps.sanitize_html(str(cmd.fields.get("description_html") or ""))
    branding = Branding.parse(cmd.fields, html)
    for other in uow.groups.of_company(group.company_id):
        if other.id != group.id and other.name.casefold() == branding.group_name.casefold():
            raise errors.InvalidInput([errors.field_error(
                "group_name", "group_name_taken", "Un autre groupe de l'entreprise porte déjà ce nom.",
                "Another group of the company already has this name.")])
    group.rebrand(branding, deps.clock.now())
    uow.audit.record(deps.clock.now(), cmd.actor_id, "branding_changed", group_id=group.id)
    return group


def upload_logo(cmd: c.UploadLogo, uow: UnitOfWork, deps: Dependencies) -> Group:
    authorize(uow, cmd.actor_id, cmd.group_id, Permission.EDIT_COMPANY_PROFILE)
    logo = deps.process_logo(cmd.content)
    group = _locked_group(uow, cmd.group_id)
    uow.groups.save_logo(group.id, logo, deps.clock.now())
    group.set_logo(logo.content_hash, logo.image_format, deps.clock.now())
    uow.audit.record(deps.clock.now(), cmd.actor_id, "logo_changed", group_id=group.id, detail=logo.content_hash)
    return group


def update_profile(cmd: c.UpdateProfile, uow: UnitOfWork, deps: Dependencies) -> Account:
    about = AboutYou.parse(cmd.fields)
    account = _account(uow, cmd.account_id, cmd.email, deps)
    account.update_profile(about, deps.clock.now())
    return account


def record_account(cmd: c.RecordAccount, uow: UnitOfWork, deps: Dependencies) -> Account:
    account = uow.accounts.get(cmd.account_id)
    if account is None:
        account = Account(cmd.account_id, cmd.email, deps.clock.now(), first_name=cmd.first_name,
                          last_name=cmd.last_name, locale=cmd.locale)
        uow.accounts.add(account)
    else:
        account.learn_identity(cmd.email, cmd.first_name, cmd.last_name, cmd.locale, deps.clock.now())
    return account


# OIQ staff ----------------------------------------------------------------------------------
def correct_company(cmd: c.CorrectCompany, uow: UnitOfWork, deps: Dependencies) -> Company:
    company = _company(uow, cmd.company_id)
    current = {"legal_name": company.legal_name, "phone": company.phone, "country": company.country,
               "address": company.address, "city": company.city, "province": company.province,
               "postal_code": company.postal_code, "neq": company.neq or ""}
    info = CompanyInfo.parse({**current, **cmd.fields}, with_neq=True, require_all=False)
    if info.neq and info.neq != company.neq:
        other = uow.companies.get_by_neq(info.neq)
        if other is not None and other.id != company.id:
            raise errors.InvalidInput([errors.field_error(
                "neq", "neq_taken", "Une autre entreprise porte déjà ce NEQ.",
                "Another company already has this NEQ.")])
    company.correct(info, deps.clock.now())
    uow.audit.record(deps.clock.now(), cmd.staff_id, "company_corrected", detail=company.id)
    return company


def create_group(cmd: c.CreateGroup, uow: UnitOfWork, deps: Dependencies) -> Group:
    company = _company(uow, cmd.company_id)
    name = " ".join(cmd.name.split())
    if any(g.name.casefold() == name.casefold() for g in uow.groups.of_company(company.id)):
        raise errors.Conflict("group_name_taken", "Un autre groupe de l'entreprise porte déjà ce nom.",
                              "Another group of the company already has this name.", field="name")
    group = Group.create(deps.new_id(), company, name, deps.clock.now())
    uow.groups.add(group)
    uow.audit.record(deps.clock.now(), cmd.staff_id, "group_created", group_id=group.id, detail=name)
    return group


def move_member(cmd: c.MoveMember, uow: UnitOfWork, deps: Dependencies) -> Membership:
    role = parse_role(cmd.role)
    if cmd.from_group_id == cmd.to_group_id:
        raise errors.Conflict("same_group", "Le groupe de départ et le groupe d'arrivée sont les mêmes.",
                              "The source and target groups are the same.")
    locked = {group_id: _locked_group(uow, group_id)  # one lock order: no deadlock
              for group_id in sorted({cmd.from_group_id, cmd.to_group_id})}
    if locked[cmd.from_group_id].company_id != locked[cmd.to_group_id].company_id:
        raise errors.Conflict("other_company", "Le groupe d'arrivée appartient à une autre entreprise.",
                              "The target group belongs to another company.")
    leaving = _active_member(uow, cmd.account_id, cmd.from_group_id)
    check_principal_kept(uow.memberships.of_group(cmd.from_group_id), cmd.account_id, None)
    leaving.revoke(deps.clock.now())
    arriving = _grant(uow, cmd.account_id, cmd.to_group_id, role, deps)
    uow.audit.record(deps.clock.now(), cmd.staff_id, "member_moved", group_id=cmd.to_group_id,
                     account_id=cmd.account_id, detail=f"from={cmd.from_group_id} role={role}")
    return arriving


COMMAND_HANDLERS: dict[type[c.Command], CommandHandler] = {
    c.ChooseCompany: choose_company,
    c.StartCompanyCreation: start_company_creation,
    c.SaveCompanyInfo: save_company_info,
    c.SaveAboutYou: save_about_you,
    c.SubmitRequest: submit_request,
    c.DiscardDraft: discard_draft,
    c.ApproveJoinRequest: approve_join_request,
    c.RefuseJoinRequest: refuse_join_request,
    c.ApplyStaffApproval: apply_staff_approval,
    c.ApplyStaffRefusal: apply_staff_refusal,
    c.ChangeRole: change_role,
    c.RemoveMember: remove_member,
    c.UpdateBranding: update_branding,
    c.UploadLogo: upload_logo,
    c.UpdateProfile: update_profile,
    c.RecordAccount: record_account,
    c.CorrectCompany: correct_company,
    c.CreateGroup: create_group,
    c.MoveMember: move_member,
    c.PublishSnapshot: snapshot.publish_snapshot,
}
