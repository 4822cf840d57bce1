"""What can go wrong in company-portal, with the message users read in French and English.

Entrypoints translate these: pages show `message(locale)` next to `field`; the API answers
problem+json with `code` and `field`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One broken rule on one input field."""

    field: str
    code: str
    message_fr: str
    message_en: str

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr


class PortalError(Exception):
    """Base of the service's expected errors; `status` is the HTTP status entrypoints use."""

    status = 400

    def __init__(self, code: str, message_fr: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.field = field

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr


class InvalidInput(PortalError):
    """One or more fields break a rule; nothing was saved."""

    status = 422

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.message_fr, first.message_en, field=first.field)
        self.errors = errors

    def by_field(self, locale: str) -> dict[str, str]:
        """The first message of each field, for forms."""
        found: dict[str, str] = {}
        for error in self.errors:
            found.setdefault(error.field, error.message(locale))
        return found


class NotFound(PortalError):
    status = 404


class Conflict(PortalError):
    status = 409


class Forbidden(PortalError):
    status = 403


def field_error(field: str, code: str, fr: str, en: str) -> FieldError:
    return FieldError(field, code, fr, en)


def request_not_found() -> NotFound:
    return NotFound("request_not_found", "Cette demande est introuvable.", "This request cannot be found.")


def company_not_found() -> NotFound:
    return NotFound("company_not_found", "Cette entreprise est introuvable.", "This company cannot be found.")


def group_not_found() -> NotFound:
    return NotFound("group_not_found", "Ce groupe est introuvable.", "This group cannot be found.")


def member_not_found() -> NotFound:
    return NotFound("member_not_found", "Cet utilisateur ne fait pas partie du groupe.",
                    "This user is not a member of the group.")


def last_principal() -> Conflict:
    return Conflict(
        "last_principal",
        "Le groupe doit toujours avoir au moins un ou une responsable principal·e : "
        "nommez d'abord une autre personne responsable principal·e.",
        "The group must always keep at least one principal manager: "
        "make someone else principal manager first.",
    )


def already_decided() -> Conflict:
    return Conflict("already_decided", "Cette demande a déjà été traitée.", "This request has already been decided.")


def logo_too_large() -> InvalidInput:
    return InvalidInput([field_error("logo", "logo_too_large", "Le logo ne peut pas dépasser 2 Mo.",
                                     "The logo cannot exceed 2 MB.")])
