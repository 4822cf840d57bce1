"""Reference data: the files load, codes are checked, labels come in French and English."""

from __future__ import annotations

import copy

import pytest

from offers.domain.reference import (
    KINDS,
    ReferenceDataError,
    UnknownCode,
    build_reference,
    load_reference,
    read_files,
)

REF = load_reference()


def test_every_kind_loads_with_french_and_english_labels():
    for kind in KINDS:
        choices = REF.choices(kind)
        assert choices, kind
        for choice in choices:
            assert choice.fr.strip() and choice.en.strip(), (kind, choice.code)


def test_the_lists_the_forms_offer():
    assert REF.label("work_formulas", "teletravail") == "Télétravail"
    assert REF.label("work_formulas", "teletravail", "en") == "Remote"
    assert set(REF.codes("work_formulas")) == {"presentiel", "hybride", "teletravail"}
    assert REF.label("engineering_domains", "civil", "en") == "Civil engineering"
    assert REF.label("engineering_domains", "civil") == "Génie civil"
    assert {"temps-plein", "temps-partiel"} == set(REF.codes("position_statuses"))
    assert "permanent" in REF.codes("employment_types") and "stage" in REF.codes("employment_types")
    assert len(REF.codes("engineering_domains")) >= 25
    assert len(REF.codes("interests")) >= 20
    years = REF.get("years_on_roll", "6-10")
    assert years.extra == {"min": 6, "max": 10} and years.label("en") == "6 to 10 years"
    assert REF.get("years_on_roll", "16-plus").extra["max"] is None


def test_the_17_regions_of_quebec_each_with_municipalities():
    regions = REF.choices("regions")
    assert [r.code for r in regions] == [f"{n:02d}" for n in range(1, 18)]
    assert REF.label("regions", "03") == "Capitale-Nationale"
    assert REF.label("regions", "06", "en") == "Montreal"
    for region in regions:
        assert REF.municipalities(region.code), region.code
    assert len(REF.codes("municipalities")) > 400
    assert REF.region_of("rimouski").code == "01"
    assert REF.region_of("laval").code == "13"
    assert REF.region_of("sherbrooke").fr == "Estrie"
    assert REF.label("municipalities", "quebec", "en") == "Quebec City"
    # A name found in two regions is told apart by the region number.
    assert REF.region_of("l-ange-gardien-03").code == "03"
    assert REF.region_of("l-ange-gardien-07").code == "07"
    assert not REF.is_valid("municipalities", "l-ange-gardien")


def test_places_mix_regions_and_municipalities():
    assert REF.is_place("16") and REF.is_place("longueuil")
    assert REF.place("16").fr == "Montérégie" and REF.place("longueuil").fr == "Longueuil"
    assert not REF.is_place("18") and not REF.is_place("atlantis") and not REF.is_place(None)
    with pytest.raises(UnknownCode):
        REF.place("atlantis")


def test_unknown_codes_are_found_and_refused():
    assert REF.invalid("engineering_domains", ["civil", "magie", 3, None, "mecanique"]) == ["magie", 3, None]
    assert REF.invalid("interests", []) == []
    assert not REF.is_valid("function_types", "")
    assert not REF.is_valid("function_types", ["conception"])
    with pytest.raises(UnknownCode) as refused:
        REF.label("employment_types", "esclavage")
    assert refused.value.kind == "employment_types" and refused.value.code == "esclavage"
    with pytest.raises(KeyError):
        REF.codes("colours")


def test_the_api_view_carries_everything():
    data = REF.as_dict()
    assert set(data) == set(KINDS) - {"municipalities"}
    montreal = next(r for r in data["regions"] if r["code"] == "06")
    assert {"code": "montreal", "fr": "Montréal", "en": "Montreal"} in montreal["municipalities"]
    assert {"code": "0-2", "fr": "0 à 2 ans", "en": "0 to 2 years", "min": 0, "max": 2} in data["years_on_roll"]


def broken(mutate):
    raw = copy.deepcopy(read_files())
    mutate(raw)
    return raw


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw["interests"].append(dict(raw["interests"][0])), "used twice"),
        (lambda raw: raw["interests"][0].update(code="Pas Un Code"), "malformed code"),
        (lambda raw: raw["interests"][0].update(en=""), "no en label"),
        (lambda raw: raw["regions"].pop(), "17"),
        (lambda raw: raw["regions"][0]["municipalities"].append({"code": "02", "fr": "X", "en": "X"}), "region codes"),
        (lambda raw: raw["regions"][1]["municipalities"].append({"code": "rimouski", "fr": "R", "en": "R"}), "twice"),
        (lambda raw: raw["regions"][2].update(municipalities=[]), "no municipalities"),
        (lambda raw: raw["years_on_roll"][0].update(max=-1), "bad range"),
        (lambda raw: raw["work_formulas"].pop(), "work_formulas"),
        (lambda raw: raw.update(function_types=[]), "no items"),
    ],
)
def test_broken_files_fail_when_loaded(mutate, message):
    with pytest.raises(ReferenceDataError, match=message):
        build_reference(broken(mutate))


def test_a_missing_or_malformed_file_fails_when_loaded(tmp_path):
    with pytest.raises(ReferenceDataError, match="engineering_domains.json"):
        read_files(tmp_path)
    (tmp_path / "engineering_domains.json").write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="engineering_domains.json"):
        read_files(tmp_path)
    (tmp_path / "engineering_domains.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="items"):
        read_files(tmp_path)
