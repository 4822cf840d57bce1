"""What can go wrong in catalog-billing, with the message users read in French and English.

Entrypoints translate these: pages show `message(locale)` next to `field`; the API answers
problem+json with `code`, `field` and `status`. Like company-portal's errors, one class carries
the code and both messages; the helpers below are the known cases.
"""

from __future__ import annotations


class BillingError(Exception):
    """Base of the service's expected errors; `status` is the HTTP status entrypoints use."""

    status = 400

    def __init__(self, code: str, message_fr: str, message_en: str, *, field: str | None = None,
                 status: int | None = None) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.field = field
        if status is not None:
            self.status = status

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr


class InvalidInput(BillingError):
    status = 422


class NotFound(BillingError):
    status = 404


class Conflict(BillingError):
    status = 409


class Forbidden(BillingError):
    status = 403


class NotEnoughCredits(Conflict):
    """The bank holds fewer credits of that type than asked (reserve, transfer): nothing written."""

    def __init__(self, credit_type: str, available: int, wanted: int = 1) -> None:
        super().__init__(
            "no_credit",
            f"Le groupe n'a pas assez de crédits « {credit_type} » : {available} disponible(s), {wanted} requis.",
            f"The group does not have enough “{credit_type}” credits: {available} available, {wanted} needed.",
            field="credit_type")
        self.credit_type = credit_type
        self.available = available
        self.wanted = wanted


def unknown_credit_type(credit_type: str) -> InvalidInput:
    return InvalidInput("unknown_credit_type", "Ce type de crédit n'existe pas.",
                        "This credit type does not exist.", field="credit_type")


def invalid_quantity() -> InvalidInput:
    return InvalidInput("invalid_quantity", "La quantité doit être un nombre entier positif.",
                        "The quantity must be a positive whole number.", field="quantity")


def reservation_not_found() -> NotFound:
    return NotFound("reservation_not_found", "Aucun crédit n'est réservé pour cette offre.",
                    "No credit is reserved for this offer.")


def reservation_of_other_group() -> Conflict:
    return Conflict("reservation_other_group",
                    "Un crédit de ce type est déjà réservé pour cette offre par un autre groupe.",
                    "A credit of this type is already reserved for this offer by another group.",
                    field="group_id")


def reservation_released() -> Conflict:
    return Conflict("reservation_released",
                    "Ce crédit a été rendu à la banque : réservez-en un autre avant de le consommer.",
                    "This credit was returned to the bank: reserve one again before consuming it.")


def same_group() -> InvalidInput:
    return InvalidInput("same_group", "Choisissez un groupe différent du groupe d'origine.",
                        "Choose a group other than the source group.", field="to_group_id")


def other_company() -> InvalidInput:
    return InvalidInput("other_company",
                        "Les crédits ne peuvent être transférés qu'entre les groupes d'une même entreprise.",
                        "Credits can only be transferred between groups of the same company.",
                        field="to_group_id")


def unknown_product(code: str) -> InvalidInput:
    return InvalidInput("unknown_product", "Ce produit n'existe pas.", "This product does not exist.",
                        field="product_code")


def product_not_quoted() -> InvalidInput:
    return InvalidInput("product_not_quoted", "Ce produit a un prix fixe : il ne se vend pas sur soumission.",
                        "This product has a fixed price: it is not sold on a quote.", field="product_code")


def invalid_persons() -> InvalidInput:
    return InvalidInput("invalid_persons", "Le nombre de personnes jointes doit être entre 0 et 1 000 000.",
                        "The number of persons reached must be between 0 and 1,000,000.", field="persons")


def quote_not_found() -> NotFound:
    return NotFound("quote_not_found", "Cette soumission est introuvable.", "This quote cannot be found.")


def reservation_consumed() -> Conflict:
    return Conflict("reservation_consumed",
                    "Ce crédit a déjà servi à publier l'offre : il ne peut plus être rendu.",
                    "This credit was already spent publishing the offer: it can no longer be returned.")
