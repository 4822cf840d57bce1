"""Password rules: 12 to 128 characters, a letter and a digit, not the email's local part."""

from __future__ import annotations

from identity.domain.emails import local_part_of
from identity.domain.errors import WeakPassword

MIN_LENGTH = 12
MAX_LENGTH = 128
#: A local part shorter than this ("a@x.ca") would forbid ordinary letters: the rule skips it.
MIN_LOCAL_PART_CHECKED = 3

# (code, French, English)
TOO_SHORT = ("too_short", f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.",
             f"The password must be at least {MIN_LENGTH} characters long.")
TOO_LONG = ("too_long", f"Le mot de passe doit contenir au plus {MAX_LENGTH} caractères.",
            f"The password must be at most {MAX_LENGTH} characters long.")
NO_LETTER = ("no_letter", "Le mot de passe doit contenir au moins une lettre.",
             "The password must contain at least one letter.")
NO_DIGIT = ("no_digit", "Le mot de passe doit contenir au moins un chiffre.",
            "The password must contain at least one digit.")
BAD_CHARACTERS = ("bad_characters", "Le mot de passe contient des caractères non valides.",
                  "The password contains characters that are not valid.")
CONTAINS_EMAIL = ("contains_email",
                  "Le mot de passe ne doit pas contenir la partie de votre adresse courriel avant le « @ ».",
                  "The password must not contain the part of your email address before the “@”.")


def password_problems(password: str, email: str) -> list[tuple[str, str, str]]:
    """Every rule the password breaks, as (code, French message, English message)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if len(password) > MAX_LENGTH:
        problems.append(TOO_LONG)
    if not any(ch.isalpha() for ch in password):
        problems.append(NO_LETTER)
    if not any(ch.isdecimal() for ch in password):
        problems.append(NO_DIGIT)
    if any("\ud800" <= ch <= "\udfff" or ch == "\x00" for ch in password):
        problems.append(BAD_CHARACTERS)  # lone surrogates (only JSON escapes make them) and NUL
    local = local_part_of(email).lower()
    if len(local) >= MIN_LOCAL_PART_CHECKED and local in password.lower():
        problems.append(CONTAINS_EMAIL)
    return problems


def check_password(password: str, email: str, *, field: str = "password") -> None:
    """Raise WeakPassword listing every broken rule."""
    problems = password_problems(password, email)
    if problems:
        raise WeakPassword(problems, field=field)
