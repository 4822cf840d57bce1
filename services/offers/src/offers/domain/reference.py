"""Reference data of offers (codes → fr/en labels), from the JSON files of `reference/`.

Kinds: engineering_domains, function_types, employment_types, position_statuses, work_formulas,
interests, years_on_roll, regions (the 17 administrative regions, official numbers "01"…"17" as
codes) and municipalities (each in one region; a name found in two regions has the region number
appended to its code, e.g. `l-ange-gardien-03`). A workplace "places" list mixes region and
municipality codes; `place()` resolves either.

The files are checked when loaded (unique, well-formed codes, both labels, 17 regions, no
municipality code equal to a region code): a broken file fails at start-up, not on a page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).with_name("reference")
KINDS = (
    "engineering_domains",
    "function_types",
    "employment_types",
    "position_statuses",
    "work_formulas",
    "interests",
    "years_on_roll",
    "regions",
    "municipalities",
)
_FILES = tuple(kind for kind in KINDS if kind != "municipalities")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
REGION_COUNT = 17


class ReferenceDataError(ValueError):
    """A reference file is malformed (raised when loading, never while serving)."""


class UnknownCode(ValueError):
    """A code that is not in the reference data of its kind."""

    def __init__(self, kind: str, code: object) -> None:
        self.kind, self.code = kind, code
        super().__init__(f"unknown {kind} code: {code!r}")


@dataclass(frozen=True)
class Choice:
    code: str
    fr: str
    en: str
    #: For years_on_roll: the range in years (max None = open-ended); for municipalities: the region.
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def label(self, locale: str = "fr") -> str:
        return self.en if locale == "en" else self.fr

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "fr": self.fr, "en": self.en, **self.extra}


@dataclass(frozen=True)
class Reference:
    kinds: dict[str, tuple[Choice, ...]]
    _index: dict[str, dict[str, Choice]] = field(repr=False)

    def choices(self, kind: str) -> tuple[Choice, ...]:
        self._check_kind(kind)
        return self.kinds[kind]

    def codes(self, kind: str) -> frozenset[str]:
        self._check_kind(kind)
        return frozenset(self._index[kind])

    def is_valid(self, kind: str, code: object) -> bool:
        self._check_kind(kind)
        return isinstance(code, str) and code in self._index[kind]

    def get(self, kind: str, code: str) -> Choice:
        """The choice of a code; `UnknownCode` when it is not one of the kind."""
        if not self.is_valid(kind, code):
            raise UnknownCode(kind, code)
        return self._index[kind][code]

    def label(self, kind: str, code: str, locale: str = "fr") -> str:
        return self.get(kind, code).label(locale)

    def labels(self, kind: str, codes: Iterable[str], locale: str = "fr") -> list[str]:
        return [self.label(kind, code, locale) for code in codes]

    def invalid(self, kind: str, codes: Iterable[object]) -> list[object]:
        """The codes of `codes` that are not of the kind, in order (empty when all are valid)."""
        return [code for code in codes if not self.is_valid(kind, code)]

    def municipalities(self, region_code: str) -> tuple[Choice, ...]:
        self.get("regions", region_code)
        return tuple(m for m in self.kinds["municipalities"] if m.extra["region"] == region_code)

    def region_of(self, municipality_code: str) -> Choice:
        return self.get("regions", self.get("municipalities", municipality_code).extra["region"])

    def is_place(self, code: object) -> bool:
        """A workplace "places" code: a region or a municipality."""
        return self.is_valid("regions", code) or self.is_valid("municipalities", code)

    def place(self, code: str) -> Choice:
        if self.is_valid("regions", code):
            return self._index["regions"][code]
        return self.get("municipalities", code)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        """Everything, for `GET /reference`: regions carry their municipalities."""
        out = {
            kind: [c.as_dict() for c in self.kinds[kind]] for kind in KINDS if kind not in {"regions", "municipalities"}
        }
        out["regions"] = [
            {
                **region.as_dict(),
                "municipalities": [{"code": m.code, "fr": m.fr, "en": m.en} for m in self.municipalities(region.code)],
            }
            for region in self.kinds["regions"]
        ]
        return out

    def _check_kind(self, kind: str) -> None:
        if kind not in self.kinds:
            raise KeyError(f"unknown reference kind: {kind}")


def _choice(kind: str, raw: Any, extra_keys: tuple[str, ...] = ()) -> Choice:
    if not isinstance(raw, dict):
        raise ReferenceDataError(f"{kind}: an item is not an object: {raw!r}")
    code, fr, en = raw.get("code"), raw.get("fr"), raw.get("en")
    if not isinstance(code, str) or not _CODE.match(code):
        raise ReferenceDataError(f"{kind}: malformed code {code!r}")
    for name, value in (("fr", fr), ("en", en)):
        if not isinstance(value, str) or not value.strip():
            raise ReferenceDataError(f"{kind}: {code} has no {name} label")
    return Choice(code, fr, en, {key: raw[key] for key in extra_keys if key in raw})


def build_reference(raw: dict[str, list[Any]]) -> Reference:
    """A `Reference` from parsed files (`{kind: items}`), checked; `ReferenceDataError` if wrong."""
    kinds: dict[str, tuple[Choice, ...]] = {}
    for kind in _FILES:
        items = raw.get(kind)
        if not isinstance(items, list) or not items:
            raise ReferenceDataError(f"{kind}: no items")
        extra = ("min", "max") if kind == "years_on_roll" else ()
        kinds[kind] = tuple(_choice(kind, item, extra) for item in items)
    municipalities: list[Choice] = []
    for region_raw, region in zip(raw["regions"], kinds["regions"], strict=True):
        towns = region_raw.get("municipalities")
        if not isinstance(towns, list) or not towns:
            raise ReferenceDataError(f"regions: {region.code} has no municipalities")
        for town in towns:
            choice = _choice("municipalities", town)
            municipalities.append(Choice(choice.code, choice.fr, choice.en, {"region": region.code}))
    kinds["municipalities"] = tuple(municipalities)
    index: dict[str, dict[str, Choice]] = {}
    for kind, choices in kinds.items():
        index[kind] = {c.code: c for c in choices}
        if len(index[kind]) != len(choices):
            seen: set[str] = set()
            twice = sorted({c.code for c in choices if c.code in seen or seen.add(c.code)})
            raise ReferenceDataError(f"{kind}: codes used twice: {', '.join(twice)}")
    if len(kinds["regions"]) != REGION_COUNT:
        raise ReferenceDataError(f"regions: {len(kinds['regions'])} regions, Québec has {REGION_COUNT}")
    clash = set(index["regions"]) & set(index["municipalities"])
    if clash:
        raise ReferenceDataError(f"municipality codes equal to region codes: {', '.join(sorted(clash))}")
    if {c.code for c in kinds["work_formulas"]} != {"presentiel", "hybride", "teletravail"}:
        raise ReferenceDataError("work_formulas: expected presentiel, hybride, teletravail")
    for years in kinds["years_on_roll"]:
        low, high = years.extra.get("min"), years.extra.get("max")
        if not isinstance(low, int) or not (high is None or (isinstance(high, int) and high >= low)):
            raise ReferenceDataError(f"years_on_roll: {years.code} has a bad range")
    return Reference(kinds, index)


def read_files(directory: Path = DATA_DIR) -> dict[str, list[Any]]:
    raw: dict[str, list[Any]] = {}
    for kind in _FILES:
        path = directory / f"{kind}.json"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ReferenceDataError(f"{path.name}: {exc}") from exc
        if not isinstance(document, dict) or not isinstance(document.get("items"), list):
            raise ReferenceDataError(f"{path.name}: expected an object with an `items` list")
        raw[kind] = document["items"]
    return raw


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    """The reference data of the package (read and checked once per process)."""
    return build_reference(read_files())
