"""Demo data for the embedded suite (suite/seed.py): the demo group's offers in every status, each
brought there by the state machine itself (so histories, credits and events are real), with the
clock moved back where a status needs time (an expired offer was approved 40 days ago).

Credits come from the group's bank (catalog-billing's demo seed buys 5 ing. and 2 CPI): 4 ing. and
2 CPI are used, one ing. is left for trying the creation flow. Idempotent: nothing is done once the
group has offers.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from offers.domain.offer import OfferConfig, OfferContent, Workplace, quebec_day
from offers.service_layer import commands as c
from offers.service_layer.commands import Caller
from offers.service_layer.handlers import COMMAND_HANDLERS
from offers.service_layer.ports import CreditBank, Dependencies
from plumbing.messagebus import MessageBus


class SeedClock:
    """A clock the seed moves (UTC instants)."""

    def __init__(self, now: datetime) -> None:
        self.instant = now

    def now(self) -> datetime:
        return self.instant


DESCRIPTION = (
    "<p><strong>Raison d'être du poste</strong></p><p>Au sein de notre équipe de {domaine}, vous concevez et "
    "suivez des projets d'infrastructure au Québec.</p>"
    "<p><strong>Principales tâches et responsabilités</strong></p><ul><li>Concevoir et vérifier les plans et "
    "devis</li><li>Coordonner les équipes de chantier</li><li>Rédiger les rapports techniques</li></ul>"
    "<p><strong>Qualifications requises</strong></p><ul><li>Membre de l'Ordre des ingénieurs du Québec</li>"
    "<li>Cinq ans d'expérience pertinente</li></ul>"
)


def demo_content(title: str, domain: str, deadline: date, **changes: object) -> OfferContent:
    content = OfferContent(
        title_fr=title,
        title_en="",
        description_fr=DESCRIPTION.format(domaine=domain),
        function_type="conception",
        engineering_domains=("civil",),
        employment_type="permanent",
        position_status="temps-plein",
        work_formula="hybride",
        application_deadline=deadline,
        salary="85 000 $ à 105 000 $ par année",
        workplace=Workplace("address", "1200, rue Saint-Denis", "montreal", "H2X 3J6"),
    )
    return dataclasses.replace(content, **changes)  # type: ignore[arg-type]


def seed_demo(
    bus: MessageBus[Dependencies],
    bank: CreditBank,
    *,
    group_id: str,
    principal_id: str,
    affichage_id: str,
    staff_id: str,
) -> dict[str, str]:
    """Create the demo offers unless the group has some; return {status: offer id} of those made."""
    with bus.new_uow() as uow:
        if sum(uow.offers.count_by_status(group_id).values()) > 0:
            return {}
    now = bus.deps.clock.now()
    clock = SeedClock(now)
    seeding = MessageBus(
        bus.uow_factory, dataclasses.replace(bus.deps, clock=clock, bank=bank), commands=COMMAND_HANDLERS
    )
    principal = Caller(principal_id, "employer", "")
    affichage = Caller(affichage_id, "employer", "")
    staff = Caller(staff_id, "staff", "")
    apply = OfferConfig(apply_method="url", apply_to="https://genivert-demo.ca/carrieres")
    made: dict[str, str] = {}

    def at(days_ago: float) -> None:
        clock.instant = now - timedelta(days=days_ago)

    def deadline(days_after: int) -> date:
        return quebec_day(clock.now()) + timedelta(days=days_after)

    def draft(profile: str, title: str, domain: str, config: OfferConfig = apply, who: Caller = principal) -> str:
        content = demo_content(title, domain, deadline(60))
        return seeding.handle(c.CreateDraft(group_id, profile, who, content, config)).id

    # En brouillon: not sent, no credit.
    at(2)
    made["draft"] = draft("ing", "Ingénieur·e en structures", "structures", who=affichage)
    # En validation: sent yesterday.
    at(1)
    offer = draft("ing", "Ingénieur·e de projets en environnement", "environnement")
    seeding.handle(c.SubmitOffer(offer, principal))
    made["in_validation"] = offer
    # À réviser: sent three days ago, returned by the staff.
    at(3)
    offer = draft("ing", "Chargé·e de projets en génie civil", "génie civil")
    seeding.handle(c.SubmitOffer(offer, affichage))
    at(2)
    seeding.handle(
        c.ReturnOffer(
            offer,
            staff,
            "Précisez les qualifications requises et retirez le courriel "
            "de contact de la description : le bouton Postuler suffit.",
        )
    )
    made["to_revise"] = offer
    # Bientôt publiée: approved, posting date next week.
    at(1)
    posting = quebec_day(now) + timedelta(days=7)
    offer = draft(
        "ing",
        "Ingénieur·e en mécanique du bâtiment",
        "mécanique du bâtiment",
        dataclasses.replace(apply, posting=posting),
    )
    seeding.handle(c.SubmitOffer(offer, principal))
    seeding.handle(c.ApproveOffer(offer, staff))
    made["scheduled"] = offer
    # En cours: approved 25 days ago, so it ends within 10 days (the dashboard's alert).
    at(26)
    offer = draft("cpi", "CPI en génie électrique", "génie électrique")
    seeding.handle(c.SubmitOffer(offer, principal))
    at(25)
    seeding.handle(c.ApproveOffer(offer, staff))
    made["published"] = offer
    # Expirée: approved 40 days ago, expired by the scheduler's catch-up below.
    at(41)
    offer = draft("cpi", "CPI en génie des matériaux", "génie des matériaux")
    seeding.handle(c.SubmitOffer(offer, affichage))
    at(40)
    seeding.handle(c.ApproveOffer(offer, staff))
    made["expired"] = offer
    # Archivée: approved 75 days ago, expired, then archived.
    at(76)
    offer = draft("ing", "Ingénieur·e en hydraulique", "hydraulique")
    seeding.handle(c.SubmitOffer(offer, principal))
    at(75)
    seeding.handle(c.ApproveOffer(offer, staff))
    at(44)
    seeding.handle(c.ExpireDue())
    seeding.handle(c.ArchiveOffer(offer, principal))
    made["archived"] = offer
    at(0)
    seeding.handle(c.PublishDue())
    seeding.handle(c.ExpireDue())
    return made
