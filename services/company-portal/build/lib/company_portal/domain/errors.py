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


def request_pending() -> Conflict:
    return Conflict("duplicate_request",
                    "Vous avez déjà une demande en attente : attendez sa décision avant d'en envoyer une autre.",
                    "You already have a pending request: wait for its decision before sending another one.")


def already_in_company(company_name: str) -> Conflict:
    return Conflict("already_in_company",
                    f"Votre compte est déjà lié à l'entreprise « {company_name} » : un compte ne peut appartenir "
                    "qu'à une seule entreprise.",
                    f"Your account already belongs to the company “{company_name}”: an account can belong to "
                    "one company only.")


class CompanyExists(InvalidInput):
    """A company-creation request names a company the portal already knows (same NEQ or same name).

    `matches` are the known companies (with their groups) the wizard offers instead; `by_neq` says the
    NEQ matched, which no confirmation can override (a name match can be confirmed as another company).
    """

    def __init__(self, matches: list[dict], *, by_neq: bool) -> None:
        if by_neq:
            error = field_error("neq", "company_exists",
                                "Cette entreprise existe déjà (même NEQ) : choisissez-la ci-dessous pour joindre "
                                "un de ses groupes ou demander un nouveau groupe.",
                                "This company already exists (same NEQ): choose it below to join one of its "
                                "groups or ask for a new group.")
        else:
            error = field_error("not_listed", "company_may_exist",
                                "Une entreprise porte déjà ce nom : choisissez-la ci-dessous, ou confirmez qu'il "
                                "s'agit d'une autre entreprise.",
                                "A company with this name already exists: choose it below, or confirm that yours "
                                "is another company.")
        super().__init__([error])
        self.matches = matches
        self.by_neq = by_neq


def requester_in_other_company(company_name: str) -> Conflict:
    return Conflict("requester_in_other_company",
                    f"Cette personne fait déjà partie de l'entreprise « {company_name} » : un compte ne peut "
                    "appartenir qu'à une seule entreprise.",
                    f"This person already belongs to the company “{company_name}”: an account can belong to "
                    "one company only.")


def creation_of_known_company(company_name: str) -> Conflict:
    return Conflict("company_exists",
                    f"L'entreprise « {company_name} » est déjà inscrite avec ce NEQ : une demande de création ne "
                    "peut pas y mener. Vous pouvez demander à joindre un de ses groupes (décision de son ou sa "
                    "responsable principal·e) ou un nouveau groupe (décision de l'Ordre).",
                    f"The company “{company_name}” is already registered with this NEQ: a creation request cannot "
                    "lead to it. You may ask to join one of its groups (decided by its principal) or for a new "
                    "group (decided by the Ordre).")


def neq_registered(legal_name: str) -> InvalidInput:
    """Staff approving a company creation with the NEQ of a registered company (issue 7: no takeover)."""
    return InvalidInput([field_error(
        "neq", "neq_registered",
        f"Ce NEQ est celui de l'entreprise « {legal_name} », déjà inscrite : une demande de création ne peut pas "
        "y mener. Refusez la demande ; la personne pourra demander à joindre un groupe de cette entreprise ou un "
        "nouveau groupe.",
        f"This NEQ is the one of “{legal_name}”, already registered: a creation request cannot lead to it. "
        "Refuse the request; the person may ask to join a group of that company or for a new group.")])
