"""The search's pure parts: the French text function (the terms SQLite indexes and PostgreSQL's
`fr_unaccent` produces), the query read from a URL (forgiving) or refused by the API (strict),
links built from it, the regions of a workplace, the FTS5 expression, and the fake index."""

from __future__ import annotations

import pytest
from offers_fakes import CALLERS, World
from sqlalchemy import create_engine, text
from werkzeug.datastructures import MultiDict

from offers.adapters.search_sql import fts_match
from offers.domain.offer import Workplace
from offers.domain.search import SearchQuery, french_terms, offer_regions, unaccent
from offers.service_layer import commands as c
from offers.service_layer import views
from plumbing.testing import create_test_database, drop_test_database


@pytest.mark.parametrize(
    "text_", ["ingenieure civile", "Ingénieur civil", "ingénieurs civils", "INGÉNIEURES CIVILES", "l'ingénieure civile"]
)
def test_accents_plurals_and_feminines_give_the_same_terms(text_):
    assert french_terms(text_) == ["ingenieur", "civil"]


def test_stop_words_go_digits_stay_and_ligatures_are_spelled_out():
    assert french_terms("Chargés de projets en génie") == french_terms("chargé projet génie")
    assert french_terms("de la et du") == []
    assert french_terms("Python 3 et C++ 2024") == ["python", "3", "2024"]  # "c" is a stop word (c')
    assert unaccent("Œuvre Ça ÉTÉ naïve") == "oeuvre ca ete naive"
    assert french_terms("<p>béton&nbsp;armé</p>") != []  # markup is not a word when indexing plain_text


def test_the_terms_are_those_of_postgresql_fr_unaccent():
    """The Python function and the migration's text-search configuration agree word for word."""
    from offers.bootstrap import MIGRATIONS_DIR
    from plumbing.migrations import upgrade

    url = create_test_database("test_offers_terms")
    try:
        upgrade(MIGRATIONS_DIR, url)
        sample = (
            "Ingénieure civile principale en structures, chargée des œuvres d'art : béton armé, ponts "
            "et chaussées ; gestion de projets électriques à Québec, Trois-Rivières et Montréal (2 postes)."
        )
        engine = create_engine(url)
        with engine.connect() as connection:
            lexemes = connection.execute(
                text("SELECT array_agg(lexeme) FROM unnest(to_tsvector('fr_unaccent', :t))"), {"t": sample}
            ).scalar_one()
        engine.dispose()
    finally:
        drop_test_database(url)
    # PostgreSQL also keeps a hyphenated word whole (trois-rivieres) beside its parts
    assert set(french_terms(sample)) == {lexeme for lexeme in lexemes if "-" not in lexeme}


def test_a_query_from_the_url_drops_what_it_does_not_know():
    args = MultiDict(
        [("q", "  génie   civil "), ("region", "03"), ("region", "99"), ("region", "03"), ("domaine", "civil"),
         ("profil", "ing"), ("profil", "x"), ("type", "stage"), ("formule", "hybride"), ("experience", "0-2"),
         ("entreprise", "c0ffee00-0000-4000-8000-000000000001"), ("entreprise", "<script>"), ("page", "abc")]
    )  # fmt: skip
    query = SearchQuery.from_args(args)
    assert query == SearchQuery(
        text="génie civil", domains=("civil",), regions=("03",), profiles=("ing",), employment_types=("stage",),
        work_formulas=("hybride",), years=("0-2",), companies=("c0ffee00-0000-4000-8000-000000000001",),
    )  # fmt: skip
    assert SearchQuery.from_args({"q": ["x" * 500], "page": ["9999"]}) == SearchQuery(text="x" * 200, page=500)
    assert SearchQuery.from_args({"page": ["-3"]}).page == 1
    assert SearchQuery.from_args({"q": ["génie\x00civil\n"]}).text == "génie civil"
    assert SearchQuery.from_args({}).is_empty() and SearchQuery.from_args({"page": "4"}).is_empty()
    assert not SearchQuery(regions=("03",)).is_empty() and not SearchQuery(text="civil").is_empty()


def test_links_keep_the_search():
    query = SearchQuery(text="génie civil", regions=("03", "06"), profiles=("ing",), page=3)
    assert query.to_args() == [
        ("q", "génie civil"),
        ("region", "03"),
        ("region", "06"),
        ("profil", "ing"),
        ("page", "3"),
    ]
    assert query.to_args(page=1, regions=("06",)) == [("q", "génie civil"), ("region", "06"), ("profil", "ing")]
    assert SearchQuery.from_args(MultiDict(query.to_args())) == query


def test_the_api_is_told_what_is_wrong():
    assert SearchQuery.problems({"q": ["civil"], "region": ["03"], "page": ["2"]}) == []
    fields = [p.field for p in SearchQuery.problems({"q": ["x" * 201], "region": ["99"], "page": ["0"]})]
    assert fields == ["q", "region", "page"]
    assert [p.field for p in SearchQuery.problems({"page": ["abc"], "profil": ["x"]})] == ["profil", "page"]


def test_the_regions_of_a_workplace():
    assert offer_regions(Workplace("address", "1, rue X", "montreal", "H2X 3J6")) == ("06",)
    assert offer_regions(Workplace("places", places=("amos", "03", "laval", "nowhere"))) == ("03", "08", "13")
    assert offer_regions(Workplace("outside_quebec")) == ()


@pytest.mark.parametrize(
    ("text_", "expected"),
    [
        ("ingénieure civile", '("ingenieur" AND "civil")'),
        ('"génie civil" or mécanique -stage', '(("gen civil")) OR (("mecan") NOT "stag")'),
        ("trois-rivières", '(("trois rivier"))'),
        ("de la", None),
        ("-civil", None),
        ('"" or', None),
    ],
)
def test_the_fts5_expression_reads_the_text_as_websearch_does(text_, expected):
    if expected is not None and not expected.startswith("(("):
        expected = f"({expected})"
    assert fts_match(text_) == expected


def test_the_fake_index_follows_the_bus_like_the_sql_one():
    world = World()
    offer = world.place("published")
    result = world.bus.query(views.search_offers, SearchQuery(text="ingénieure structure"), now=world.clock.now())
    assert [h.offer_id for h in result.hits] == [offer.id] and result.facets["region"] == {"06": 1}
    assert [h.offer_id for h in world.bus.query(views.similar_offers, offer.id, now=world.clock.now())] == []
    world.bus.handle(c.EndPublication(offer.id, CALLERS["principal"]))
    assert world.bus.query(views.search_offers, SearchQuery(), now=world.clock.now()).total == 0
