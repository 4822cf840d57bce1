"""problem+json (RFC 9457) with titles and messages in French or English."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

PROBLEM_TYPE = "application/problem+json"
MAX_FIELD_ERRORS = 20

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
        field_errors: Sequence[tuple[str, str, str, str]] = (),
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.field = field
        self.headers = headers or {}
        #: Every broken rule as (field, code, French, English): the problem's `errors` list.
        self.field_errors = tuple(field_errors)

    def message(self, locale: str) -> str:
        return self.message_en if locale == "en" else self.message_fr

    def errors(self, locale: str) -> list[dict[str, str]] | None:
        """`errors` of the problem body (one entry per broken rule), or None when there are none."""
        if not self.field_errors:
            return None
        return [{"field": field, "code": code, "detail": en if locale == "en" else fr}
                for field, code, fr, en in self.field_errors[:MAX_FIELD_ERRORS]]


def problem_body(
    status: int, locale: str, detail: str | None = None, **extensions: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title_for(status, locale), "status": status}
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extensions.items() if v is not None})
    return body


def problem_bytes(status: int, locale: str, detail: str | None = None, **extensions: Any) -> bytes:
    return json.dumps(problem_body(status, locale, detail, **extensions), ensure_ascii=False).encode()
