"""The products a group can buy, read from a TOML file (data/catalog.toml): forfaits and optimizations.

Prices are configuration, in CAD before taxes. `load_catalog` checks the whole file at startup and
names the first thing wrong (file, product, field), so a bad price list never reaches a buyer.
A quoted product ("Envoi personnalisé") has a base price and a price per person reached; the cart
line of such a product carries the amount of its quote, not the catalog's price.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

LOCALES = ("fr", "en")
KINDS = ("forfait", "optimization")
FORFAIT_CREDIT_TYPES = ("ing", "cpi")
CENT = Decimal("0.01")


class CatalogError(ValueError):
    """The catalog file cannot be used; the message says where and why."""


def _localized(texts: Mapping[str, str], locale: str) -> str:
    """The text in `locale` (`fr`, `en`, `fr_CA`, `en-US`…), French when that language is absent."""
    language = (locale or "fr").replace("-", "_").split("_")[0].lower()
    return texts.get(language) or texts["fr"]


@dataclass(frozen=True)
class DetailBlock:
    """One block of a detail text: a paragraph, or a list (lines that start with `- `)."""

    kind: str  # "paragraph" | "list"
    lines: tuple[str, ...]


def detail_blocks(text: str) -> list[DetailBlock]:
    """Split a detail text into paragraphs and bullet lists.

    Blank lines separate paragraphs; consecutive lines that start with `- ` make one list (a
    paragraph may introduce a list on the line just above it).
    """
    blocks: list[DetailBlock] = []
    for chunk in text.strip().split("\n\n"):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        run: list[str] = []
        in_list = False
        for line in lines + [""]:
            is_item = line.startswith("- ")
            if run and (not line or is_item != in_list):
                blocks.append(DetailBlock("list", tuple(run)) if in_list
                              else DetailBlock("paragraph", (" ".join(run),)))
                run = []
            if line:
                in_list = is_item
                run.append(line[2:].strip() if is_item else line)
    return blocks


@dataclass(frozen=True)
class Product:
    code: str
    kind: str  # "forfait" | "optimization"
    #: What a purchase puts in the group's bank: `ing`, `cpi`, or the optimization's own code.
    credit_type: str
    #: How many credits of `credit_type` one unit gives (forfaits: 1, 5, 10, 20; optimizations: 1).
    credits: int
    #: CAD before taxes; for a quoted product, the base price before the per-person supplement.
    unit_price: Decimal
    quoted: bool = False
    per_person_price: Decimal | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    summaries: Mapping[str, str] = field(default_factory=dict)
    detail_texts: Mapping[str, str] = field(default_factory=dict)
    section: str = ""

    def name(self, locale: str) -> str:
        return _localized(self.names, locale)

    def summary(self, locale: str) -> str:
        return _localized(self.summaries, locale)

    def details(self, locale: str) -> str:
        """The "En savoir plus" text: paragraphs separated by blank lines, lists as `- ` lines."""
        return _localized(self.detail_texts, locale)

    def detail_blocks(self, locale: str) -> list[DetailBlock]:
        return detail_blocks(self.details(locale))

    @property
    def price_per_offer(self) -> Decimal:
        """A forfait's price for one offer (to show the volume discount), rounded to the cent."""
        return (self.unit_price / self.credits).quantize(CENT, rounding=ROUND_HALF_UP)

    def quoted_price(self, persons: int) -> Decimal:
        """The price of a quoted product for an audience of `persons` (base + per person)."""
        if not self.quoted or self.per_person_price is None:
            raise ValueError(f"{self.code} is not a quoted product")
        if persons < 0:
            raise ValueError("persons must be zero or more")
        return (self.unit_price + self.per_person_price * persons).quantize(CENT)


@dataclass(frozen=True)
class Section:
    """A group of products on the catalog page ("Acheter un forfait ing.", …)."""

    code: str
    names: Mapping[str, str]
    intros: Mapping[str, str]
    products: tuple[Product, ...]

    def name(self, locale: str) -> str:
        return _localized(self.names, locale)

    def intro(self, locale: str) -> str:
        return _localized(self.intros, locale) if self.intros else ""


@dataclass(frozen=True)
class Catalog:
    products: tuple[Product, ...]
    section_list: tuple[Section, ...] = ()

    def get(self, code: str) -> Product | None:
        """The product with this code, or None (a code typed in a URL may be anything)."""
        for product in self.products:
            if product.code == code:
                return product
        return None

    def __getitem__(self, code: str) -> Product:
        product = self.get(code)
        if product is None:
            raise KeyError(code)
        return product

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __contains__(self, code: object) -> bool:
        return any(p.code == code for p in self.products)

    def sections(self) -> list[Section]:
        """The catalog page's sections, in order, each with its products in order."""
        return list(self.section_list)

    def forfaits(self) -> list[Product]:
        return [p for p in self.products if p.kind == "forfait"]

    def optimizations(self) -> list[Product]:
        return [p for p in self.products if p.kind == "optimization"]


