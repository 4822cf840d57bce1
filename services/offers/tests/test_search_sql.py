"""The search index on both storage modes (SQLite FTS5 fed by the Python French stemmer,
PostgreSQL `fr_unaccent` + GIN), built by the migrations and kept by the repository: the same
queries find the same offers, filters, disjunctive facet counts, pagination, the online predicate
(no tick needed), featured and similar offers, and the index following the offers' lives
(approve, modify, end, expire, a company's new name)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from offers_fakes import CALLERS, GROUP, OTHER_GROUP, PRINCIPAL, ROLES, complete_config, complete_content
from sqlalchemy import insert, select

from offers.adapters.billing_client import InMemoryCreditBank
from offers.adapters.orm import memberships
from offers.adapters.orm_search import offer_search
from offers.bootstrap import bootstrap, offer_ticks
from offers.domain import posting
from offers.domain.offer import Offer, OfferStatus, Workplace
from offers.domain.search import SearchQuery
from offers.service_layer import commands as c
from offers.service_layer import views
from plumbing.clock import FixedClock
from plumbing.config import Settings
from plumbing.testing import create_test_database, drop_test_database

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
COMPANY_A, COMPANY_B = "c0000000-0000-4000-8000-00000000000a", "c0000000-0000-4000-8000-00000000000b"
DIALECTS = ("sqlite", "postgresql")


def oid(n: int) -> str:
    return str(uuid.UUID(int=n))


def _bundle(url: str):
    bank = InMemoryCreditBank()
    for credit_type in ("ing", "cpi", "vedette", "extension"):
        bank.grant(GROUP, credit_type, 20)
    clock = FixedClock(T0)
    bundle = bootstrap(dataclasses.replace(Settings.from_env("offers"), database_url=url), clock=clock, bank=bank)
    bundle.migrate()
    with bundle.runtime.engine.begin() as connection:
        for account, role in ROLES.items():
            connection.execute(
                insert(memberships).values(
                    account_id=account, group_id=GROUP, company_id=COMPANY_A, role=role, group_name="Groupe A",
                    company_name="Génivert inc.", version=1, updated_at=T0,
                )
            )  # fmt: skip
    bus = bundle.extras["bus"]
    bus.handle(c.RecordCompanyBranding(GROUP, COMPANY_A, "Groupe A", "Génivert inc.", "/logos/a.png", T0))
    bus.handle(c.RecordCompanyBranding(OTHER_GROUP, COMPANY_B, "Groupe B", "Hydro-Béton ltée", None, T0))
    return bundle, clock


def _offer(n: int, title: str, *, group: str = GROUP, start: datetime | None = None, **changes: object) -> Offer:
    """A published offer (as the state machine leaves one), its content `complete_content(**changes)`."""
    featured_until = changes.pop("featured_until", None)
    profile = str(changes.pop("profile", "ing"))
    content = complete_content(title_fr=title, title_en="", **changes)
    start = start or T0 - timedelta(days=n % 5 + 1, hours=n)
    offer = Offer(oid(n), group, profile, OfferStatus.PUBLISHED, PRINCIPAL, start, start, content, complete_config())
    offer.live_content, offer.ever_published = content, True
    offer.published_at, offer.publication_ends_at = start, posting.publication_ends_at(start)
    offer.featured_until = featured_until
    return offer


def corpus() -> list[Offer]:
    addr = Workplace("address", "1, rue X", "montreal", "H2X 3J6")
    return [
        _offer(1, "Ingénieur civil", engineering_domains=("civil",), years_on_roll="3-5", workplace=addr),
        _offer(
            2,
            "Ingénieurs civils en structures",
            group=OTHER_GROUP,
            engineering_domains=("civil", "structures"),
            employment_type="temporaire",
            work_formula="presentiel",
            workplace=Workplace("address", "2, rue Y", "beaupre", "G0A 1E0"),
        ),
        _offer(
            3,
            "Ingénieure mécanique",
            engineering_domains=("mecanique",),
            employment_type="stage",
            work_formula="teletravail",
            profile="cpi",
            years_on_roll="",
            workplace=Workplace("places", places=("03", "amos")),
        ),
        _offer(
            4,
            "Chargé de projets électriques",
            group=OTHER_GROUP,
            engineering_domains=("electrique",),
            workplace=Workplace("outside_quebec"),
            featured_until=T0 + timedelta(days=3),
        ),
        _offer(
            5,
            "Analyste de chantier",
            engineering_domains=("construction", "civil"),
            workplace=addr,
            description_fr="<p>Inspection du <strong>béton armé</strong> des ponts&nbsp;et des œuvres d'art"
            " avec un ingénieur.</p>",
        ),
        # past its end although no tick ran: it is still "published"
        _offer(6, "Ingénieur civil principal", start=T0 - timedelta(days=40), engineering_domains=("civil",)),
        # approved for a date to come
        _offer(7, "Ingénieur civil junior", start=T0 + timedelta(days=2), engineering_domains=("civil",)),
    ]


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory):
    pg_url = create_test_database("test_offers_search")
    built = {
        "sqlite": _bundle(f"sqlite:///{tmp_path_factory.mktemp('search') / 'o.db'}"),
        "postgresql": _bundle(pg_url),
    }
    for bundle, _clock in built.values():
        with bundle.extras["bus"].new_uow() as uow:
            for offer in corpus():
                uow.offers.add(offer)
            uow.commit()
    yield {name: bundle.extras["bus"] for name, (bundle, _clock) in built.items()}
    for bundle, _clock in built.values():
        bundle.runtime.engine.dispose()
    drop_test_database(pg_url)


def found(bus, now: datetime = T0, **args: object):
    query = SearchQuery.from_args({k: v if isinstance(v, list) else [v] for k, v in args.items()})
    return bus.query(views.search_offers, query, now=now)


def ids(result) -> list[str]:
    return [hit.offer_id for hit in result.hits]


QUERIES = [
    ({"q": "ingenieure civile"}, {1, 2}),
    ({"q": "Ingénieurs CIVILS"}, {1, 2}),
    ({"q": "ingénieur"}, {1, 2, 3, 5}),
    ({"q": "beton arme"}, {5}),
    ({"q": "oeuvres"}, {5}),
    ({"q": "hydro-béton"}, {2, 4}),
    ({"q": "génivert"}, {1, 3, 5}),
    ({"q": '"civils en structures"'}, {2}),
    ({"q": "mécanique or électrique"}, {3, 4}),
    ({"q": "civil -structures"}, {1}),
    ({"q": "de la"}, {1, 2, 3, 4, 5}),  # only stop words: the text is ignored
    ({"q": "introuvable"}, set()),
    ({"q": "civil", "region": "06"}, {1}),
    ({"domaine": ["civil", "mecanique"]}, {1, 2, 3, 5}),
    ({"domaine": "civil", "region": "03"}, {2}),
    ({"region": "08"}, {3}),
    ({"profil": "cpi"}, {3}),
    ({"type": "stage"}, {3}),
    ({"formule": "hybride", "experience": "3-5"}, {1}),
    ({"entreprise": COMPANY_B}, {2, 4}),
]


@pytest.mark.parametrize(("args", "expected"), QUERIES, ids=[str(a) for a, _ in QUERIES])
def test_the_same_queries_find_the_same_offers_on_both_databases(backends, args, expected):
    for dialect in DIALECTS:
        result = found(backends[dialect], **args)
        assert set(ids(result)) == {oid(n) for n in expected}, dialect
        assert result.total == len(expected)


def test_without_text_the_newest_come_first_and_with_text_the_best_ranked(backends):
    for dialect in DIALECTS:
        assert ids(found(backends[dialect])) == [oid(n) for n in (5, 1, 2, 3, 4)], dialect
        # in the title (or the company) before in the description only
        assert ids(found(backends[dialect], q="ingénieur"))[-1] == oid(5), dialect
        assert ids(found(backends[dialect], q="béton"))[-1] == oid(5), dialect


def test_hits_carry_what_the_list_shows(backends):
    for dialect in DIALECTS:
        (hit,) = found(backends[dialect], q="mécanique").hits
        assert (hit.company_name, hit.logo_url, hit.profile, hit.employment_type) == (
            "Génivert inc.", "/logos/a.png", "cpi", "stage",
        )  # fmt: skip
        assert hit.regions == ("03", "08") and hit.city == "" and hit.application_deadline == date(2026, 12, 31)
        assert hit.rank > 0 and not hit.featured
        (addressed,) = found(backends[dialect], q="ingénieur civil", region="06").hits
        assert addressed.city == "montreal" and addressed.regions == ("06",)


def test_facet_counts_are_disjunctive(backends):
    for dialect in DIALECTS:
        result = found(backends[dialect], domaine="civil", region="03")
        facets = result.facets
        # region: counted with the domain filter only, so the other regions still show
        assert facets["region"] == {"06": 2, "03": 1}, dialect
        # domaine: counted with the region filter only
        assert facets["domaine"] == {"civil": 1, "structures": 1, "mecanique": 1}, dialect
        assert facets["profil"] == {"ing": 1} and facets["entreprise"] == {COMPANY_B: 1}
        everything = found(backends[dialect]).facets
        assert everything["domaine"] == {
            "civil": 3, "structures": 1, "mecanique": 1, "electrique": 1, "construction": 1,
        }  # fmt: skip
        assert everything["entreprise"] == {COMPANY_A: 3, COMPANY_B: 2}
        assert everything["formule"] == {"hybride": 3, "presentiel": 1, "teletravail": 1}
        assert everything["experience"] == {"3-5": 1}


def test_pagination(backends):
    for dialect in DIALECTS:
        bus = backends[dialect]
        first = bus.query(views.search_offers, dataclasses.replace(SearchQuery(), per_page=2), now=T0)
        second = bus.query(views.search_offers, dataclasses.replace(SearchQuery(page=2), per_page=2), now=T0)
        third = bus.query(views.search_offers, dataclasses.replace(SearchQuery(page=3), per_page=2), now=T0)
        assert (ids(first), ids(second), ids(third)) == ([oid(5), oid(1)], [oid(2), oid(3)], [oid(4)])
        assert first.total == third.total == 5 and first.pages == 3
        assert ids(found(bus, page="9")) == [] and found(bus, page="9").total == 5


def test_online_is_decided_in_the_query_not_by_a_tick(backends):
    later = T0 + timedelta(days=3)
    for dialect in DIALECTS:
        bus = backends[dialect]
        assert oid(6) not in ids(found(bus, q="principal"))  # past its end, no tick ran
        assert oid(7) not in ids(found(bus, q="junior"))  # not yet
        assert ids(found(bus, later, q="junior")) == [oid(7)]
        ends = posting.publication_ends_at(T0 - timedelta(days=3, hours=2))  # offer 2's end
        assert oid(2) in ids(found(bus, ends - timedelta(seconds=1)))
        assert oid(2) not in ids(found(bus, ends))


def test_featured_and_similar(backends):
    for dialect in DIALECTS:
        bus = backends[dialect]
        assert [h.offer_id for h in bus.query(views.featured_offers, now=T0)] == [oid(4)]
        assert bus.query(views.featured_offers, now=T0 + timedelta(days=4)) == ()
        (hit,) = bus.query(views.featured_offers, now=T0)
        assert hit.featured
        # offer 6 expired (civil, Montréal): civil in Montréal first (newest first), then civil elsewhere
        similar = [h.offer_id for h in bus.query(views.similar_offers, oid(6), now=T0)]
        assert similar == [oid(5), oid(1), oid(2)], dialect
        assert bus.query(views.similar_offers, "no-such-offer", now=T0) == ()


# The index follows the offers' lives ----------------------------------------------------------


@pytest.fixture(params=DIALECTS)
def service(request, tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'o.db'}" if request.param == "sqlite" else create_test_database("test_offers_srch")
    bundle, clock = _bundle(url)
    yield bundle, clock
    bundle.runtime.engine.dispose()
    if request.param == "postgresql":
        drop_test_database(url)


def indexed(bundle) -> list[str]:
    with bundle.runtime.engine.connect() as connection:
        return list(connection.execute(select(offer_search.c.offer_id).order_by(offer_search.c.offer_id)).scalars())


def test_approve_modify_end_withdraw_and_expire_keep_the_index(service):
    bundle, clock = service
    bus = bundle.extras["bus"]
    principal, staff = CALLERS["principal"], CALLERS["staff"]
    draft = bus.handle(c.CreateDraft(GROUP, "ing", principal, complete_content(), complete_config()))
    bus.handle(c.SubmitOffer(draft.id, principal))
    assert indexed(bundle) == []  # in validation: not public yet
    bus.handle(c.ApproveOffer(draft.id, staff))
    assert ids(found(bus, q="structures")) == [draft.id]
    bus.handle(c.ModifyOffer(draft.id, principal, complete_content(title_fr="Ingénieure en hydraulique")))
    assert ids(found(bus, q="structures")) == [draft.id]  # online with its approved content meanwhile
    assert ids(found(bus, q="hydraulique")) == []
    bus.handle(c.ApproveOffer(draft.id, staff))
    assert ids(found(bus, q="hydraulique")) == [draft.id] and ids(found(bus, q="structures")) == []
    bus.handle(c.EndPublication(draft.id, principal))
    assert indexed(bundle) == [] and ids(found(bus)) == []

    withdrawn = bus.handle(c.CreateDraft(GROUP, "ing", principal, complete_content(), complete_config()))
    bus.handle(c.SubmitOffer(withdrawn.id, principal))
    bus.handle(c.ApproveOffer(withdrawn.id, staff))
    assert indexed(bundle) == [withdrawn.id]
    bus.handle(c.WithdrawOffer(withdrawn.id, staff, "Offre non conforme."))
    assert indexed(bundle) == []

    other = bus.handle(c.CreateDraft(GROUP, "ing", principal, complete_content(), complete_config()))
    bus.handle(c.SubmitOffer(other.id, principal))
    bus.handle(c.ApproveOffer(other.id, staff))
    assert indexed(bundle) == [other.id]
    clock.advance(days=31)
    assert ids(found(bus, clock.now())) == []  # before any tick
    offer_ticks(bus)
    assert indexed(bundle) == []  # expired: dropped


def test_a_new_company_name_and_logo_reach_the_hits(service):
    bundle, _clock = service
    bus = bundle.extras["bus"]
    with bus.new_uow() as uow:
        uow.offers.add(_offer(1, "Ingénieur civil"))
        uow.commit()
    bus.handle(
        c.RecordCompanyBranding(GROUP, COMPANY_B, "Groupe A", "Polytechno inc.", "/logos/p.png", T0 + timedelta(1))
    )
    (hit,) = found(bus, q="polytechno").hits
    assert (hit.company_id, hit.company_name, hit.logo_url) == (COMPANY_B, "Polytechno inc.", "/logos/p.png")
    assert ids(found(bus, q="génivert")) == []
    assert found(bus).facets["entreprise"] == {COMPANY_B: 1}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_migration_indexes_the_offers_already_online(dialect, tmp_path: Path):
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from offers.adapters.repository import SqlOfferRepository
    from offers.bootstrap import MIGRATIONS_DIR
    from plumbing.migrations import upgrade

    url = f"sqlite:///{tmp_path / 'o.db'}" if dialect == "sqlite" else create_test_database("test_offers_backfill")
    try:
        upgrade(MIGRATIONS_DIR, url, "0006")
        engine = create_engine(url)
        with Session(engine) as session, session.begin():
            repository = SqlOfferRepository(session)  # before the index existed
            for offer in corpus():
                repository.add(offer)
            draft = _offer(8, "Brouillon")
            draft.live_content, draft.status = None, OfferStatus.DRAFT
            repository.add(draft)
        engine.dispose()
        upgrade(MIGRATIONS_DIR, url)
        bundle = bootstrap(dataclasses.replace(Settings.from_env("offers"), database_url=url), clock=FixedClock(T0))
        bus = bundle.extras["bus"]
        assert set(indexed(bundle)) == {oid(n) for n in (1, 2, 3, 4, 5, 6, 7)}  # 6 and 7: not online now
        assert {h.offer_id for h in found(bus, q="ingénieure civile").hits} == {oid(1), oid(2)}
        bundle.runtime.engine.dispose()
    finally:
        if dialect == "postgresql":
            drop_test_database(url)
