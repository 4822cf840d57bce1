"""problem+json (RFC 9457) with titles and messages in French or English."""

from __future__ import annotations

import json
import re
from typing import Any

PROBLEM_TYPE = "application/problem+json"

#: `detail` is at most this long in every contract (Problem.detail maxLength).
MAX_DETAIL = 2000
#: What a validation message may echo of the caller's input: each word, and the whole message.
MAX_ECHOED_WORD = 80
MAX_ECHOED_DETAIL = 500
_LONG_WORD = re.compile(rf"\S{{{MAX_ECHOED_WORD + 1},}}")

TITLES: dict[int, tuple[str, str]] = {
    400: ("Requête invalide", "Bad request"),
    401: ("Authentification requise", "Authentication required"),
    403: ("Accès refusé", "Forbidden"),
    404: ("Introuvable", "Not found"),
    405: ("Méthode non permise", "Method not allowed"),
    409: ("Conflit", "Conflict"),
    410: ("Expiré", "Gone"),
    413: ("Contenu trop volumineux", "Payload too large"),
    415: ("Type de contenu non pris en charge", "Unsupported media type"),
    422: ("Données invalides", "Unprocessable content"),
    423: ("Compte verrouillé", "Account locked"),
    429: ("Trop de requêtes", "Too many requests"),
    500: ("Erreur interne", "Internal server error"),
    502: ("Service indisponible", "Bad gateway"),
    503: ("Service indisponible", "Service unavailable"),
    504: ("Délai dépassé", "Gateway timeout"),
}


def title_for(status: int, locale: str) -> str:
    fr, en = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    return en if locale == "en" else fr


class ApiProblem(Exception):
    """A client error raised by an HTTP entrypoint, with its message in both languages."""

    def __init__(
        self,
        status: int,
        code: str,
        message_fr: str,
        message_en: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.field = field
        self.headers = headers or {}

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr


def capped(text: str, limit: int = MAX_DETAIL) -> str:
    """`text` cut to `limit` characters (an ellipsis marks the cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo_safe(message: str) -> str:
    """A validation message that quotes the caller's input (connexion/jsonschema: "'xxx…' is too
    long - 'name'"), with every long word shortened and the whole kept short: the field and the
    rule stay readable, the input is not sent back whole."""
    shortened = _LONG_WORD.sub(lambda m: m.group(0)[:MAX_ECHOED_WORD] + "…", message)
    return capped(shortened, MAX_ECHOED_DETAIL)


def problem_body(
    status: int, locale: str, detail: str | None = None, **extensions: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title_for(status, locale), "status": status}
    if detail:
        body["detail"] = capped(detail)
    body.update({k: v for k, v in extensions.items() if v is not None})
    return body


def problem_bytes(status: int, locale: str, detail: str | None = None, **extensions: Any) -> bytes:
    return json.dumps(problem_body(status, locale, detail, **extensions), ensure_ascii=False).encode()
