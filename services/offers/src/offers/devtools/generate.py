"""Demo and bench data: `python -m offers.devtools.generate --live N --past M [--database-url URL]`.

Writes N offers online now (indexed for the search) and M past ones (expired long ago, not
indexed), of made-up companies, with French titles and descriptions drawn from word lists by
engineering domain (titles, projects and tools per domain of the reference data; generic tasks,
qualifications and benefits), so that a two-word search finds a few percent of the offers, not a
quarter; their domains, regions, employment types and formulas spread over the reference data. Rows go in
by batches of multi-row INSERTs (executemany) built by the same builders the repository and the
index use (`repository.offer_row`, `search_sql.search_row`/`search_values`/`write_index`), with no
ORM round trip per offer. Brings the database to the latest migration first. Deterministic for a
given `--seed` and `--now`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Connection

from offers.adapters.orm import company_brandings, offers
from offers.adapters.repository import offer_row
from offers.adapters.search_sql import search_row, search_values, write_index
from offers.domain import posting, reference
from offers.domain.model import CompanyBranding
from offers.domain.offer import Offer, OfferConfig, OfferContent, OfferStatus, Workplace

#: Job titles by engineering domain (reference code); the role words before them vary.
TITLES = {
    "aerospatial": ("Ingénieur·e aérospatial·e", "Ingénieur·e en navigabilité", "Analyste en aérodynamique",
                    "Ingénieur·e en propulsion", "Spécialiste en avionique"),
    "agricole": ("Ingénieur·e agricole", "Conseiller·ère en génie agroenvironnemental",
                 "Ingénieur·e en machinerie agricole", "Spécialiste en drainage agricole"),
    "alimentaire": ("Ingénieur·e alimentaire", "Ingénieur·e en procédés alimentaires",
                    "Responsable de la salubrité et de l'emballage"),
    "batiment": ("Ingénieur·e en mécanique du bâtiment", "Ingénieur·e en efficacité énergétique des bâtiments",
                 "Concepteur·rice CVAC", "Ingénieur·e en plomberie et protection incendie"),
    "biomedical": ("Ingénieur·e biomédical·e", "Ingénieur·e en dispositifs médicaux",
                   "Spécialiste en équipements d'imagerie médicale"),
    "biotechnologique": ("Ingénieur·e en bioprocédés", "Spécialiste en fermentation et bioréacteurs"),
    "chimique": ("Ingénieur·e chimiste", "Ingénieur·e de procédés chimiques", "Spécialiste en pétrochimie",
                 "Ingénieur·e en polymères"),
    "civil": ("Ingénieur·e civil·e", "Ingénieur·e en génie civil municipal", "Chargé·e de projets en génie civil",
              "Surveillant·e de chantier en génie civil"),
    "construction": ("Ingénieur·e de construction", "Estimateur·rice en construction", "Surintendant·e de chantier",
                     "Gestionnaire de projets de construction"),
    "eaux": ("Ingénieur·e en hydraulique", "Ingénieur·e en traitement des eaux", "Hydrologue",
             "Spécialiste des réseaux d'aqueduc"),
    "electrique": ("Ingénieur·e électricien·ne", "Ingénieur·e en distribution électrique",
                   "Ingénieur·e en protection de réseaux", "Concepteur·rice en électricité du bâtiment"),
    "electronique": ("Ingénieur·e en électronique", "Concepteur·rice de circuits imprimés",
                     "Ingénieur·e en microélectronique", "Spécialiste en instrumentation"),
    "energie": ("Ingénieur·e en énergie renouvelable", "Analyste en transition énergétique",
                "Ingénieur·e éolien·ne", "Spécialiste en stockage d'énergie"),
    "environnement": ("Ingénieur·e en environnement", "Spécialiste en sols contaminés",
                      "Analyste en évaluation environnementale", "Ingénieur·e en gestion des matières résiduelles"),
    "forestier": ("Ingénieur·e forestier·ère", "Aménagiste forestier·ère", "Spécialiste en bioproduits du bois"),
    "geologique": ("Ingénieur·e géologue", "Hydrogéologue", "Spécialiste en exploration minérale"),
    "geomatique": ("Ingénieur·e en géomatique", "Analyste SIG", "Spécialiste en photogrammétrie et lidar"),
    "geotechnique": ("Ingénieur·e géotechnicien·ne", "Spécialiste en fondations et talus",
                     "Ingénieur·e en mécanique des sols"),
    "industriel": ("Ingénieur·e industriel·le", "Ingénieur·e en amélioration continue", "Analyste en logistique",
                   "Responsable de l'ingénierie de fabrication"),
    "informatique": ("Ingénieur·e informatique", "Architecte de solutions infonuagiques",
                     "Ingénieur·e en cybersécurité", "Ingénieur·e en systèmes embarqués"),
    "logiciel": ("Ingénieur·e logiciel", "Développeur·euse Python", "Architecte logiciel",
                 "Ingénieur·e en apprentissage automatique", "Ingénieur·e DevOps"),
    "materiaux": ("Ingénieur·e en matériaux", "Spécialiste en composites", "Ingénieur·e en corrosion"),
    "mecanique": ("Ingénieur·e mécanique", "Concepteur·rice mécanique", "Ingénieur·e en fiabilité",
                  "Ingénieur·e en conception de machines"),
    "metallurgique": ("Ingénieur·e métallurgiste", "Spécialiste en soudage", "Ingénieur·e en fonderie"),
    "minier": ("Ingénieur·e minier·ère", "Ingénieur·e en planification minière", "Spécialiste en ventilation minière",
               "Ingénieur·e en dynamitage"),
    "physique": ("Ingénieur·e physicien·ne", "Spécialiste en optique et photonique", "Ingénieur·e en acoustique"),
    "production-automatisee": ("Ingénieur·e en automatisation", "Programmeur·euse d'automates",
                               "Ingénieur·e en robotique", "Intégrateur·rice de systèmes de contrôle"),
    "structures": ("Ingénieur·e en structures", "Concepteur·rice de charpentes", "Ingénieur·e en ouvrages d'art",
                   "Spécialiste en réhabilitation de structures"),
    "telecommunications": ("Ingénieur·e en télécommunications", "Ingénieur·e en radiofréquences",
                           "Concepteur·rice de réseaux de fibre optique"),
    "transport": ("Ingénieur·e en transport", "Ingénieur·e en circulation", "Planificateur·rice en mobilité",
                  "Ingénieur·e ferroviaire"),
}
#: Subjects (the projects) and tools by domain.
SUBJECTS = {
    "aerospatial": ("trains d'atterrissage", "moteurs d'avion", "satellites", "cabines d'hélicoptère"),
    "agricole": ("bâtiments d'élevage", "systèmes d'irrigation", "serres", "silos"),
    "alimentaire": ("lignes d'embouteillage", "fromageries", "boulangeries industrielles", "abattoirs"),
    "batiment": ("hôpitaux", "écoles", "tours de bureaux", "résidences pour aînés"),
    "biomedical": ("stimulateurs cardiaques", "appareils d'IRM", "prothèses", "blocs opératoires"),
    "biotechnologique": ("vaccins", "enzymes", "biocarburants"),
    "chimique": ("raffineries", "usines d'engrais", "peintures", "électrolyseurs"),
    "civil": ("ponts et viaducs", "aqueducs et égouts", "voirie municipale", "barrages"),
    "construction": ("centres commerciaux", "chantiers résidentiels", "stades", "entrepôts"),
    "eaux": ("usines de filtration", "stations d'épuration", "bassins de rétention", "réseaux pluviaux"),
    "electrique": ("postes électriques", "lignes de transport d'électricité", "centrales hydroélectriques",
                   "bornes de recharge"),
    "electronique": ("cartes de contrôle", "capteurs", "onduleurs", "microcontrôleurs"),
    "energie": ("parcs éoliens", "centrales solaires", "réseaux de chaleur", "batteries"),
    "environnement": ("sites contaminés", "lieux d'enfouissement", "études d'impact", "milieux humides"),
    "forestier": ("chemins forestiers", "scieries", "plans d'aménagement", "pépinières"),
    "geologique": ("gisements de lithium", "forages d'exploration", "nappes phréatiques"),
    "geomatique": ("cadastres", "levés lidar", "cartographie numérique", "jumeaux numériques"),
    "geotechnique": ("pieux et fondations", "talus et remblais", "tunnels", "sols argileux"),
    "industriel": ("chaînes de montage", "centres de distribution", "ateliers d'usinage"),
    "informatique": ("centres de données", "plateformes infonuagiques", "objets connectés"),
    "logiciel": ("applications mobiles", "plateformes de paiement", "modèles de langage", "logiciels embarqués"),
    "materiaux": ("alliages d'aluminium", "bétons à haute performance", "matériaux composites"),
    "mecanique": ("convoyeurs", "turbines", "pompes", "équipements de levage"),
    "metallurgique": ("alumineries", "aciéries", "fonderies"),
    "minier": ("mines à ciel ouvert", "mines souterraines", "usines de concentration", "parcs à résidus"),
    "physique": ("lasers", "capteurs optiques", "instruments de mesure"),
    "production-automatisee": ("cellules robotisées", "lignes d'emballage", "usines 4.0"),
    "structures": ("charpentes d'acier", "structures en béton armé", "bâtiments en bois massif", "passerelles"),
    "telecommunications": ("réseaux 5G", "fibre optique", "antennes", "liaisons satellites"),
    "transport": ("autoroutes", "tramways", "carrefours giratoires", "pistes cyclables"),
}
TOOLS = {
    "aerospatial": "CATIA et ANSYS", "agricole": "AutoCAD et HEC-RAS", "alimentaire": "HACCP et SAP",
    "batiment": "Revit MEP et EnergyPlus", "biomedical": "SolidWorks et la norme ISO 13485",
    "biotechnologique": "les BPF et SuperPro Designer", "chimique": "Aspen Plus et HYSYS",
    "civil": "AutoCAD Civil 3D", "construction": "MS Project et Procore", "eaux": "EPANET et SWMM",
    "electrique": "ETAP et SKM", "electronique": "Altium et LTspice", "energie": "RETScreen et HOMER",
    "environnement": "ArcGIS et les méthodes d'échantillonnage", "forestier": "ArcGIS et FPInterface",
    "geologique": "Leapfrog et Surpac", "geomatique": "QGIS, ArcGIS et PostGIS", "geotechnique": "Slide et Plaxis",
    "industriel": "Lean Six Sigma et SAP", "informatique": "Kubernetes et Terraform",
    "logiciel": "Python, Rust et TypeScript", "materiaux": "la microscopie électronique et Thermo-Calc",
    "mecanique": "SolidWorks et Inventor", "metallurgique": "Thermo-Calc et la métallographie",
    "minier": "Deswik et Vulcan", "physique": "COMSOL et Zemax", "production-automatisee": "Rockwell et Siemens TIA",
    "structures": "SAP2000, ETABS et SAFE", "telecommunications": "Atoll et les normes 3GPP",
    "transport": "Synchro, Vissim et Aimsun",
}
ROLES = ("", "", "", "", "Senior – ", "Junior – ", "Principal·e – ", "Chef·fe d'équipe – ")
CPI_ROLES = ("CPI – ", "Candidat·e à la profession d'ingénieur – ", "Stagiaire – ")
MISSIONS = (
    "Concevoir et dimensionner {s}",
    "Préparer les plans, devis et estimations des coûts de {s}",
    "Superviser les travaux et la qualité d'exécution pour des {s}",
    "Réaliser des inspections et des rapports techniques sur des {s}",
    "Coordonner des équipes multidisciplinaires et les sous-traitants",
    "Analyser les données d'essais et recommander des améliorations",
    "Assurer le respect des normes, des codes et de la réglementation",
    "Participer à la planification des projets de l'équipe",
    "Modéliser et simuler le comportement de {s}",
    "Rédiger des appels d'offres et évaluer les soumissions",
    "Optimiser la maintenance et la performance de {s}",
    "Accompagner nos clients publics et privés",
    "Mettre à jour la documentation et les procédures",
    "Encadrer des stagiaires et des technicien·nes",
    "Présenter les résultats aux clients et aux autorités",
    "Évaluer les risques et proposer des mesures correctives",
    "Assurer la veille technologique de votre secteur",
    "Préparer les demandes de permis et d'autorisation",
)
QUALIFICATIONS = (
    "Membre de l'Ordre des ingénieurs du Québec",
    "Baccalauréat dans une discipline pertinente",
    "Maîtrise de {t}",
    "Excellente communication en français, à l'oral comme à l'écrit",
    "Connaissance de l'anglais technique",
    "Sens de l'organisation et autonomie",
    "Expérience en gestion de projets",
    "Permis de conduire valide",
    "Capacité à travailler sous pression et à respecter les échéances",
    "Esprit d'analyse et de synthèse",
    "Disponibilité pour des déplacements en région",
)
INTROS = (
    "Vous aimez relever des défis techniques au sein d'une équipe soudée ?",
    "Joignez-vous à une entreprise en pleine croissance, reconnue pour la qualité de ses réalisations.",
    "Notre équipe grandit et cherche une personne passionnée pour ses mandats de {s}.",
    "Vous souhaitez contribuer à des projets qui ont du sens pour les collectivités ?",
    "Nous réalisons depuis plus de vingt ans des projets de {s} partout au Québec.",
    "Ce poste est une occasion de faire progresser votre carrière auprès de mentors expérimentés.",
)
BENEFITS = (
    "Horaire flexible et télétravail partiel",
    "Assurances collectives et régime de retraite",
    "Formation continue payée",
    "Quatre semaines de vacances dès la première année",
    "Programme de mieux-être",
    "Stationnement gratuit",
    "Prime annuelle selon les résultats",
    "Remboursement de la cotisation à l'Ordre",
    "Allocation pour le transport collectif",
)
COMPANY_NAMES = (
    "Génivert",
    "Hydro-Béton",
    "Structura",
    "Boréal",
    "Polytechno",
    "Laurentide",
    "Fleuve",
    "Cimaq",
    "Axiome",
    "Nordik",
    "Saint-Laurent",
    "Arpent",
    "Vectra",
    "Mistral",
    "Outremont",
)
COMPANY_KINDS = ("inc.", "Ingénierie", "Experts-conseils", "Groupe conseil", "Solutions", "Technologies")
POSTAL = ("H2X 3J6", "G1R 4P5", "J4K 2T6", "H3B 1A7", "G9A 5H7", "J8Y 3R4")


@dataclass
class Generated:
    live: int
    past: int
    companies: int
    seconds: float


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def companies(rng: random.Random, count: int, now: datetime) -> list[CompanyBranding]:
    made = []
    for n in range(count):
        name = (
            f"{COMPANY_NAMES[n % len(COMPANY_NAMES)]} {COMPANY_KINDS[(n // len(COMPANY_NAMES)) % len(COMPANY_KINDS)]}"
        )
        if n >= len(COMPANY_NAMES) * len(COMPANY_KINDS):
            name += f" {n // (len(COMPANY_NAMES) * len(COMPANY_KINDS)) + 1}"
        made.append(CompanyBranding(_uuid(rng), _uuid(rng), f"Groupe {n + 1:03d}", name, None, now))
    return made


class OfferMaker:
    """Offers drawn from the word lists and the reference data."""

    def __init__(self, rng: random.Random, brands: Sequence[CompanyBranding]) -> None:
        data = reference.load_reference()
        self.rng = rng
        self.brands = brands
        self.domains = data.choices("engineering_domains")
        self.municipalities = [m.code for m in data.choices("municipalities")]
        self.regions = [r.code for r in data.choices("regions")]
        self.codes = {
            kind: [c.code for c in data.choices(kind)]
            for kind in ("function_types", "employment_types", "position_statuses", "work_formulas", "years_on_roll")
        }

    def _workplace(self) -> Workplace:
        roll = self.rng.random()
        if roll < 0.80:
            city = self.rng.choice(self.municipalities)
            return Workplace("address", f"{self.rng.randint(1, 9999)}, rue Principale", city, self.rng.choice(POSTAL))
        if roll < 0.95:
            places = self.rng.sample(self.regions, self.rng.randint(1, 2)) + [self.rng.choice(self.municipalities)]
            return Workplace("places", places=tuple(places))
        return Workplace("outside_quebec")

    def _description(self, domains: Sequence[str], subject: str) -> str:
        rng = self.rng
        subjects = SUBJECTS[domains[0]]
        missions = "".join(
            f"<li>{m.format(s=rng.choice(subjects))}.</li>" for m in rng.sample(MISSIONS, rng.randint(4, 7))
        )
        tools = TOOLS[rng.choice(domains)]
        skills = "".join(f"<li>{q.format(t=tools)}.</li>" for q in rng.sample(QUALIFICATIONS, rng.randint(3, 6)))
        perks = ", ".join(rng.sample(BENEFITS, rng.randint(2, 4))).lower()
        intro = rng.choice(INTROS).format(s=subject)
        return (
            f"<p>{intro}</p><p><strong>Raison d'être du poste</strong> : notre équipe cherche une personne pour "
            f"ses projets de {subject}.</p><p><strong>Tâches</strong></p><ul>{missions}</ul>"
            f"<p><strong>Qualifications</strong></p><ul>{skills}</ul><p>Nous offrons : {perks}.</p>"
        )

    def make(self, published_at: datetime, *, live: bool, now: datetime) -> tuple[Offer, CompanyBranding]:
        rng = self.rng
        brand = rng.choice(self.brands)
        profile = "cpi" if rng.random() < 0.2 else "ing"
        domains = rng.sample(self.domains, rng.choice((1, 1, 1, 2, 3)))
        codes = [d.code for d in domains]
        role = rng.choice(CPI_ROLES if profile == "cpi" else ROLES)
        subject = rng.choice(SUBJECTS[codes[0]])
        title = role + rng.choice(TITLES[codes[0]])
        if rng.random() < 0.4:
            title += f", {subject}"
        ends = posting.publication_ends_at(published_at)
        content = OfferContent(
            title_fr=title[:150],
            title_en="",
            description_fr=self._description(codes, subject),
            function_type=rng.choice(self.codes["function_types"]),
            engineering_domains=tuple(codes),
            employment_type=rng.choice(self.codes["employment_types"]),
            position_status=rng.choice(self.codes["position_statuses"]),
            work_formula=rng.choice(self.codes["work_formulas"]),
            application_deadline=(ends - timedelta(days=rng.randint(1, 20))).date(),
            years_on_roll=rng.choice(self.codes["years_on_roll"]) if profile == "ing" and rng.random() < 0.5 else "",
            workplace=self._workplace(),
        )
        featured = live and rng.random() < 0.05
        config = OfferConfig(featured=featured, apply_method="url", apply_to="https://emplois.example/postuler")
        offer = Offer(
            _uuid(rng),
            brand.group_id,
            profile,
            OfferStatus.PUBLISHED if live else OfferStatus.EXPIRED,
            _uuid(rng),
            published_at - timedelta(days=2),
            published_at if live else ends,
            content,
            config,
            live_content=content,
            published_at=published_at,
            publication_ends_at=ends,
            featured_until=posting.featured_period(published_at, ends).ends_at if featured else None,
            ever_published=True,
            submitted_at=published_at - timedelta(days=1),
            submitted_by=None,
            credit_types_reserved=(profile, "vedette") if featured else (profile,),
        )
        return offer, brand


def _batches(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def write(
    connection: Connection,
    *,
    live: int,
    past: int,
    now: datetime,
    seed: int = 11,
    company_count: int | None = None,
    batch: int = 2000,
) -> Generated:
    """Write the companies, `live` offers online at `now` (indexed) and `past` expired ones."""
    started = time.perf_counter()
    rng = random.Random(seed)
    brands = companies(rng, company_count or max(5, min(400, (live + past) // 100)), now)
    connection.execute(
        insert(company_brandings),
        [
            {
                "group_id": b.group_id,
                "company_id": b.company_id,
                "group_name": b.group_name,
                "company_name": b.company_name,
                "logo_url": b.logo_url,
                "changed_at": b.changed_at,
                "description_html": f"<p>{b.company_name} conçoit et réalise des projets d'ingénierie partout "
                "au Québec.</p>",
                "website": f"https://emplois.example/entreprises/{b.company_id}",
            }
            for b in brands
        ],
    )
    maker = OfferMaker(rng, brands)
    for size in _batches(live, batch):
        made = [
            maker.make(now - timedelta(minutes=rng.randint(1, 28 * 24 * 60)), live=True, now=now) for _ in range(size)
        ]
        connection.execute(insert(offers), [offer_row(o) for o, _ in made])
        rows, values = [], []
        for offer, brand in made:
            row = search_row(offer, brand)
            assert row is not None
            rows.append(row)
            values.extend(search_values(row, offer.live_content))  # type: ignore[arg-type]
        write_index(connection, rows, values)
    for size in _batches(past, batch):
        made = [
            maker.make(now - timedelta(days=31, minutes=rng.randint(0, 3 * 365 * 24 * 60)), live=False, now=now)
            for _ in range(size)
        ]
        connection.execute(insert(offers), [offer_row(o) for o, _ in made])
    return Generated(live, past, len(brands), time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offers.devtools.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--live", type=int, default=100, help="offers online now (indexed)")
    parser.add_argument("--past", type=int, default=0, help="expired offers (not indexed)")
    parser.add_argument("--database-url", help="default: the offers service's (OFFERS_DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--now", help="ISO instant the live offers are online at (default: now)")
    parser.add_argument("--companies", type=int, help="how many companies (default: 1 per 100 offers, 5…400)")
    args = parser.parse_args(argv)
    if args.live < 0 or args.past < 0:
        parser.error("--live and --past are counts (0 or more)")
    from offers.bootstrap import MIGRATIONS_DIR
    from plumbing.config import Settings
    from plumbing.migrations import upgrade

    url = args.database_url or Settings.from_env("offers").database_url
    now = datetime.fromisoformat(args.now).astimezone(UTC) if args.now else datetime.now(UTC)
    upgrade(MIGRATIONS_DIR, url)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            done = write(
                connection, live=args.live, past=args.past, now=now, seed=args.seed, company_count=args.companies
            )
        with engine.begin() as connection:  # fresh statistics for the planner after a bulk load
            for name in ("offers", "offer_search", "offer_search_values"):
                connection.execute(text(f"ANALYZE {name}"))
    finally:
        engine.dispose()
    print(
        f"offers: {done.live} live (indexed) and {done.past} past offers of {done.companies} companies "
        f"written in {done.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
