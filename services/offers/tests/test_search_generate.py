"""The demo/bench generator: live offers online and indexed, past ones expired and not indexed,
the same data for a seed, searchable on SQLite and PostgreSQL through the real adapter."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from test_search_sql import T0

from offers.adapters.orm import offers
from offers.adapters.orm_search import offer_search
from offers.bootstrap import bootstrap
from offers.devtools import generate
from offers.domain.search import SearchQuery
from offers.service_layer import views
from plumbing.clock import FixedClock
from plumbing.config import Settings
from plumbing.testing import create_test_database, drop_test_database


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'o.db'}"
        return
    made = create_test_database("test_offers_gen")
    yield made
    drop_test_database(made)


def test_live_offers_are_indexed_and_past_ones_are_not(url, capsys):
    assert generate.main(["--live", "40", "--past", "60", "--database-url", url, "--now", T0.isoformat()]) == 0
    assert "40 live (indexed) and 60 past offers" in capsys.readouterr().out
    engine = create_engine(url)
    with engine.connect() as connection:
        statuses = dict(connection.execute(select(offers.c.status, func.count()).group_by(offers.c.status)).all())
        indexed = connection.execute(select(func.count()).select_from(offer_search)).scalar_one()
        titles = connection.execute(select(offers.c.title_fr).limit(5)).scalars().all()
    engine.dispose()
    assert statuses == {"published": 40, "expired": 60} and indexed == 40
    assert all(title.strip() for title in titles)

    bundle = bootstrap(dataclasses.replace(Settings.from_env("offers"), database_url=url), clock=FixedClock(T0))
    bus = bundle.extras["bus"]
    everything = bus.query(views.search_offers, SearchQuery(), now=T0)
    assert everything.total == 40 and sum(everything.facets["profil"].values()) == 40
    assert sum(everything.facets["entreprise"].values()) == 40
    engineers = bus.query(views.search_offers, SearchQuery(text="ingenieure"), now=T0)
    assert 0 < engineers.total < 40
    later = bus.query(views.search_offers, SearchQuery(), now=T0 + timedelta(days=31))
    assert later.total == 0  # every live one ended by then; the past ones never come back
    bundle.runtime.engine.dispose()


def test_the_same_seed_gives_the_same_offers(tmp_path: Path):
    def titles(name: str) -> list[str]:
        url = f"sqlite:///{tmp_path / name}"
        generate.main(["--live", "5", "--past", "5", "--database-url", url, "--now", T0.isoformat(), "--seed", "3"])
        engine = create_engine(url)
        with engine.connect() as connection:
            found = connection.execute(select(offers.c.id, offers.c.title_fr).order_by(offers.c.id)).all()
        engine.dispose()
        return [tuple(row) for row in found]

    assert titles("a.db") == titles("b.db")


def test_bad_counts_are_refused():
    with pytest.raises(SystemExit):
        generate.main(["--live", "-1"])
