"""The company registry: the Registraire's export format, the generated sample, and search on
20,000 companies (exact NEQ first, a name typed without accents first)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from portal_testkit import make_settings

from company_portal.adapters import orm, registry_csv
from company_portal.bootstrap import bootstrap, load_registry_file
from company_portal.config import PortalConfig
from company_portal.domain.model import CompanySource
from company_portal.entrypoints import registry as cli
from company_portal.service_layer import commands as c
from company_portal.service_layer import views
from plumbing.clock import FixedClock


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("registry") / "entreprises.csv"
    assert registry_csv.write_sample(path, 20000, 42) == 20000
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, sample):
    built = bootstrap(make_settings(tmp_path_factory.mktemp("db")), clock=FixedClock(), config=PortalConfig())
    orm.metadata.create_all(built.runtime.engine)
    report = load_registry_file(built.bus, sample)
    yield built, report
    built.runtime.engine.dispose()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_sample_is_deterministic_and_realistic(tmp_path, sample):
    again = tmp_path / "again.csv"
    registry_csv.write_sample(again, 20000, 42)
    assert again.read_bytes() == sample.read_bytes()
    data = rows(sample)
    assert len({r["NEQ"] for r in data}) == 20000
    names = [r["NOM_ASSUJ"] for r in data]
    assert any("é" in n or "è" in n or "ô" in n for n in names)
    assert sum(n.endswith(("inc.", "Inc.", "INC.")) for n in names) > 5000
    assert sum(n.endswith(("ltée", "Ltée")) for n in names) > 1000
    assert any(n == n.upper() and "GENIE" in n for n in names)  # typed without accents, in capitals
    cities = {r["ADR_DOMCL_LIGN2_ADR"] for r in data}
    assert "Montréal (Québec)" in cities and "Trois-Rivières (Québec)" in cities
    assert any(r["ADR_DOMCL_LIGN3_ADR"] for r in data)  # a suite line pushes the city to line 3
    assert sum(r["COD_STAT_IMMAT"] != "IM" for r in data) > 100


def test_loading_the_sample(loaded):
    built, report = loaded
    assert report.invalid == [] and report.inserted + report.skipped_inactive == 20000
    assert report.inserted > 19000
    [row] = built.bus.query(views.search_companies, "1171234567")
    assert (row["city"], row["province"], row["postal_code"], row["country"]) == (
        "Trois-Rivières", "QC", "G9A 2H4", "Canada")


def test_the_exact_neq_comes_first(loaded, sample):
    built, _ = loaded
    picks = random.Random(7).sample([r for r in rows(sample) if r["COD_STAT_IMMAT"] == "IM"], 25)
    for pick in picks:
        neq = pick["NEQ"]
        for typed in (neq, f"{neq[:4]} {neq[4:7]} {neq[7:]}"):
            hits = built.bus.query(views.search_companies, typed)
            assert hits[0]["neq"] == neq, typed


@pytest.mark.parametrize("typed", ["genie conseil riviere", "GENIE-CONSEIL RIVIERE", "Génie-Conseil Rivière inc.",
                                   "genie conseil riviere ltee", "  Génie   Conseil   Rivière  "])
def test_a_name_typed_without_accents_comes_first(loaded, typed):
    built, _ = loaded
    hits = built.bus.query(views.search_companies, typed)
    assert hits[0]["legal_name"] == "Génie-Conseil Rivière inc."
    names = [h["legal_name"] for h in hits]
    assert names.index("Génie-Conseil Rivière-du-Loup inc.") < names.index("Services Génie-Conseil Rivière ltée")


def test_prefix_and_words(loaded):
    built, _ = loaded
    assert built.bus.query(views.search_companies, "genivert")[0]["legal_name"] == "Génivert inc."
    assert built.bus.query(views.search_companies, "structura ing")[0]["legal_name"] == "Structura Ingénierie ltée"
    assert built.bus.query(views.search_companies, "inc.") == [] or True  # noise only: no crash
    assert built.bus.query(views.search_companies, "   ") == []
    assert len(built.bus.query(views.search_companies, "genie")) == 20  # bounded


def test_importing_again_changes_nothing(loaded, sample):
    built, _ = loaded
    again = load_registry_file(built.bus, sample)
    assert (again.inserted, again.updated) == (0, 0) and again.unchanged > 19000


def test_staff_data_survives_a_new_import(tmp_path, bus, sample):
    small = tmp_path / "small.csv"
    small.write_text("".join(sample.read_text(encoding="utf-8").splitlines(keepends=True)[:4]), encoding="utf-8")
    load_registry_file(bus, small)
    [hit] = bus.query(views.search_companies, "1171234567")
    bus.handle(c.CorrectCompany("staff", hit["id"], {"legal_name": "Génie-Conseil Rivière (Mauricie) inc."}))
    report = load_registry_file(bus, small)
    assert report.kept == 1
    assert bus.query(views.search_companies, "1171234567")[0]["legal_name"] == "Génie-Conseil Rivière (Mauricie) inc."
    assert bus.query(views.search_companies, "1171234567")[0]["source"] == str(CompanySource.STAFF)


def test_invalid_rows_are_reported_with_their_line(tmp_path, bus):
    path = tmp_path / "Entreprise.csv"
    path.write_text(
        "NEQ,COD_STAT_IMMAT,ADR_DOMCL_ADR_DISP,ADR_DOMCL_LIGN1_ADR,ADR_DOMCL_LIGN2_ADR,ADR_DOMCL_LIGN3_ADR,"
        "ADR_DOMCL_LIGN4_ADR,NOM_ASSUJ\n"
        '1160000001,IM,O,"10, rue A",Laval (Québec),,H7L1A1,Première inc.\n'
        "12345,IM,O,1 rue B,Laval (Québec),,H7L1A1,NEQ trop court inc.\n"
        "1160000002,IM,O,1 rue C,Laval (Québec),,H7L1A1,\n"
        '1160000001,IM,O,"10, rue A",Laval (Québec),,H7L1A1,Première encore inc.\n'
        "1160000003,RD,O,1 rue D,Laval (Québec),,H7L1A1,Radiée inc.\n"
        "1160000004,IM,N,,,,,Adresse non divulguée inc.\n"
        "1160000005,IM,O,1 rue E,WESTMOUNT QC,,H3Y1P1,Westmount inc.\n"
        "1160000006,IM,O,1 rue F,PARIS (FRANCE),,75001,Française SA\n",
        encoding="utf-8")
    report = load_registry_file(bus, path)
    assert [(line, reason.split(" ")[0]) for line, reason in report.invalid] == [(3, "NEQ"), (4, "nom"), (5, "NEQ")]
    assert "ligne 2" in report.invalid[2][1]
    assert (report.inserted, report.skipped_inactive) == (4, 1)
    westmount = bus.query(views.search_companies, "1160000005")[0]
    assert (westmount["city"], westmount["province"], westmount["postal_code"]) == ("WESTMOUNT", "QC", "H3Y 1P1")
    paris = bus.query(views.search_companies, "1160000006")[0]
    assert (paris["city"], paris["country"], paris["postal_code"]) == ("PARIS", "France", "75001")
    hidden = bus.query(views.search_companies, "1160000004")[0]
    assert hidden["address"] == "" and hidden["legal_name"] == "Adresse non divulguée inc."


def test_the_official_two_file_export(tmp_path, bus):
    (tmp_path / "Entreprise.csv").write_text(
        "NEQ,COD_STAT_IMMAT,ADR_DOMCL_ADR_DISP,ADR_DOMCL_LIGN1_ADR,ADR_DOMCL_LIGN2_ADR,ADR_DOMCL_LIGN3_ADR,"
        "ADR_DOMCL_LIGN4_ADR\n1170000001,IM,O,\"5, rue du Lac\",3E ÉTAGE,Longueuil (Québec),J4H 1A1\n",
        encoding="utf-8-sig")
    (tmp_path / "Nom.csv").write_text(
        "NEQ,NOM_ASSUJ,NOM_ASSUJ_LANG_ETRNG,STAT_NOM,TYP_NOM_ASSUJ,DAT_INIT_NOM_ASSUJ,DAT_FIN_NOM_ASSUJ\n"
        "1170000001,Ancien nom inc.,,A,N,2001-01-01,2010-01-01\n"
        "1170000001,Laboratoires du Lac inc.,,V,N,2010-01-01,\n"
        "1170000001,Labo Lac,,V,A,2010-01-01,\n", encoding="utf-8")
    report = load_registry_file(bus, tmp_path / "Entreprise.csv",
                                registry_csv.read_legal_names(tmp_path / "Nom.csv"))
    assert report.inserted == 1
    [hit] = bus.query(views.search_companies, "laboratoires du lac")
    assert (hit["address"], hit["city"], hit["province"]) == ("5, rue du Lac, 3E ÉTAGE", "Longueuil", "QC")
    with pytest.raises(registry_csv.RegistryFileError):
        load_registry_file(bus, tmp_path / "Entreprise.csv")  # names missing: said, not guessed


def test_the_command_line(tmp_path, monkeypatch, capsys):
    sample_path = tmp_path / "sample.csv"
    assert cli.main(["generate-sample", "--count", "50", "--seed", "3", str(sample_path)]) == 0
    monkeypatch.setenv("COMPANY_PORTAL_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("INGEMPLOIS_VAR", str(tmp_path))
    with sample_path.open("a", encoding="utf-8") as handle:
        handle.write("999,IM,APE,2020-01-01,O,1 rue X,Laval (Québec),,H7L1A1,Mauvais NEQ inc.\n")
    assert cli.main(["import-csv", str(sample_path)]) == 0
    out = capsys.readouterr()
    assert "ligne / line 52" in out.err and "NEQ invalide" in out.err
    assert "invalides / invalid" in out.out
    assert cli.main(["import-csv", str(tmp_path / "missing.csv")]) == 2
