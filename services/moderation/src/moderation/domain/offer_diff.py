"""What changed in an offer since its last approved version (`live_content`), for the staff page.

Two parts: the fields whose value differs (old → new), and a line diff of each description's text
(the sanitized HTML read as text: one line per paragraph, list item or heading), made with the
standard library's `difflib`. Pure functions over the plain dicts of offers' staff API.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

#: The content fields (DESIGN.md, "Offer"), in the order the page shows them.
CONTENT_FIELDS = (
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "function_type",
    "engineering_domains",
    "employment_type",
    "position_status",
    "work_formula",
    "application_deadline",
    "salary",
    "reference_number",
    "years_on_roll",
    "workplace",
    "interests",
)
DESCRIPTIONS = ("description_fr", "description_en")
_BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "tr"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()
        if tag == "li":
            self.current.append("• ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        self.current.append(data)


def html_lines(html: str | None) -> list[str]:
    """The text of sanitized HTML, one line per block (paragraph, list item, heading)."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    parser._flush()
    return parser.lines


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed"
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class OfferDiff:
    changes: tuple[FieldChange, ...]
    descriptions: dict[str, tuple[DiffLine, ...]]  # only the descriptions that changed

    @property
    def changed_fields(self) -> tuple[str, ...]:
        return tuple(c.field for c in self.changes)


def _normal(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in sorted(value.items()) if _normal(v) not in ("", [], {})}
    return str(value).strip() if isinstance(value, str) else value


def text_diff(old_html: str | None, new_html: str | None) -> tuple[DiffLine, ...]:
    """The description's lines, each kept, added or removed (difflib.ndiff, hints dropped)."""
    lines = []
    for line in difflib.ndiff(html_lines(old_html), html_lines(new_html)):
        tag, text = line[:2], line[2:]
        if tag == "? ":
            continue
        lines.append(DiffLine({"  ": "same", "+ ": "added", "- ": "removed"}[tag], text))
    return tuple(lines)


def diff_content(live: dict[str, Any] | None, current: dict[str, Any]) -> OfferDiff | None:
    """The changes from `live` (the last approved version) to `current`; None before any approval."""
    if live is None:
        return None
    changes = []
    descriptions: dict[str, tuple[DiffLine, ...]] = {}
    for name in CONTENT_FIELDS:
        old, new = live.get(name), current.get(name)
        if name in DESCRIPTIONS:
            if html_lines(old) != html_lines(new):
                changes.append(FieldChange(name, old, new))
                descriptions[name] = text_diff(old, new)
        elif _normal(old) != _normal(new):
            changes.append(FieldChange(name, old, new))
    return OfferDiff(tuple(changes), descriptions)
