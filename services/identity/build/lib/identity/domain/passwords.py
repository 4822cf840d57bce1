"""Password rules: 12 to 128 characters, a letter and a digit, not the email's local part, not a
common or breached password, not built from the person's name or email (ASVS 2.1.7).

A password is "common" when it, or what is left once the digits and symbols around it are taken
away and look-alike characters (0→o, 3→e, @→a…) are read as letters, is in the list of common and
breached passwords: "motdepasse123", "Azerty2024!" and "P@ssw0rd" are all refused. It is "built
from the name or email" when, once the first name, last name, parts of the email and the name of
the site are taken out, fewer than 4 letters are left ("Tremblay2026!!", "Marie.Tremblay-2026").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from identity.domain.emails import domain_of, local_part_of
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
COMMON = ("common_password",
          "Ce mot de passe fait partie des mots de passe les plus courants ou déjà divulgués lors de fuites "
          "de données : il serait deviné en quelques essais. Choisissez-en un autre, par exemple une phrase "
          "de plusieurs mots.",
          "This password is one of the most common ones or has appeared in data breaches: it would be guessed "
          "in a few tries. Choose another one, for example a phrase of several words.")
PERSONAL = ("personal_password",
            "Le mot de passe ne doit pas être construit à partir de votre nom ou de votre adresse courriel.",
            "The password must not be built from your name or your email address.")

#: Words of the site itself, as guessable as the person's name.
SITE_WORDS = ("ingemplois", "emplois", "ordre", "ingenieur", "ingenieurs", "oiq")
#: What is left of a password once the person's words are taken out must be at least this long.
MIN_OWN_LETTERS = 4
MIN_WORD_LENGTH = 3
_LOOK_ALIKES = str.maketrans({"0": "o", "1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "5": "s", "$": "s",
                              "7": "t", "8": "b", "9": "g", "|": "l", "+": "t"})
_EDGES = re.compile(r"^[^a-z]+|[^a-z]+$")
_WORDS = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Lower case without accents: "Élodie" → "elodie"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class PasswordPolicy:
    """The list of common and breached passwords (adapters.common_passwords loads the shipped one)."""

    common: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, passwords: Iterable[str]) -> PasswordPolicy:
        return cls(frozenset(fold(p.strip()) for p in passwords if p.strip()))

    def is_common(self, password: str) -> bool:
        return any(candidate in self.common for candidate in _variants(fold(password)))

    def is_personal(self, password: str, personal_words: Iterable[str]) -> bool:
        """True when little more than the person's own words (and the site's) remains."""
        found = {w for text in (*personal_words, *SITE_WORDS) for w in _WORDS.findall(fold(text))}
        words = sorted((w for w in found if len(w) >= MIN_WORD_LENGTH), key=len, reverse=True)
        if not words:
            return False
        for candidate in {fold(password), fold(password).translate(_LOOK_ALIKES)}:
            rest = candidate
            for word in words:
                rest = rest.replace(word, " ")
            letters = "".join(_WORDS.findall(rest))
            if len(rest) < len(candidate) and len(letters) < MIN_OWN_LETTERS:
                return True
        return False


def _variants(password: str) -> set[str]:
    """The password, its core without the digits and symbols around it, and both read as letters."""
    found = {password, password.translate(_LOOK_ALIKES)}
    found |= {_EDGES.sub("", v) for v in list(found)}
    return {v for v in found if len(v) >= 4}


def personal_words(email: str, first_name: str = "", last_name: str = "") -> list[str]:
    """The words of a person a password must not be built from: names, email's parts, its domain's name."""
    domain = domain_of(email).split(".")
    return [first_name, last_name, local_part_of(email), domain[0] if len(domain) > 1 else ""]


def password_problems(password: str, email: str, policy: PasswordPolicy | None = None,
                      names: tuple[str, str] = ("", "")) -> list[tuple[str, str, str]]:
    """Every rule the password breaks, as (code, French message, English message)."""
    policy = policy or PasswordPolicy()
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
    elif policy.is_personal(password, personal_words(email, *names)):
        problems.append(PERSONAL)
    if policy.is_common(password):
        problems.append(COMMON)
    return problems


def check_password(password: str, email: str, policy: PasswordPolicy | None = None, *,
                   names: tuple[str, str] = ("", ""), field: str = "password") -> None:
    """Raise WeakPassword listing every broken rule."""
    problems = password_problems(password, email, policy, names)
    if problems:
        raise WeakPassword(problems, field=field)
