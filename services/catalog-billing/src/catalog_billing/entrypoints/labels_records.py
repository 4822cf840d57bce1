"""[staff] Words of the records and staff pages (French, with their English in messages.po)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_babel import gettext as _

from catalog_billing.domain.staff import LedgerLine


def credit_type(code: str) -> str:
    names: dict[str, Callable[[], str]] = {
        "ing": lambda: _("Offres d'emploi ing."),
        "cpi": lambda: _("Offres d'emploi CPI"),
        "vedette": lambda: _("Offres en vedette"),
        "extension": lambda: _("Extensions de 7 jours"),
        "envoi-regions": lambda: _("Envois personnalisés (régions)"),
        "envoi-partout": lambda: _("Envois personnalisés (partout)"),
    }
    return names[code]() if code in names else code


def _short(identifier: str | None) -> str:
    return (identifier or "")[:8]


def reason(line: LedgerLine) -> str:
    """Why the balance moved, in words: « Achat (facture n° 2026-000012) », « Appliqué à l'offre … »."""
    entry = line.entry
    if entry.reason == "purchase":
        if line.invoice_number:
            return _("Achat (facture n° %(number)s)", number=line.invoice_number)
        return _("Achat")
    if entry.reason == "applied":
        return _("Appliqué à l'offre %(offer)s", offer=_short(entry.offer_id))
    if entry.reason == "released":
        return _("Libéré de l'offre %(offer)s", offer=_short(entry.offer_id))
    if entry.reason == "transfer_in":
        return _("Transfert par l'Ordre, du groupe %(group)s",
                 group=line.counterpart_name or _short(entry.counterpart_group_id))
    if entry.reason == "transfer_out":
        return _("Transfert par l'Ordre, vers le groupe %(group)s",
                 group=line.counterpart_name or _short(entry.counterpart_group_id))
    if entry.reason == "refund":
        if line.invoice_number:
            return _("Remboursement (facture n° %(number)s)", number=line.invoice_number)
        return _("Remboursement")
    return entry.reason


def invoice_status(status: str) -> str:
    return _("Payée") if status == "paid" else _("À payer") if status == "unpaid" else status


def required() -> str:
    return _("Ce champ est requis.")


def choose_one() -> str:
    return _("Choisissez une des options proposées.")


def quantity_format() -> str:
    return _("Entrez un nombre entier de 1 à 10 000.")


def form_reused() -> str:
    return _("Ce formulaire a déjà servi à une autre action : rechargez la page et recommencez.")


def not_enough_credits(code: str, available: int, wanted: int) -> str:
    return _("Le groupe d'origine n'a que %(available)s crédit(s) « %(type)s » : impossible d'en transférer "
             "%(wanted)s. Rien n'a été transféré.", available=available, type=credit_type(code), wanted=wanted)


def promo_error(code: str) -> str:
    messages: dict[str, Callable[[], str]] = {
        "required": required,
        "unknown_choice": choose_one,
        "code_format": lambda: _("Lettres, chiffres et traits d'union seulement, 40 caractères au plus."),
        "value_format": lambda: _("Entrez un nombre plus grand que 0, avec au plus deux décimales."),
        "percent_too_high": lambda: _("Un pourcentage ne peut pas dépasser 100."),
        "date_format": lambda: _("Entrez une date au format AAAA-MM-JJ."),
        "dates_order": lambda: _("La date de fin doit suivre la date de début."),
        "uses_format": lambda: _("Entrez un nombre entier de 1 à 1 000 000, ou laissez vide (sans limite)."),
        "unknown_product": lambda: _("Choisissez parmi les produits proposés."),
    }
    return messages[code]() if code in messages else code


STAFF_DONE: dict[str, Callable[[], str]] = {
    "conditions": lambda: _("Les conditions de paiement de l'entreprise sont enregistrées."),
    "transfert": lambda: _("Les crédits sont transférés."),
    "code": lambda: _("Le code promotionnel est créé."),
}

RECORDS_DONE: dict[str, Callable[[], str]] = {
    "copie": lambda: _("Vous recevrez une copie de chaque facture du groupe."),
    "sans-copie": lambda: _("Vous ne recevrez plus de copie des factures du groupe."),
}


def products_of(catalog: Any) -> list[Any]:
    """The catalog's products, in its order (promo codes may be restricted to some)."""
    return list(catalog) if isinstance(catalog, Iterable) else []
