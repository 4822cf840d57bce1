"""The wizard's forms: what a details or configuration form sends, turned into the domain's
`OfferContent` / `OfferConfig` (plus the errors of values that are not even well-formed, e.g. a
date that is no date), and the reference data's choices for the selects.

Field names are the domain's (`title_fr`, `workplace_street`…), so the domain's field errors
(`OfferActionRefused.fields`) land next to the right field.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from offers.domain.offer import OfferConfig, OfferContent, Workplace
from offers.domain.reference import load_reference
from plumbing.richtext import sanitize_html
from plumbing.web.pages import current_locale
from plumbing.web.richtext import html_to_plain_text, rich_text_from_form


def choices(kind: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a reference list (offers.domain.reference), in the page's language."""
    locale = current_locale()
    return [(choice.code, choice.label(locale)) for choice in load_reference().choices(kind)]


def place_groups() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The regions, each with its municipalities: (region code, label, [(code, label)])."""
    reference, locale = load_reference(), current_locale()
    return [
        (region.code, region.label(locale), [(m.code, m.label(locale)) for m in reference.municipalities(region.code)])
        for region in reference.choices("regions")
    ]


def label_of(kind: str, code: str) -> str:
    """A code's label; an unknown code (data changed since the save) shows as itself."""
    reference = load_reference()
    return reference.label(kind, code, current_locale()) if reference.is_valid(kind, code) else code


def labels(content: OfferContent) -> dict[str, Any]:
    """The content's codes as words, for the offer page."""
    reference = load_reference()

    def place(code: str) -> str:
        return reference.place(code).label(current_locale()) if reference.is_place(code) else code

    return {
        "function_type": label_of("function_types", content.function_type),
        "engineering_domains": [label_of("engineering_domains", c) for c in content.engineering_domains],
        "employment_type": label_of("employment_types", content.employment_type),
        "position_status": label_of("position_statuses", content.position_status),
        "work_formula": label_of("work_formulas", content.work_formula),
        "years_on_roll": label_of("years_on_roll", content.years_on_roll) if content.years_on_roll else "",
        "interests": [label_of("interests", c) for c in content.interests],
        "city": place(content.workplace.city) if content.workplace.city else "",
        "places": [place(c) for c in content.workplace.places],
    }


def _date(raw: str, errors: dict[str, str], name: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Entrez une date au format AAAA-MM-JJ.")
        return None


def _codes(form: MultiDict[str, str], name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in form.getlist(name) if v.strip()))


def content_from_form(form: MultiDict[str, str], current: OfferContent) -> tuple[OfferContent, dict[str, str]]:
    """The details form → content; errors of values that cannot even be read (a bad date)."""
    errors: dict[str, str] = {}
    text = {name: (form.get(name) or "").strip() for name in (
        "title_fr", "title_en", "function_type", "employment_type", "position_status", "work_formula",
        "salary", "reference_number", "years_on_roll")}  # fmt: skip
    workplace = Workplace(
        kind=form.get("workplace_kind") or "address",
        street=(form.get("workplace_street") or "").strip(),
        city=(form.get("workplace_city") or "").strip(),
        postal_code=(form.get("workplace_postal_code") or "").strip().upper(),
        places=_codes(form, "workplace_places"),
    )
    content = replace(
        current,
        **text,
        description_fr=rich_text_from_form(form, "description_fr"),
        description_en=rich_text_from_form(form, "description_en"),
        engineering_domains=_codes(form, "engineering_domains"),
        interests=_codes(form, "interests"),
        application_deadline=_date(form.get("application_deadline", ""), errors, "application_deadline"),
        workplace=workplace,
    )
    return content, errors


def config_from_form(form: MultiDict[str, str], current: OfferConfig) -> tuple[OfferConfig, dict[str, str]]:
    errors: dict[str, str] = {}
    posting: str | date = "immediate"
    if form.get("posting") == "date":
        chosen = _date(form.get("posting_date", ""), errors, "posting")
        if chosen is None and "posting" not in errors:
            errors["posting"] = _("Choisissez la date d'affichage.")
        posting = chosen or current.posting
    config = OfferConfig(
        featured=form.get("featured") == "oui",
        posting=posting,
        apply_method=form.get("apply_method") or "url",
        apply_to=(form.get("apply_to") or "").strip(),
    )
    return config, errors


def form_values(content: OfferContent) -> dict[str, Any]:
    """What the details form shows for a stored content."""
    values = content.to_dict()
    for name in ("description_fr", "description_en"):
        # A form sent back with errors holds what was typed, not yet sanitized: the editor's
        # initial HTML is rendered as markup, so it goes through the sanitizer first.
        values[name] = sanitize_html(getattr(content, name))
        values[f"{name}_text"] = html_to_plain_text(values[name])
    return values
