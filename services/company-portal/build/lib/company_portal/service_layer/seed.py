"""Demo data for the embedded suite: Génivert inc. with « Groupe 001 », a user in every role,
and one pending request of each kind. Idempotent: nothing happens once Génivert has users."""

from __future__ import annotations

import uuid
from typing import NamedTuple

from company_portal.domain.model import (
    FIRST_GROUP_NAME,
    Account,
    AccountRequest,
    Branding,
    Company,
    CompanyInfo,
    CompanySource,
    Group,
    Membership,
    RequestKind,
)
from company_portal.service_layer.messagebus import MessageBus
from company_portal.service_layer.unit_of_work import UnitOfWork
from plumbing.auth.permissions import Role

GENIVERT = CompanyInfo("Génivert inc.", "514-555-0100", "Canada", "1200, rue Saint-Denis", "Montréal", "QC",
                       "H2X 3J6", "1165432109")
STRUCTURA = CompanyInfo("Structura Ingénierie ltée", "418-555-0150", "Canada", "2600, boulevard Laurier",
                        "Québec", "QC", "G1V 4T3", "1179876543")
CREATION = CompanyInfo("Hydro-Boréal Conseil inc.", "819-555-0175", "Canada", "88, 3e Avenue", "Val-d'Or", "QC",
                       "J9P 1S4", None)


class DemoAccount(NamedTuple):
    account_id: str
    email: str
    first_name: str
    last_name: str


def placeholder(email: str, first_name: str, last_name: str) -> DemoAccount:
    """An account only the portal knows (it cannot log in): a stable id from its email."""
    return DemoAccount(str(uuid.uuid5(uuid.NAMESPACE_URL, f"ingemplois-demo:{email}")), email, first_name, last_name)


DEFAULTS = {
    "affichage": placeholder("julien.gagne@genivert-demo.ca", "Julien", "Gagné"),
    "finances": placeholder("julie.lavoie@genivert-demo.ca", "Julie", "Lavoie"),
    "join_requester": placeholder("olivier.caron@genivert-demo.ca", "Olivier", "Caron"),
    "new_group_requester": placeholder("samuel.fortin@structura-demo.ca", "Samuel", "Fortin"),
    "creation_requester": placeholder("emilie.dube@hydroboreal-demo.ca", "Émilie", "Dubé"),
}


def _account(uow: UnitOfWork, who: DemoAccount, function: str, phone: str, now: object) -> Account:
    account = uow.accounts.get(who.account_id)
    if account is None:
        account = Account(who.account_id, who.email, now, first_name=who.first_name,  # type: ignore[arg-type]
                          last_name=who.last_name)
        uow.accounts.add(account)
    account.first_name, account.last_name = account.first_name or who.first_name, account.last_name or who.last_name
    account.function, account.phone = account.function or function, account.phone or phone
    return account


def _company(uow: UnitOfWork, info: CompanyInfo, bus: MessageBus) -> Company:
    company = uow.companies.get_by_neq(info.neq) if info.neq else None
    if company is None:
        company = Company.create(bus.deps.new_id(), info, CompanySource.STAFF, bus.deps.clock.now())
        uow.companies.add(company)
    elif not company.phone:
        company.correct(info, bus.deps.clock.now())
    return company


def seed_demo(bus: MessageBus, *, principal: DemoAccount, affichage: DemoAccount | None = None,
              finances: DemoAccount | None = None, join_requester: DemoAccount | None = None,
              new_group_requester: DemoAccount | None = None,
              creation_requester: DemoAccount | None = None) -> dict[str, str]:
    """Create the demo company and requests; return the ids ({} when already seeded)."""
    people = {"principal": DemoAccount(*principal)}
    given = {"affichage": affichage, "finances": finances, "join_requester": join_requester,
             "new_group_requester": new_group_requester, "creation_requester": creation_requester}
    for role_name, who in given.items():
        people[role_name] = DemoAccount(*who) if who else DEFAULTS[role_name]
    now = bus.deps.clock.now()
    with bus.new_uow() as uow:
        company = _company(uow, GENIVERT, bus)
        if uow.memberships.company_has_users(company.id):
            return {}
        accounts = {
            name: _account(uow, who, function, phone, now)
            for (name, who), (function, phone) in zip(people.items(), (
                ("Directrice de l'ingénierie", "514-555-0101"), ("Chargé de projets", "514-555-0102"),
                ("Contrôleuse financière", "514-555-0103"), ("Ingénieur de projet", "514-555-0104"),
                ("Directeur technique", "418-555-0151"), ("Présidente", "819-555-0176")), strict=True)
        }
        group = Group.create(bus.deps.new_id(), company, FIRST_GROUP_NAME, now)
        uow.groups.add(group)
        group.rebrand(Branding(FIRST_GROUP_NAME, "Ingénierie du bâtiment durable, Montréal et environs.",
                               company.legal_name, company.full_address, "https://genivert-demo.ca",
                               company.phone, "<p>Génivert conçoit des bâtiments <strong>sobres en carbone</strong> "
                               "depuis 1998.</p>"), now)
        for name, role in (("principal", Role.PRINCIPAL), ("affichage", Role.AFFICHAGE),
                           ("finances", Role.FINANCES)):
            uow.memberships.add(Membership.grant_new(accounts[name].id, group.id, role, now))
        join = AccountRequest.submit(bus.deps.new_id(), RequestKind.JOIN_GROUP, accounts["join_requester"], GENIVERT,
                                     now, company_id=company.id, group_id=group.id, group_name=group.name)
        structura = _company(uow, STRUCTURA, bus)
        new_group = AccountRequest.submit(bus.deps.new_id(), RequestKind.NEW_GROUP, accounts["new_group_requester"],
                                          STRUCTURA, now, company_id=structura.id)
        creation = AccountRequest.submit(bus.deps.new_id(), RequestKind.COMPANY_CREATION,
                                         accounts["creation_requester"], CREATION, now)
        for request in (join, new_group, creation):
            uow.requests.add(request)
        uow.commit()
        return {"company_id": company.id, "group_id": group.id, "join_request_id": join.id,
                "new_group_request_id": new_group.id, "creation_request_id": creation.id}
