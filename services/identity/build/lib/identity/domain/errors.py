"""Rule violations of the identity domain, each with a stable code and a French and English message.

The messages are part of the product (PRODUCT.md §2.1 gives some verbatim): entrypoints show
them as they are, in the user's language, next to the offending `field` when there is one.
"""

from __future__ import annotations

from datetime import datetime


class IdentityError(Exception):
    """A request identity refuses, for a reason the user can read."""

    code = "identity_error"
    field: str | None = None
    message_fr = "La demande est refusée."
    message_en = "The request is refused."

    def __init__(self, message_fr: str | None = None, message_en: str | None = None, *,
                 field: str | None = None) -> None:
        if message_fr is not None:
            self.message_fr = message_fr
        if message_en is not None:
            self.message_en = message_en
        if field is not None:
            self.field = field
        super().__init__(self.message_en)

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr


class InvalidEmail(IdentityError):
    code = "invalid_email"
    field = "email"
    message_fr = "Entrez une adresse courriel valide (ex. prenom.nom@entreprise.ca)."
    message_en = "Enter a valid email address (e.g. first.last@company.ca)."


class WebmailNotAllowed(IdentityError):
    code = "webmail_not_allowed"
    field = "email"
    message_fr = ("Utilisez votre adresse courriel professionnelle : les adresses de messagerie gratuite "
                  "(ex. gmail.com) ne sont pas acceptées.")
    message_en = ("Use your professional email address: free webmail addresses (e.g. gmail.com) "
                  "are not accepted.")


class EmailAlreadyUsed(IdentityError):
    code = "email_already_used"
    field = "email"
    message_fr = "Cette adresse courriel est déjà associée à un compte."
    message_en = "This email address is already associated with an account."


class InvalidName(IdentityError):
    code = "invalid_name"
    message_fr = "Entrez un nom de 1 à 100 caractères."
    message_en = "Enter a name of 1 to 100 characters."


class WeakPassword(IdentityError):
    """One or more password rules are broken; `problems` lists them (see domain.passwords)."""

    code = "weak_password"
    field = "password"

    def __init__(self, problems: list[tuple[str, str, str]], *, field: str = "password") -> None:
        self.problems = problems
        super().__init__(" ".join(fr for _, fr, _ in problems), " ".join(en for _, _, en in problems),
                         field=field)


class SamePassword(IdentityError):
    code = "same_password"
    field = "new_password"
    message_fr = "Le nouveau mot de passe doit être différent du mot de passe actuel."
    message_en = "The new password must be different from the current one."


class InvalidCredentials(IdentityError):
    code = "invalid_credentials"
    message_fr = "Adresse courriel ou mot de passe incorrect."
    message_en = "Incorrect email address or password."


class WrongCurrentPassword(IdentityError):
    code = "wrong_current_password"
    field = "current_password"
    message_fr = "Le mot de passe actuel est incorrect."
    message_en = "The current password is incorrect."


class AccountNotVerified(IdentityError):
    code = "account_not_verified"
    message_fr = ("Votre adresse courriel n'est pas encore vérifiée : suivez le lien que nous vous avons "
                  "envoyé par courriel pour la confirmer.")
    message_en = ("Your email address is not verified yet: follow the link we sent you by email to "
                  "confirm it.")


class AccountLocked(IdentityError):
    code = "account_locked"

    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        seconds = max(0.0, (until - now).total_seconds())
        self.retry_after = max(1, int(-(-seconds // 1)))
        minutes = max(1, int(-(-seconds // 60)))
        super().__init__(
            "Votre compte est temporairement verrouillé après plusieurs tentatives infructueuses. "
            f"Réessayez dans {minutes} minutes ou réinitialisez votre mot de passe.",
            "Your account is temporarily locked after several failed attempts. "
            f"Try again in {minutes} minutes or reset your password.",
        )


class TokenInvalid(IdentityError):
    code = "token_invalid"
    field = "token"
    message_fr = "Ce lien n'est pas valide. Vérifiez que vous avez copié l'adresse au complet."
    message_en = "This link is not valid. Check that you copied the whole address."


class TokenExpired(IdentityError):
    code = "token_expired"
    field = "token"
    message_fr = "Ce lien a expiré."
    message_en = "This link has expired."


class TokenAlreadyUsed(IdentityError):
    code = "token_used"
    field = "token"
    message_fr = "Ce lien a déjà été utilisé."
    message_en = "This link has already been used."


class AccountDeactivated(IdentityError):
    code = "account_deactivated"
    message_fr = ("Ce compte a été désactivé par l'Ordre des ingénieurs du Québec. Communiquez avec l'Ordre "
                  "pour en savoir plus.")
    message_en = "This account was deactivated by the Ordre des ingénieurs du Québec. Contact the Ordre to know more."


class AccountNotFound(IdentityError):
    code = "account_not_found"
    message_fr = "Ce compte n'existe pas."
    message_en = "This account does not exist."


class StaffOnly(IdentityError):
    code = "staff_only"
    message_fr = "Seul le personnel de l'Ordre peut faire cette opération."
    message_en = "Only the Ordre's staff can do this."


class SessionInvalid(IdentityError):
    code = "session_invalid"
    message_fr = "Votre session a expiré ou a été fermée. Connectez-vous de nouveau."
    message_en = "Your session has expired or was closed. Please log in again."


class KeyRotationConflict(IdentityError):
    code = "key_rotation_conflict"
    message_fr = ("Une autre rotation des clés de signature a eu lieu en même temps : consultez les clés "
                  "(signing-keys) avant de recommencer.")
    message_en = "Another signing-key rotation ran at the same time: list the keys (signing-keys) before trying again."


class InvalidInput(IdentityError):
    """Several fields are wrong at once: `errors` holds one error per field, in form order."""

    code = "invalid_input"

    def __init__(self, errors: list[IdentityError]) -> None:
        self.errors = errors
        super().__init__(" ".join(e.message_fr for e in errors), " ".join(e.message_en for e in errors),
                         field=errors[0].field)


def raise_all(errors: list[IdentityError]) -> None:
    """Raise nothing, the one error, or InvalidInput with all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise InvalidInput(errors)


def per_field(error: IdentityError) -> list[IdentityError]:
    """The individual errors behind an error (itself, or the parts of an InvalidInput)."""
    return list(error.errors) if isinstance(error, InvalidInput) else [error]
