"""The gateway's own error answers: bilingual HTML pages (shared layout) or problem+json."""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from babel import support
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.responses import Response

from gateway.config import PACKAGE_DIR, REPO_ROOT
from gateway.routing import is_api_path

log = logging.getLogger(__name__)

LOCALES = ("fr", "en")


@dataclass(frozen=True)
class ErrorKind:
    """One kind of error, its status and its French and English wording."""

    status: int
    fr: tuple[str, str]
    en: tuple[str, str]


_RETRY = "Réessayez dans quelques minutes."
_RETRY_EN = "Please try again in a few minutes."

ERRORS: dict[str, ErrorKind] = {
    "bad-request": ErrorKind(
        400,
        ("Requête invalide", "La requête n'a pas pu être lue."),
        ("Bad request", "The request could not be read."),
    ),
    "csrf": ErrorKind(
        403,
        (
            "Formulaire expiré",
            "La session du formulaire a expiré. Rechargez la page, puis soumettez le formulaire de nouveau.",
        ),
        ("Form expired", "The form session has expired. Reload the page, then submit the form again."),
    ),
    "origin": ErrorKind(
        403,
        ("Requête refusée", "Cette requête provient d'un autre site; elle a été refusée."),
        ("Request refused", "This request comes from another site; it was refused."),
    ),
    "not-found": ErrorKind(
        404,
        ("Page introuvable", "La page demandée n'existe pas."),
        ("Page not found", "The page you asked for does not exist."),
    ),
    "method-not-allowed": ErrorKind(
        405,
        ("Méthode non permise", "Cette adresse n'accepte pas cette méthode."),
        ("Method not allowed", "This address does not accept this method."),
    ),
    "too-large": ErrorKind(
        413,
        ("Envoi trop volumineux", "Le contenu envoyé dépasse la taille maximale permise (12 Mio)."),
        ("Upload too large", "The content sent exceeds the maximum size allowed (12 MiB)."),
    ),
    "rate-limited": ErrorKind(
        429,
        (
            "Trop de requêtes",
            "Vous avez fait trop de requêtes en peu de temps. Réessayez dans {retry} secondes.",
        ),
        (
            "Too many requests",
            "You made too many requests in a short time. Try again in {retry} seconds.",
        ),
    ),
    "internal": ErrorKind(
        500,
        ("Erreur interne", "Une erreur inattendue est survenue. " + _RETRY),
        ("Internal error", "An unexpected error occurred. " + _RETRY_EN),
    ),
    "bad-gateway": ErrorKind(
        502,
        ("Service en erreur", "Le service n'a pas répondu correctement. " + _RETRY),
        ("Service error", "The service did not answer properly. " + _RETRY_EN),
    ),
    "unavailable": ErrorKind(
        503,
        ("Service indisponible", "Ce service est momentanément indisponible. " + _RETRY),
        ("Service unavailable", "This service is temporarily unavailable. " + _RETRY_EN),
    ),
    "timeout": ErrorKind(
        504,
        ("Délai dépassé", "Le service a mis trop de temps à répondre. " + _RETRY),
        ("Timed out", "The service took too long to answer. " + _RETRY_EN),
    ),
}

#: English for the strings of the gateway's error.html; the shared layout's come from plumbing's
#: own translations (French is the source language).
_LAYOUT_EN = {
    "Retour à l'accueil": "Back to the home page",
    "Référence :": "Reference:",
}


def pick_locale(headers: Headers) -> str:
    """`lang` cookie first, then Accept-Language (by q-value), default French."""
    lang = cookie_parser("; ".join(headers.getlist("cookie"))).get("lang")
    if lang in LOCALES:
        return lang
    best, best_q = "fr", -1.0
    for part in headers.get("accept-language", "").split(","):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LOCALES:
            continue
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        if q > best_q:
            best, best_q = primary, q
    return best


def plumbing_templates_dir() -> Path:
    """plumbing's templates through importlib.resources, else the checkout's path."""
    try:
        candidate = Path(str(resources.files("plumbing") / "templates"))
        if candidate.is_dir():
            return candidate
    except (ModuleNotFoundError, TypeError):
        pass
    return REPO_ROOT / "libs" / "plumbing" / "src" / "plumbing" / "templates"


@functools.cache
def _plumbing_english() -> support.NullTranslations:
    """plumbing's compiled English catalogue (the layout's and components' strings)."""
    return support.Translations.load(str(plumbing_templates_dir().parent / "translations"), ["en"])


def make_environment() -> Environment:
    """Jinja environment: the gateway's templates, then plumbing's shared layout."""
    loader = ChoiceLoader(
        [
            FileSystemLoader(str(PACKAGE_DIR / "templates")),
            FileSystemLoader(str(plumbing_templates_dir())),
        ]
    )
    return Environment(loader=loader, autoescape=select_autoescape(["html"]), auto_reload=False)


class ErrorResponder:
    """Builds error responses in the caller's language and format."""

    def __init__(self) -> None:
        self._env = make_environment()

    def respond(
        self,
        kind: str,
        *,
        path: str,
        headers: Headers,
        request_id: str = "",
        csrf_token: str = "",
        retry_after: int | None = None,
    ) -> Response:
        """An HTML page for browser paths, problem+json for /api/ paths."""
        error = ERRORS[kind]
        locale = pick_locale(headers)
        extra = {"retry-after": str(retry_after)} if retry_after is not None else {}
        extra["cache-control"] = "no-store"
        texts = {
            loc: (title, detail.format(retry=retry_after or 60))
            for loc, (title, detail) in (("fr", error.fr), ("en", error.en))
        }
        title, detail = texts[locale]
        if is_api_path(path):
            body = {
                "type": f"urn:ingemplois:gateway:{kind}",
                "title": title,
                "status": error.status,
                "detail": detail,
            }
            return Response(
                json.dumps(body, ensure_ascii=False),
                status_code=error.status,
                media_type="application/problem+json",
                headers={**extra, "content-language": locale},
            )
        other = "en" if locale == "fr" else "fr"
        html = self._render(
            locale=locale,
            title=title,
            detail=detail,
            other={"locale": other, "title": texts[other][0], "detail": texts[other][1]},
            request_path=path,
            request_id=request_id,
            csrf_token=csrf_token,
            status=error.status,
        )
        return Response(
            html,
            status_code=error.status,
            media_type="text/html; charset=utf-8",
            headers={**extra, "content-language": locale},
        )

    def _render(self, **context: object) -> str:
        locale = context["locale"]

        def gettext(message: str) -> str:
            if locale != "en":
                return message
            return _LAYOUT_EN.get(message) or _plumbing_english().gettext(message)

        try:
            return self._env.get_template("error.html").render(_=gettext, **context)
        except Exception:  # never fail while reporting a failure
            log.exception("error page template failed")
            return (
                f'<!doctype html><html lang="{locale}"><title>{context["title"]}</title>'
                f"<h1>{context['title']}</h1><p>{context['detail']}</p></html>"
            )
