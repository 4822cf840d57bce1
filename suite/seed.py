"""Demo data for `make run`: OIQ staff, a company with users in every role, pending requests of
each kind (for the principal and for staff), and a job seeker. Idempotent."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from plumbing.service import ServiceBundle

DEMO_PASSWORD = "Pont-Laviolette-2026"

# (key, email, kind, first name, last name, what to try with it)
DEMO_ACCOUNTS: list[tuple[str, str, str, str, str, str]] = [
    ("staff", "personnel@oiq-demo.ca", "staff", "Sophie", "Bélanger",
     "Personnel OIQ : /moderation/ (demandes en attente)"),
    ("principal", "marie.tremblay@genivert-demo.ca", "employer", "Marie", "Tremblay",
     "Responsable principale, Génivert inc. : /entreprises/demandes"),
    ("affichage", "luc.gagnon@genivert-demo.ca", "employer", "Luc", "Gagnon",
     "Responsable de l'affichage, Génivert inc."),
    ("finances", "julie.morin@genivert-demo.ca", "employer", "Julie", "Morin",
     "Responsable des finances, Génivert inc. : /employeur/transactions (code promo BIENVENUE10)"),
    ("join_requester", "samuel.bouchard@genivert-demo.ca", "employer", "Samuel", "Bouchard",
     "Demande pour joindre le Groupe 001 (en attente)"),
    ("new_group_requester", "nadia.cote@structura-demo.ca", "employer", "Nadia", "Côté",
     "Demande de nouveau groupe, Structura (en attente de l'Ordre)"),
    ("creation_requester", "eric.lavoie@hydrotech-demo.ca", "employer", "Éric", "Lavoie",
     "Demande de création d'entreprise (en attente de l'Ordre)"),
    ("new_employer", "camille.roy@nouvelle-firme-demo.ca", "employer", "Camille", "Roy",
     "Employeur sans entreprise : essayez l'assistant /entreprises/demande"),
    ("member", "alex.roy@courriel-demo.ca", "member", "Alex", "Roy",
     "Candidat·e : /membre/ (suit Génivert inc., abonné·e au sommaire et aux envois ciblés)"),
]


def seed_demo(bundles: dict[str, ServiceBundle]) -> list[tuple[str, str]]:
    """Create what does not exist yet; return (email, what to try) rows for the banner."""
    from identity.bootstrap import create_account_directly

    identity = bundles["identity"]
    accounts = {
        key: create_account_directly(identity, email, DEMO_PASSWORD, kind, first, last, verified=True)
        for key, email, kind, first, last, _ in DEMO_ACCOUNTS
    }
    if "company-portal" in bundles:
        from company_portal.bootstrap import seed_demo as seed_portal

        seed_portal(
            bundles["company-portal"],
            principal=accounts["principal"], affichage=accounts["affichage"], finances=accounts["finances"],
            join_requester=accounts["join_requester"], new_group_requester=accounts["new_group_requester"],
            creation_requester=accounts["creation_requester"],
        )
        if "catalog-billing" in bundles:
            seed_billing(bundles["catalog-billing"], principal=accounts["principal"], buyer=accounts["finances"],
                         staff=accounts["staff"])
        if "offers" in bundles:
            from suite.seed_offers import seed_jobsite_offers, seed_offers

            seed_offers(bundles, principal=accounts["principal"], affichage=accounts["affichage"],
                        staff=accounts["staff"])
            seed_jobsite_offers(bundles, staff=accounts["staff"])
        if "mailer" in bundles:
            seed_members(bundles["mailer"], member=accounts["member"])
    return [(email, hint) for _, email, _, _, _, hint in DEMO_ACCOUNTS]


#: How long the billing seed waits for catalog-billing to hear of the demo group (company-portal's
#: membership events travel through the workers, started before the seed).
BILLING_PROJECTION_WAIT = 30.0


def seed_billing(bundle: ServiceBundle, *, principal: Any, buyer: Any, staff: Any) -> dict[str, str]:
    """The promo code BIENVENUE10, Génivert eligible for invoice payment, two invoices and their
    credits for « Groupe 001 » (catalog_billing.service_layer.seed). Idempotent."""
    from catalog_billing.service_layer import views
    from catalog_billing.service_layer.seed import DemoBuyer, seed_demo

    bus = bundle.extras["bus"]
    deadline = time.monotonic() + BILLING_PROJECTION_WAIT
    while not (groups := bus.query(views.my_groups, principal.id)):
        if time.monotonic() > deadline:
            logging.getLogger(__name__).warning("catalog-billing has not heard of the demo group: no billing demo data")
            return {}
        time.sleep(0.2)
    address = ("Génivert inc.", "1200, rue Saint-Denis", "Montréal (QC)  H2X 3J6", "Canada")
    return seed_demo(bus, DemoBuyer(groups[0]["id"], buyer.id, buyer.email, address),
                     staff_account_id=staff.id, staff_email=staff.email)


#: How long the job seekers' seed waits for the mailer to hear of the demo company (company-portal's
#: branding event travels through the workers, started before the seed).
MEMBERS_PROJECTION_WAIT = 30.0
DEMO_FOLLOWED_COMPANY = "Génivert inc."


def seed_members(bundle: ServiceBundle, *, member: Any) -> bool:
    """The demo member follows Génivert inc. and subscribed to the digest and targeted mailings
    (mailer.service_layer.seed). Idempotent."""
    from mailer.service_layer.seed import seed_demo

    deadline = time.monotonic() + MEMBERS_PROJECTION_WAIT
    while not seed_demo(bundle.extras["bus"], member_account_id=member.id, company_name=DEMO_FOLLOWED_COMPANY):
        if time.monotonic() > deadline:
            logging.getLogger(__name__).warning("the mailer has not heard of the demo company: no follows demo data")
            return False
        time.sleep(0.2)
    return True


def print_banner(url: str, logins: list[tuple[str, str]], mail_dir: Path) -> None:
    lines = ["", f"  ingemplois est prêt : {url}", ""]
    if logins:
        lines.append(f"  Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD}) :")
        lines += [f"    {email:<36} {hint}" for email, hint in logins]
        lines.append("")
    lines.append(f"  Courriels envoyés : {mail_dir}/ (un fichier .eml par message)")
    lines.append("  Arrêt : Ctrl+C")
    print("\n".join(lines), flush=True)
