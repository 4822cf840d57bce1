"""The catalog file: the shipped one loads with every product of the guide; a bad one is refused clearly."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from catalog_billing.config import DEFAULT_CATALOG
from catalog_billing.domain.catalog import CatalogError, load_catalog, parse_catalog


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(DEFAULT_CATALOG)


def test_the_shipped_catalog_has_the_products_of_the_guide(catalog) -> None:
    assert [s.code for s in catalog.sections()] == ["ing", "cpi", "optimizations"]
    assert [[p.code for p in s.products] for s in catalog.sections()] == [
        ["ing-1", "ing-5", "ing-10", "ing-20"], ["cpi-1"],
        ["vedette", "extension", "envoi-regions", "envoi-partout"]]
    assert [(p.credit_type, p.credits) for p in catalog.forfaits()] == [
        ("ing", 1), ("ing", 5), ("ing", 10), ("ing", 20), ("cpi", 1)]
    prices = {p.code: p.unit_price for p in catalog}
    assert prices["vedette"] == Decimal("150.00") and prices["extension"] == Decimal("200.00")
    assert prices["ing-1"] == Decimal("595.00")
    # The bigger the forfait, the cheaper each offer.
    per_offer = [catalog.get(c).price_per_offer for c in ("ing-1", "ing-5", "ing-10", "ing-20")]
    assert per_offer == sorted(per_offer, reverse=True) and len(set(per_offer)) == 4
    for code in ("envoi-regions", "envoi-partout"):
        envoi = catalog.get(code)
        assert envoi.quoted and envoi.kind == "optimization"
        assert (envoi.unit_price, envoi.per_person_price) == (Decimal("300.00"), Decimal("2.00"))
        assert envoi.quoted_price(137) == Decimal("574.00")
    assert not catalog.get("ing-1").quoted and catalog.get("nope") is None and "cpi-1" in catalog


def test_every_product_speaks_french_and_english(catalog) -> None:
    for product in catalog:
        for locale in ("fr", "en"):
            assert product.name(locale) and product.summary(locale) and product.details(locale)
        assert product.name("fr") != product.name("en")
        assert product.name("en_CA") == product.name("en") and product.name("de") == product.name("fr")
    ing = catalog.get("ing-5")
    assert ing.name("fr") == "Forfait ing. – 5 offres d’emploi"
    assert "30 jours" in ing.details("fr") and "30 days" in ing.details("en")
    assert "membre de l’Ordre des ingénieurs du Québec" in ing.details("fr")
    assert "programme d’accès à la profession" in catalog.get("cpi-1").details("fr")
    assert "offre publiée" in catalog.get("vedette").details("fr")
    assert "published offer" in catalog.get("extension").details("en")


def test_details_split_into_paragraphs_and_lists(catalog) -> None:
    blocks = catalog.get("ing-1").detail_blocks("fr")
    kinds = [b.kind for b in blocks]
    assert "list" in kinds and kinds[0] == "paragraph"
    bullets = next(b for b in blocks if b.kind == "list").lines
    assert any("30 jours de publication" in item for item in bullets)
    assert all(not item.startswith("-") for item in bullets)


def test_quoted_price_is_only_for_quoted_products(catalog) -> None:
    with pytest.raises(ValueError):
        catalog.get("vedette").quoted_price(10)
    with pytest.raises(ValueError):
        catalog.get("envoi-partout").quoted_price(-1)


# Bad files ----------------------------------------------------------------------------------


def shipped() -> dict:
    return tomllib.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))


def first_product(data: dict) -> dict:
    return data["sections"][0]["products"][0]


def refused(data: dict) -> str:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, where="catalog.toml")
    return str(caught.value)


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: p.update(unit_price="abc"), "unit_price 'abc' is not an amount"),
    (lambda p: p.update(unit_price="-5"), "unit_price must be more than 0"),
    (lambda p: p.update(unit_price="595.001"), "has more than two decimals"),
    (lambda p: p.pop("unit_price"), "unit_price must be an amount in dollars"),
    (lambda p: p.update(kind="bundle"), "kind must be one of forfait, optimization"),
    (lambda p: p.update(credit_type="pro"), "a forfait's credit_type must be one of ing, cpi"),
    (lambda p: p.update(credits=0), "credits must be a whole number from 1 to 1000"),
    (lambda p: p.update(code="Ing 1"), "code must be a lower-case word"),
    (lambda p: p["name"].pop("en"), "name.en is missing or empty"),
    (lambda p: p["details"].update(fr="  "), "details.fr is missing or empty"),
    (lambda p: p["summary"].update(es="hola"), "summary has unknown languages ['es']"),
    (lambda p: p.update(per_person_price="2.00"), "per_person_price is only for a quoted product"),
    (lambda p: p.update(quoted=True), "a quoted product needs per_person_price"),
    (lambda p: p.update(colour="blue"), "unknown keys ['colour']"),
])
def test_a_bad_product_is_refused_naming_it_and_the_field(change, message: str) -> None:
    data = shipped()
    change(first_product(data))
    text = refused(data)
    assert message in text
    assert text.startswith("catalog.toml: section ing, product 1")


def test_a_code_used_twice_is_refused() -> None:
    data = shipped()
    data["sections"][1]["products"][0]["code"] = "ing-5"
    assert "product code 'ing-5' appears twice" in refused(data)


def test_a_catalog_without_sections_or_products_is_refused() -> None:
    assert "no [[sections]]" in refused({})
    data = shipped()
    data["sections"][2]["products"] = []
    assert "section optimizations: no products" in refused(data)


def test_load_catalog_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(CatalogError, match=r"absent\.toml does not exist"):
        load_catalog(missing)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[sections]\ncode = ", encoding="utf-8")
    with pytest.raises(CatalogError, match=r"broken\.toml is not valid TOML"):
        load_catalog(broken)
    bad_price = tmp_path / "bad.toml"
    text = DEFAULT_CATALOG.read_text(encoding="utf-8")
    bad_price.write_text(text.replace('unit_price = "595.00"', 'unit_price = "cinq cents"', 1), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(bad_price)
    assert str(caught.value).startswith(f"{bad_price}: section ing, product 1 (ing-1): unit_price")
