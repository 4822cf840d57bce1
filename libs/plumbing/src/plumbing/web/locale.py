"""Pick the user's language: the `lang` cookie, then Accept-Language, then French."""

from __future__ import annotations

from collections.abc import Mapping

SUPPORTED = ("fr", "en")
DEFAULT = "fr"


def pick_locale(cookie_lang: str | None, accept_language: str | None) -> str:
    if cookie_lang in SUPPORTED:
        return cookie_lang  # type: ignore[return-value]
    best, best_q = DEFAULT, -1.0
    for part in (accept_language or "").split(","):
        piece = part.strip()
        if not piece:
            continue
        lang, _, params = piece.partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        code = lang.strip().lower()[:2]
        if code in SUPPORTED and q > 0 and q > best_q:
            best, best_q = code, q
    return best


def locale_from_headers(headers: Mapping[str, str]) -> str:
    cookie_lang = None
    for chunk in headers.get("cookie", "").split(";"):
        name, _, value = chunk.strip().partition("=")
        if name == "lang":
            cookie_lang = value
    return pick_locale(cookie_lang, headers.get("accept-language"))
