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


#: The other employers of the public job site's demo (suite/seed_offers.py gives them offers):
#: (company, the group's short description, website, « À propos » HTML, principal's placeholder).
JOBSITE_EMPLOYERS: tuple[tuple[CompanyInfo, str, str, str, DemoAccount], ...] = (
    (CompanyInfo("Laurentia Génie-conseil inc.", "418-555-0210", "Canada", "500, Grande Allée Est", "Québec", "QC",
                 "G1R 2J7", "1171234560"),
     "Génie-conseil en infrastructures et en transport.", "https://laurentia-demo.ca",
     "<p>Laurentia accompagne les municipalités de l'Est du Québec depuis 1987 : ponts, routes, "
     "aqueducs.</p>", placeholder("gabrielle.roy@laurentia-demo.ca", "Gabrielle", "Roy")),
    (CompanyInfo("Hydrauliq Nord inc.", "418-555-0320", "Canada", "2250, boulevard Talbot", "Saguenay", "QC",
                 "G7H 5B1", "1172345671"),
     "Ouvrages hydroélectriques et barrages.", "https://hydrauliq-demo.ca",
     "<p>Hydrauliq Nord conçoit et entretient des centrales et des barrages au Saguenay–Lac-Saint-Jean "
     "et sur la Côte-Nord.</p>", placeholder("mathieu.tremblay@hydrauliq-demo.ca", "Mathieu", "Tremblay")),
    (CompanyInfo("Technoréseau Estrie ltée", "819-555-0430", "Canada", "1800, rue King Ouest", "Sherbrooke", "QC",
                 "J1J 2E1", "1173456782"),
     "Logiciels embarqués et télécommunications.", "https://technoreseau-demo.ca",
     "<p>Technoréseau développe des systèmes embarqués pour le transport collectif et les réseaux "
     "électriques.</p>", placeholder("sarah.nguyen@technoreseau-demo.ca", "Sarah", "Nguyen")),
    (CompanyInfo("Outaouais Infrastructures inc.", "819-555-0540", "Canada", "25, rue Laurier", "Gatineau", "QC",
                 "J8X 4C8", "1174567893"),
     "Génie civil municipal et géotechnique.", "https://outaouais-infra-demo.ca",
     "<p>Une équipe de 60 personnes au service des villes de l'Outaouais.</p>",
     placeholder("kevin.lapointe@outaouais-infra-demo.ca", "Kevin", "Lapointe")),
    (CompanyInfo("Mécanika Laval inc.", "450-555-0650", "Canada", "3000, boulevard Le Carrefour", "Laval", "QC",
                 "H7T 2K9", "1175678904"),
     "Procédés industriels, mécanique et automatisation.", "https://mecanika-demo.ca",
     "<p>Mécanika conçoit des lignes de production automatisées pour l'agroalimentaire et "
     "l'aérospatiale.</p>", placeholder("ines.benali@mecanika-demo.ca", "Inès", "Benali")),
)


def seed_jobsite_employers(bus: MessageBus) -> list[tuple[str, str]]:
    """The job site's other demo employers: each company with « Groupe 001 », branded, and a
    principal·e (a placeholder account). Returns (group_id, principal account id) of each, whether
    made now or before (idempotent)."""
    now = bus.deps.clock.now()
    made: list[tuple[str, str]] = []
    with bus.new_uow() as uow:
        for info, description, website, about, who in JOBSITE_EMPLOYERS:
            company = _company(uow, info, bus)
            if uow.memberships.company_has_users(company.id):
                made += [(group.id, who.account_id) for group in uow.groups.of_company(company.id)[:1]]
                continue
            account = _account(uow, who, "Directrice de l'ingénierie", info.phone, now)
            group = Group.create(bus.deps.new_id(), company, FIRST_GROUP_NAME, now)
            uow.groups.add(group)
            group.rebrand(Branding(FIRST_GROUP_NAME, description, company.legal_name, company.full_address, website,
                                   company.phone, about), now)
            uow.memberships.add(Membership.grant_new(account.id, group.id, Role.PRINCIPAL, now))
            made.append((group.id, account.id))
        uow.commit()
    return made
