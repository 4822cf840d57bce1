"""Search keys for company names: French-aware, accent- and case-insensitive.

"Génie-Conseil Rivière inc." and "GENIE CONSEIL RIVIERE" share the key "genie conseil riviere":
accents stripped, case folded, punctuation turned into spaces, abbreviations with dots joined
("s.e.n.c." → "senc") and the legal-form noise words (inc., ltée, enr., …) dropped.
"""

from __future__ import annotations

import re
import unicodedata

#: Legal-form words that say nothing about which company it is.
NOISE_WORDS = frozenset({
    "inc", "incorporated", "incorporee", "ltee", "limitee", "ltd", "limited", "enr", "enregistree",
    "enregistre", "senc", "sencrl", "srl", "sa", "llp", "llc", "cie",
})

_DOTTED = re.compile(r"\.")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_DIGITS = re.compile(r"\D")


def fold(text: str) -> str:
    """Lower case, no accents, ligatures split (œ → oe), punctuation as spaces, single-spaced."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "oe")
                                       .replace("æ", "ae").replace("Æ", "ae"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    stripped = _DOTTED.sub("", stripped)
    return " ".join(_NOT_WORD.sub(" ", stripped).split())


def name_tokens(text: str) -> list[str]:
    """The meaningful words of a name; the noise words only if nothing else is left."""
    words = fold(text).split()
    meaningful = [w for w in words if w not in NOISE_WORDS]
    return meaningful or words


def search_key(text: str) -> str:
    """The normalized form stored next to each company name and compared with queries."""
    return " ".join(name_tokens(text))


def digits_only(text: str) -> str:
    return _DIGITS.sub("", text)


def looks_like_neq(query: str) -> bool:
    """A query that is a NEQ: 10 digits, maybe typed with spaces or dashes."""
    stripped = query.strip()
    return bool(stripped) and len(digits_only(stripped)) == 10 and not re.search(r"[A-Za-z]", stripped)
