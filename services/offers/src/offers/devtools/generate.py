"""Demo and bench data: `python -m offers.devtools.generate --live N --past M [--database-url URL]`.

Writes N offers online now (indexed for the search) and M past ones (expired long ago, not
indexed), of made-up companies, with French titles and descriptions drawn from small word lists,
their domains, regions, employment types and formulas spread over the reference data. Rows go in
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

ROLES = (
    "Ingénieur·e",
    "Ingénieur·e principal·e",
    "Ingénieur·e junior",
    "Ingénieur·e de projets",
    "Chargé·e de projets",
    "Directeur·rice technique",
    "Gestionnaire de projets",
    "Ingénieur·e concepteur·rice",
    "Spécialiste",
    "Chef·fe d'équipe",
    "Ingénieur·e de procédés",
    "Surintendant·e de chantier",
)
CPI_ROLES = ("Candidat·e à la profession d'ingénieur", "CPI", "Ingénieur·e junior (CPI)", "Stagiaire en génie")
MISSIONS = (
    "Concevoir et dimensionner des ouvrages et des installations",
    "Préparer les plans, devis et estimations des coûts",
    "Superviser les travaux de chantier et la qualité de l'exécution",
    "Réaliser des inspections, des relevés et des rapports techniques",
    "Coordonner des équipes multidisciplinaires et les sous-traitants",
    "Analyser les données d'essais et recommander des améliorations",
    "Assurer le respect des normes, des codes et de la réglementation",
    "Participer à la planification des projets d'infrastructures",
    "Modéliser les réseaux et simuler leur comportement",
    "Rédiger des appels d'offres et évaluer les soumissions",
    "Optimiser les procédés de production et la maintenance",
    "Accompagner les clients municipaux et industriels",
)
SUBJECTS = (
    "ponts et viaducs",
    "réseaux d'aqueduc et d'égout",
    "bâtiments institutionnels",
    "postes électriques",
    "usines de traitement des eaux",
    "systèmes de ventilation",
    "centrales hydroélectriques",
    "chaussées et routes",
    "structures en béton armé",
    "charpentes d'acier",
    "automatisation industrielle",
    "logiciels embarqués",
    "mines à ciel ouvert",
    "barrages",
    "télécommunications",
)
QUALIFICATIONS = (
    "Membre de l'Ordre des ingénieurs du Québec",
    "Maîtrise d'AutoCAD, de Revit ou de Civil 3D",
    "Excellente communication en français, à l'oral comme à l'écrit",
    "Connaissance de l'anglais technique",
    "Sens de l'organisation et autonomie",
    "Expérience en gestion de projets",
    "Permis de conduire valide",
    "Connaissance des logiciels de calcul de structures",
)
BENEFITS = (
    "Horaire flexible et télétravail partiel",
    "Assurances collectives et régime de retraite",
    "Formation continue payée",
    "Quatre semaines de vacances dès la première année",
    "Programme de mieux-être",
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

    def _description(self, subject: str) -> str:
        rng = self.rng
        missions = "".join(f"<li>{m} ({rng.choice(SUBJECTS)}).</li>" for m in rng.sample(MISSIONS, rng.randint(3, 5)))
        skills = "".join(f"<li>{q}.</li>" for q in rng.sample(QUALIFICATIONS, rng.randint(2, 4)))
        perks = ", ".join(rng.sample(BENEFITS, 2)).lower()
        return (
            f"<p><strong>Raison d'être du poste</strong> : notre équipe cherche une personne pour ses projets de "
            f"{subject}.</p><p><strong>Tâches</strong></p><ul>{missions}</ul>"
            f"<p><strong>Qualifications</strong></p><ul>{skills}</ul><p>Nous offrons : {perks}.</p>"
        )

    def make(self, published_at: datetime, *, live: bool, now: datetime) -> tuple[Offer, CompanyBranding]:
        rng = self.rng
        brand = rng.choice(self.brands)
        profile = "cpi" if rng.random() < 0.2 else "ing"
        domains = rng.sample(self.domains, rng.choice((1, 1, 1, 2, 3)))
        role = rng.choice(CPI_ROLES if profile == "cpi" else ROLES)
        subject = rng.choice(SUBJECTS)
        title = f"{role} – {domains[0].fr.lower()}"
        if rng.random() < 0.4:
            title += f", {subject}"
        ends = posting.publication_ends_at(published_at)
        content = OfferContent(
            title_fr=title[:150],
            title_en="",
            description_fr=self._description(subject),
            function_type=rng.choice(self.codes["function_types"]),
            engineering_domains=tuple(d.code for d in domains),
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
