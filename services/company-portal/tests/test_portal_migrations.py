"""Migrations on SQLite (embedded) and PostgreSQL (distributed): the schema they build is the ORM's,
the first start of the embedded suite loads the registry sample, and the flows run on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from portal_testkit import make_settings, new_id, outbox

from company_portal.adapters import orm
from company_portal.bootstrap import bootstrap, load_registry_file
from company_portal.config import PortalConfig
from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from plumbing.clock import FixedClock
from plumbing.testing import create_test_database, drop_test_database


def schema_differences(engine) -> list:
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), orm.metadata)
    # plumbing's inbox declares UNIQUE(message_id, consumer) on top of the same primary key;
    # PostgreSQL keeps one constraint for both, so the unique one never reflects back.
    return [d for d in found if not (d[0] == "add_constraint" and d[1].table.name == "inbox")]


def test_migrations_go_down_and_up_again(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from plumbing.migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'updown.db'}"
    bundle = bootstrap(make_settings(tmp_path, url), clock=FixedClock(), config=PortalConfig())
    bundle.migrate()
    config = alembic_config(bundle.migrations_dir, url)
    command.downgrade(config, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
    command.upgrade(config, "head")
    bundle.runtime.engine.dispose()


def exercise(bundle, tmp_path: Path) -> None:
    """A short tour: registry import, search, wizard, staff approval, idempotent staff call."""
    sample = tmp_path / "sample.csv"
    from company_portal.adapters.registry_csv import write_sample

    write_sample(sample, 400, 42)
    report = load_registry_file(bundle.bus, sample)
    assert report.inserted > 350 and report.invalid == []
    assert load_registry_file(bundle.bus, sample).inserted == 0
    bus = bundle.bus
    assert bus.query(views.search_companies, "GENIE CONSEIL RIVIERE")[0]["legal_name"] == "Génie-Conseil Rivière inc."
    assert bus.query(views.search_companies, "1165432109")[0]["legal_name"] == "Génivert inc."
    company_id = bus.query(views.search_companies, "1165432109")[0]["id"]
    requester = new_id()
    bus.handle(c.ChooseCompany(requester, company_id))
    bus.handle(c.SaveCompanyInfo(requester, {"legal_name": "Génivert inc.", "phone": "514 555 0100",
                                             "country": "Canada", "address": "1200, rue Saint-Denis",
                                             "city": "Montréal", "province": "QC", "postal_code": "H2X 3J6"}))
    bus.handle(c.SaveAboutYou(requester, "m@genivert.ca", {"first_name": "Marie", "last_name": "Tremblay",
                                                           "phone": "514 555 0101", "function": "Ing.",
                                                           "group": "new"}))
    request = bus.handle(c.SubmitRequest(requester, "m@genivert.ca"))
    bus.handle(c.ApplyStaffApproval(request.id, new_id(), "s@oiq.qc.ca"))
    [group] = bus.query(views.my_groups, requester)
    assert (group["name"], group["role"]) == ("Groupe 001", "principal")
    assert {e.type for e in outbox(bundle)} >= {"portal.request.submitted", "portal.request.approved",
                                                "portal.membership.granted"}


def test_sqlite_migrations_and_first_start(tmp_path):
    bundle = bootstrap(make_settings(tmp_path), clock=FixedClock(), config=PortalConfig(registry_sample=300))
    bundle.migrate()
    assert schema_differences(bundle.runtime.engine) == []
    with bundle.bus.new_uow() as uow:
        assert uow.queries.company_count() > 280  # the sample, loaded at first start
    bundle.migrate()  # a second start loads nothing more
    with bundle.bus.new_uow() as uow:
        first = uow.queries.company_count()
    assert first < 300
    assert (tmp_path / "registry-sample-300-42.csv").is_file()
    bundle.runtime.engine.dispose()


def test_sqlite_flows(tmp_path):
    bundle = bootstrap(make_settings(tmp_path), clock=FixedClock(), config=PortalConfig())
    bundle.migrate()
    exercise(bundle, tmp_path)
    bundle.runtime.engine.dispose()


@pytest.fixture
def postgres_url():
    url = create_test_database("test_company_portal")
    yield url
    drop_test_database(url)


def test_postgresql_migrations_and_flows(tmp_path, postgres_url):
    bundle = bootstrap(make_settings(tmp_path, postgres_url), clock=FixedClock(), config=PortalConfig())
    bundle.migrate()
    assert schema_differences(bundle.runtime.engine) == []
    exercise(bundle, tmp_path)
    bundle.runtime.engine.dispose()


def test_the_one_pending_request_index_waits_for_duplicates_to_be_decided(tmp_path):
    """Migration 0002 stops, naming the count, when an account already has several pending requests."""
    from alembic import command
    from sqlalchemy import create_engine, text

    from plumbing.migrations import alembic_config

    url = f"sqlite:///{tmp_path / 'dupes.db'}"
    bundle = bootstrap(make_settings(tmp_path, url), clock=FixedClock(), config=PortalConfig())
    config = alembic_config(bundle.migrations_dir, url)
    command.upgrade(config, "0001")
    engine = create_engine(url)
    columns = ("id, kind, status, requester_account_id, requester_email, requester_first_name, requester_last_name, "
               "requester_phone, requester_extension, requester_function, locale, legal_name, phone, country, "
               "address, city, province, postal_code, submitted_at")
    with engine.begin() as connection:
        for _ in range(2):
            connection.execute(text(
                f"INSERT INTO account_requests ({columns}) VALUES (:id, 'company_creation', 'en_attente', 'a-1', "
                "'a@b.ca', 'A', 'B', '', '', '', 'fr', 'X', '', 'Canada', '', '', '', '', '2026-11-30 00:00:00')"),
                {"id": new_id()})
    with pytest.raises(RuntimeError, match="1 account"):
        command.upgrade(config, "head")
    with engine.begin() as connection:
        connection.execute(text("UPDATE account_requests SET status = 'refusee' WHERE id IN "
                                "(SELECT id FROM account_requests LIMIT 1)"))
    command.upgrade(config, "head")
    engine.dispose()
    bundle.runtime.engine.dispose()
