"""Demo data of the public job site (suite/seed_offers.py): about twenty-five offers « En cours »
from five other employers, so that the list, its filters and their counts look like the real site.

Varied domains, regions, profiles, employment types, formulas and years; four featured (approved
this week), six with an English version, some applied to by URL and some by email; one whose
application deadline has passed but still online, one expired (civil, so its page has similar
offers), and the « Ingénieure civile » / « Ingénieur civil » pair the French search must match.

Every offer goes through the state machine (created, sent, approved with the clock moved back),
like offers.service_layer.seed, so histories, events and the search index are real. Credits come
from an in-memory bank: these employers exist for the job site only (nobody logs in as them).
Idempotent per employer: nothing is done for a group that has offers.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import NamedTuple, Protocol

from offers.domain.offer import OfferConfig, OfferContent, Workplace, quebec_day
from offers.service_layer import commands as c
from offers.service_layer.commands import Caller
from offers.service_layer.handlers import COMMAND_HANDLERS
from offers.service_layer.ports import CreditBank, Dependencies
from offers.service_layer.seed import SeedClock
from plumbing.messagebus import MessageBus


class DemoOffer(NamedTuple):
    employer: int  # index in the employers given to seed_jobsite
    profile: str
    title_fr: str
    title_en: str
    domains: tuple[str, ...]
    function_type: str
    employment_type: str
    position_status: str
    work_formula: str
    years: str
    workplace: Workplace
    approved_days_ago: float
    deadline_days: int = 40  # after the approval
    featured: bool = False
    by_email: bool = False
    salary: str = ""


def address(street: str, city: str, postal_code: str) -> Workplace:
    return Workplace("address", street, city, postal_code)


def places(*codes: str) -> Workplace:
    return Workplace("places", places=codes)


QUEBEC_CITY = address("500, Grande Allée Est", "quebec", "G1R 2J7")
SAGUENAY = address("2250, boulevard Talbot", "saguenay", "G7H 5B1")
SHERBROOKE = address("1800, rue King Ouest", "sherbrooke", "J1J 2E1")
GATINEAU = address("25, rue Laurier", "gatineau", "J8X 4C8")
LAVAL = address("3000, boulevard Le Carrefour", "laval", "H7T 2K9")

#: The employers, in the order of company_portal.service_layer.seed.JOBSITE_EMPLOYERS.
LAURENTIA, HYDRAULIQ, TECHNORESEAU, OUTAOUAIS, MECANIKA = range(5)
EMAIL_OF = (
    "carrieres@laurentia-demo.ca",
    "emplois@hydrauliq-demo.ca",
    "talents@technoreseau-demo.ca",
    "rh@outaouais-infra-demo.ca",
    "recrutement@mecanika-demo.ca",
)
SITE_OF = (
    "https://laurentia-demo.ca/carrieres",
    "https://hydrauliq-demo.ca/emplois",
    "https://technoreseau-demo.ca/carrieres",
    "https://outaouais-infra-demo.ca/emplois",
    "https://mecanika-demo.ca/carrieres",
)

EXPIRED_TITLE = "Ingénieur·e civil·e en structures de bâtiments"
PAST_DEADLINE_TITLE = "Ingénieur·e en énergie renouvelable – éolien"

OFFERS: tuple[DemoOffer, ...] = (
    DemoOffer(LAURENTIA, "ing", "Ingénieure civile – ponts et ouvrages d'art", "Civil Engineer – Bridges",
              ("civil", "structures"), "conception", "permanent", "temps-plein", "hybride", "6-10", QUEBEC_CITY, 3,
              featured=True, salary="95 000 $ à 120 000 $ par année"),
    DemoOffer(OUTAOUAIS, "ing", "Ingénieur civil – infrastructures municipales", "", ("civil",), "gestion-de-projets",
              "permanent", "temps-plein", "presentiel", "3-5", GATINEAU, 5, by_email=True,
              salary="80 000 $ à 98 000 $ par année"),
    DemoOffer(LAURENTIA, "cpi", "CPI en génie civil – chaussées", "", ("civil", "transport"), "conception",
              "permanent", "temps-plein", "hybride", "", places("levis"), 8),
    DemoOffer(HYDRAULIQ, "ing", "Ingénieur·e en hydraulique – centrales", "Hydraulic Engineer – Power Plants",
              ("eaux", "energie"), "conception", "permanent", "temps-plein", "presentiel", "11-15", SAGUENAY, 2,
              featured=True, by_email=True),
    DemoOffer(HYDRAULIQ, "ing", "Chargé·e de projets, barrages", "", ("civil", "geotechnique"), "gestion-de-projets",
              "permanent", "temps-plein", "presentiel", "16-plus", places("saguenay", "alma"), 12),
    DemoOffer(HYDRAULIQ, "cpi", "CPI en génie électrique – postes de transformation", "", ("electrique",),
              "exploitation", "temporaire", "temps-plein", "presentiel", "", places("sept-iles"), 6),
    DemoOffer(TECHNORESEAU, "ing", "Ingénieur·e logiciel – systèmes embarqués", "Software Engineer – Embedded Systems",
              ("logiciel", "informatique"), "recherche", "permanent", "temps-plein", "teletravail", "3-5",
              places("05"), 1, featured=True, salary="90 000 $ à 115 000 $ par année"),
    DemoOffer(TECHNORESEAU, "ing", "Ingénieur·e en télécommunications", "", ("telecommunications",), "conception",
              "contractuel", "temps-plein", "hybride", "6-10", SHERBROOKE, 9, by_email=True),
    DemoOffer(TECHNORESEAU, "cpi", "Stage – CPI en génie informatique", "", ("informatique",), "recherche", "stage",
              "temps-plein", "hybride", "", SHERBROOKE, 4, salary="24 $ l'heure"),
    DemoOffer(TECHNORESEAU, "ing", "Architecte de solutions IoT", "IoT Solutions Architect",
              ("electronique", "informatique"), "expertise-conseil", "permanent", "temps-plein", "teletravail",
              "11-15", places("05", "06"), 15),
    DemoOffer(OUTAOUAIS, "ing", "Ingénieur·e géotechnicien·ne", "", ("geotechnique", "civil"), "expertise-conseil",
              "permanent", "temps-plein", "presentiel", "6-10", GATINEAU, 7),
    DemoOffer(OUTAOUAIS, "cpi", "CPI en génie de l'environnement – eaux usées", "", ("environnement", "eaux"),
              "conception", "permanent", "temps-plein", "hybride", "", GATINEAU, 10, by_email=True),
    DemoOffer(OUTAOUAIS, "ing", "Surveillant·e de chantier – génie civil", "", ("civil", "construction"),
              "surveillance", "temporaire", "temps-plein", "presentiel", "3-5", places("07", "15"), 11),
    DemoOffer(MECANIKA, "ing", "Ingénieur·e mécanique – automatisation", "Mechanical Engineer – Automation",
              ("mecanique", "production-automatisee"), "conception", "permanent", "temps-plein", "presentiel", "6-10",
              LAVAL, 2, featured=True, salary="88 000 $ à 110 000 $ par année"),
    DemoOffer(MECANIKA, "ing", "Ingénieur·e de procédés alimentaires", "", ("alimentaire", "chimique"), "production",
              "permanent", "temps-plein", "presentiel", "3-5", places("drummondville"), 13, by_email=True),
    DemoOffer(MECANIKA, "cpi", "CPI en génie industriel – amélioration continue", "", ("industriel",), "analyse",
              "permanent", "temps-plein", "hybride", "", LAVAL, 14),
    DemoOffer(MECANIKA, "ing", "Ingénieur·e aérospatial·e – essais", "", ("aerospatial", "mecanique"), "recherche",
              "contractuel", "temps-plein", "presentiel", "11-15", places("longueuil"), 16),
    DemoOffer(LAURENTIA, "ing", "Ingénieur·e en transport – sécurité routière", "", ("transport", "civil"), "analyse",
              "permanent", "temps-plein", "hybride", "6-10", QUEBEC_CITY, 17),
    DemoOffer(LAURENTIA, "ing", "Directeur·trice de l'ingénierie", "Director of Engineering", ("civil", "batiment"),
              "direction", "permanent", "temps-plein", "hybride", "16-plus", QUEBEC_CITY, 18, by_email=True,
              salary="130 000 $ à 150 000 $ par année"),
    DemoOffer(HYDRAULIQ, "ing", "Ingénieur·e minier·ère", "", ("minier", "geologique"), "exploitation", "permanent",
              "temps-plein", "presentiel", "6-10", places("val-d-or"), 19),
    DemoOffer(TECHNORESEAU, "ing", "Ingénieur·e biomédical·e – dispositifs", "", ("biomedical", "electronique"),
              "recherche", "permanent", "temps-partiel", "hybride", "0-2", SHERBROOKE, 20, by_email=True),
    DemoOffer(OUTAOUAIS, "ing", "Ingénieur·e forestier·ère", "", ("forestier", "environnement"), "expertise-conseil",
              "temporaire", "temps-partiel", "presentiel", "0-2", places("07", "08"), 21),
    DemoOffer(MECANIKA, "ing", "Ingénieur·e en santé et sécurité du travail", "", ("industriel",), "sante-securite",
              "permanent", "temps-plein", "presentiel", "3-5", places("saint-jerome"), 22),
    DemoOffer(LAURENTIA, "cpi", "CPI en génie géomatique", "", ("geomatique",), "analyse", "temporaire",
              "temps-plein", "hybride", "", places("rimouski"), 23),
    DemoOffer(MECANIKA, "ing", "Ingénieur·e électricien·ne – bâtiments", "", ("electrique", "batiment"), "conception",
              "permanent", "temps-plein", "hybride", "3-5", address("1200, rue Peel", "montreal", "H3B 2T6"), 6),
    # Online, but its application deadline passed ten days ago: [Postuler] is disabled.
    DemoOffer(HYDRAULIQ, "ing", PAST_DEADLINE_TITLE, "", ("energie", "electrique"), "conception", "permanent",
              "temps-plein", "hybride", "6-10", places("gaspe"), 20, deadline_days=10),
    # Approved 35 days ago: expired (its page says so and shows similar offers).
    DemoOffer(LAURENTIA, "ing", EXPIRED_TITLE, "", ("civil", "structures", "batiment"), "conception", "permanent",
              "temps-plein", "hybride", "6-10", QUEBEC_CITY, 35),
)

DESCRIPTION_FR = (
    "<p><strong>Raison d'être du poste</strong></p><p>{company} cherche une personne pour le poste « {title} ». "
    "Vous rejoignez une équipe multidisciplinaire et participez à des projets d'envergure au Québec.</p>"
    "<p><strong>Principales tâches et responsabilités</strong></p><ul><li>Réaliser les analyses et les calculs "
    "d'ingénierie</li><li>Préparer les plans, devis et rapports techniques</li><li>Collaborer avec les clients et "
    "les équipes de chantier</li></ul><p><strong>Qualifications requises</strong></p><ul><li>{profile}</li>"
    "<li>Rigueur, autonomie et sens du travail d'équipe</li></ul>"
)
DESCRIPTION_EN = (
    "<p><strong>Purpose of the position</strong></p><p>{company} is looking for a “{title}”. You join a "
    "multidisciplinary team working on major projects across Québec.</p><p><strong>Main duties</strong></p>"
    "<ul><li>Engineering analyses and calculations</li><li>Drawings, specifications and technical reports</li>"
    "<li>Working with clients and site teams</li></ul><p><strong>Qualifications</strong></p><ul><li>{profile}</li></ul>"
)
PROFILE_FR = {"ing": "Membre de l'Ordre des ingénieurs du Québec", "cpi": "Candidat·e à la profession d'ingénieur"}
PROFILE_EN = {"ing": "Member of the Ordre des ingénieurs du Québec", "cpi": "Engineer in training (CPI)"}


def content_of(offer: DemoOffer, company: str, deadline: date) -> OfferContent:
    english = bool(offer.title_en)
    return OfferContent(
        title_fr=offer.title_fr,
        title_en=offer.title_en,
        description_fr=DESCRIPTION_FR.format(company=company, title=offer.title_fr, profile=PROFILE_FR[offer.profile]),
        description_en=DESCRIPTION_EN.format(company=company, title=offer.title_en, profile=PROFILE_EN[offer.profile])
        if english
        else "",
        function_type=offer.function_type,
        engineering_domains=offer.domains,
        employment_type=offer.employment_type,
        position_status=offer.position_status,
        work_formula=offer.work_formula,
        application_deadline=deadline,
        salary=offer.salary,
        years_on_roll=offer.years if offer.profile == "ing" else "",
        workplace=offer.workplace,
    )


class GrantingBank(CreditBank, Protocol):
    """A credit bank the seed can fill (these employers' credits are not catalog-billing's)."""

    def grant(self, group_id: str, credit_type: str, quantity: int = 1) -> None: ...


def seed_jobsite(
    bus: MessageBus[Dependencies],
    employers: list[tuple[str, str, str]],
    *,
    staff_id: str,
    bank: GrantingBank,
) -> dict[str, str]:
    """`bank`: an in-memory bank that can grant credits (offers.adapters.billing_client's).
    `employers`: (group_id, principal account id, company name) in JOBSITE order. Returns
    {title: offer id} of the offers made (none for an employer whose group has offers)."""
    now = bus.deps.clock.now()
    clock = SeedClock(now)
    seeding = MessageBus(
        bus.uow_factory, dataclasses.replace(bus.deps, clock=clock, bank=bank), commands=COMMAND_HANDLERS
    )
    with bus.new_uow() as uow:
        fresh = {
            i for i, (group_id, _, _) in enumerate(employers) if not sum(uow.offers.count_by_status(group_id).values())
        }
    staff = Caller(staff_id, "staff", "")
    made: dict[str, str] = {}
    # Oldest first, so that each approval happens at its own moment of the moved clock.
    for offer in sorted(OFFERS, key=lambda o: -o.approved_days_ago):
        if offer.employer not in fresh or offer.employer >= len(employers):
            continue
        group_id, principal_id, company = employers[offer.employer]
        principal = Caller(principal_id, "employer", "")
        for credit_type in (offer.profile, "vedette") if offer.featured else (offer.profile,):
            bank.grant(group_id, credit_type)
        clock.instant = now - timedelta(days=offer.approved_days_ago, hours=2)
        deadline = quebec_day(clock.now()) + timedelta(days=offer.deadline_days)
        config = OfferConfig(
            featured=offer.featured,
            apply_method="email" if offer.by_email else "url",
            apply_to=EMAIL_OF[offer.employer] if offer.by_email else SITE_OF[offer.employer],
        )
        content = content_of(offer, company, deadline)
        offer_id = seeding.handle(c.CreateDraft(group_id, offer.profile, principal, content, config)).id
        seeding.handle(c.SubmitOffer(offer_id, principal))
        clock.instant += timedelta(hours=1)
        seeding.handle(c.ApproveOffer(offer_id, staff))
        made[offer.title_fr] = offer_id
    clock.instant = now
    seeding.handle(c.PublishDue())
    seeding.handle(c.ExpireDue())
    return made