# Loading and validation -------------------------------------------------------------------


def _money(where: str, name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CatalogError(f"{where}: {name} must be an amount in dollars, such as \"595.00\"")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CatalogError(f"{where}: {name} {value!r} is not an amount") from None
    if not amount.is_finite() or amount <= 0:
        raise CatalogError(f"{where}: {name} must be more than 0 (got {value!r})")
    if amount != amount.quantize(CENT):
        raise CatalogError(f"{where}: {name} {value!r} has more than two decimals")
    return amount.quantize(CENT)


def _texts(where: str, name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: {name} must be a table with a text for each of {', '.join(LOCALES)}")
    texts = {}
    for locale in LOCALES:
        text = value.get(locale)
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{where}: {name}.{locale} is missing or empty")
        texts[locale] = text.strip()
    unknown = sorted(set(value) - set(LOCALES))
    if unknown:
        raise CatalogError(f"{where}: {name} has unknown languages {unknown} (expected {', '.join(LOCALES)})")
    return texts


PRODUCT_KEYS = {"code", "kind", "credit_type", "credits", "unit_price", "quoted", "per_person_price",
                "name", "summary", "details"}


def _product(where: str, raw: Any, section: str) -> Product:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: each product must be a table ([[sections.products]])")
    code = raw.get("code")
    if not isinstance(code, str) or not code.strip() or code != code.strip().lower() or " " in code:
        raise CatalogError(f"{where}: code must be a lower-case word such as \"ing-5\" (got {code!r})")
    where = f"{where} ({code})"
    unknown = sorted(set(raw) - PRODUCT_KEYS)
    if unknown:
        raise CatalogError(f"{where}: unknown keys {unknown}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"{where}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
    credit_type = raw.get("credit_type", code if kind == "optimization" else None)
    if kind == "forfait" and credit_type not in FORFAIT_CREDIT_TYPES:
        raise CatalogError(f"{where}: a forfait's credit_type must be one of {', '.join(FORFAIT_CREDIT_TYPES)} "
                           f"(got {credit_type!r})")
    if not isinstance(credit_type, str) or not credit_type:
        raise CatalogError(f"{where}: credit_type must be a word")
    credits = raw.get("credits", 1)
    if isinstance(credits, bool) or not isinstance(credits, int) or not 1 <= credits <= 1000:
        raise CatalogError(f"{where}: credits must be a whole number from 1 to 1000 (got {credits!r})")
    quoted = raw.get("quoted", False)
    if not isinstance(quoted, bool):
        raise CatalogError(f"{where}: quoted must be true or false")
    per_person = raw.get("per_person_price")
    if quoted and per_person is None:
        raise CatalogError(f"{where}: a quoted product needs per_person_price")
    if not quoted and per_person is not None:
        raise CatalogError(f"{where}: per_person_price is only for a quoted product (quoted = true)")
    return Product(
        code=code,
        kind=kind,
        credit_type=credit_type,
        credits=credits,
        unit_price=_money(where, "unit_price", raw.get("unit_price")),
        quoted=quoted,
        per_person_price=_money(where, "per_person_price", per_person) if per_person is not None else None,
        names=_texts(where, "name", raw.get("name")),
        summaries=_texts(where, "summary", raw.get("summary")),
        detail_texts=_texts(where, "details", raw.get("details")),
        section=section,
    )


def parse_catalog(data: Mapping[str, Any], where: str = "catalog") -> Catalog:
    """Build and check a catalog from the parsed TOML document."""
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise CatalogError(f"{where}: no [[sections]]: the catalog needs at least one section of products")
    sections: list[Section] = []
    products: list[Product] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_sections, start=1):
        if not isinstance(raw, dict):
            raise CatalogError(f"{where}: section {index} must be a table")
        code = raw.get("code")
        if not isinstance(code, str) or not code:
            raise CatalogError(f"{where}: section {index} has no code")
        section_where = f"{where}: section {code}"
        raw_products = raw.get("products")
        if not isinstance(raw_products, list) or not raw_products:
            raise CatalogError(f"{section_where}: no products")
        items = []
        for position, raw_product in enumerate(raw_products, start=1):
            product = _product(f"{section_where}, product {position}", raw_product, code)
            if product.code in seen:
                raise CatalogError(f"{section_where}: product code {product.code!r} appears twice")
            seen.add(product.code)
            items.append(product)
        sections.append(Section(
            code=code,
            names=_texts(section_where, "name", raw.get("name")),
            intros=_texts(section_where, "intro", raw["intro"]) if "intro" in raw else {},
            products=tuple(items),
        ))
        products.extend(items)
    return Catalog(products=tuple(products), section_list=tuple(sections))


def load_catalog(path: Path | str) -> Catalog:
    """Read and check the catalog file; raise CatalogError naming the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"catalog file {path} does not exist (CATALOG_BILLING_CATALOG_FILE)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"catalog file {path} cannot be read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"catalog file {path} is not valid TOML: {exc}") from None
    return parse_catalog(data, where=str(path))
