"""The anonymous search API (`GET /published-offers`): text, repeatable filters, pages, total and
facet counts; the former `limit`/`offset` still work; bad parameters are a 400 problem+json that
names them."""

from __future__ import annotations

import pytest

#: The fixtures (bundle, client, clock, bank, test keys).
from api_fixtures import bank, bundle, client, clock, test_keys  # noqa: F401 (fixtures of this module only)
from api_testkit import API
from offers_fakes import OTHER_GROUP
from test_search_sql import COMPANY_A, COMPANY_B, T0, _offer, oid

from offers.domain.offer import Workplace
from offers.service_layer import commands as c


@pytest.fixture
def online(bundle):
    bus = bundle.extras["bus"]
    bus.handle(c.RecordCompanyBranding(_offer(1, "x").group_id, COMPANY_A, "A", "Génivert inc.", None, T0))
    bus.handle(c.RecordCompanyBranding(OTHER_GROUP, COMPANY_B, "B", "Hydro-Béton ltée", None, T0))
    with bus.new_uow() as uow:
        uow.offers.add(_offer(1, "Ingénieur civil", engineering_domains=("civil",)))
        uow.offers.add(
            _offer(
                2, "Ingénieures civiles", group=OTHER_GROUP, engineering_domains=("civil", "structures"),
                workplace=Workplace("address", "2, rue Y", "beaupre", "G0A 1E0"),
            )
        )  # fmt: skip
        uow.offers.add(_offer(3, "Technologue en mécanique", engineering_domains=("mecanique",), profile="cpi"))
        uow.commit()


def test_search_with_text_filters_and_facets(client, online) -> None:
    response = client.get(f"{API}/published-offers", params={"q": "ingenieure civile"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert {o["id"] for o in body["items"]} == {oid(1), oid(2)} and body["total"] == 2
    assert body["facets"]["region"] == {"06": 1, "03": 1} and body["facets"]["profil"] == {"ing": 2}
    assert {o["company_name"] for o in body["items"]} == {"Génivert inc.", "Hydro-Béton ltée"}

    filtered = client.get(f"{API}/published-offers?domaine=civil&domaine=mecanique&region=06").json()
    assert [o["id"] for o in filtered["items"]] == [oid(1), oid(3)]
    assert filtered["facets"]["region"] == {"06": 2, "03": 1}  # the other region still counted
    assert filtered["facets"]["domaine"] == {"civil": 1, "mecanique": 1}
    assert client.get(f"{API}/published-offers?entreprise={COMPANY_B}").json()["total"] == 1


def test_pages_and_the_former_limit_and_offset(client, online) -> None:
    first = client.get(f"{API}/published-offers", params={"limit": 2}).json()
    assert [o["id"] for o in first["items"]] == [oid(1), oid(2)]
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    assert [o["id"] for o in client.get(f"{API}/published-offers?limit=2&page=2").json()["items"]] == [oid(3)]
    assert [o["id"] for o in client.get(f"{API}/published-offers?limit=2&offset=2").json()["items"]] == [oid(3)]
    assert len(client.get(f"{API}/published-offers").json()["items"]) == 3  # no parameter: as before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("q=" + "x" * 201, "q"),
        ("region=99", "region"),
        ("domaine=inconnu", "domaine"),
        ("profil=ingenieur", "profil"),
        ("entreprise=%3Cscript%3E", "entreprise"),
        ("page=0", "page"),
        ("page=501", "page"),
        ("page=deux", "page"),
        ("limit=20&offset=5", "offset"),
    ],
)
def test_bad_parameters_are_a_400_problem(client, online, query, field) -> None:
    response = client.get(f"{API}/published-offers?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    if problem.get("code") == "invalid_search":  # ours; connexion's own checks answer first for some
        assert problem["field"] == field and problem["errors"][0]["field"] == field
