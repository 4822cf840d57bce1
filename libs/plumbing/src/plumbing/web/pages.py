"""Flask app factory for a service's server-rendered pages, with the shared layout.

Pages get from the gateway (see docs/decisions.md §3) the access token of the signed-in user and
the CSRF token to put in forms; they read the language from the `lang` cookie.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from flask import Flask, Response, g, render_template, request
from flask_babel import Babel, gettext
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import HTTPException

from plumbing.auth.tokens import Principal, principal_from_authorization
from plumbing.clock import QUEBEC
from plumbing.web.locale import pick_locale

PLUMBING_DIR = Path(__file__).resolve().parent.parent

ERROR_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("La requête est invalide.", "The request is invalid."),
    403: ("Vous n'avez pas accès à cette page.", "You do not have access to this page."),
    404: ("Cette page est introuvable.", "This page cannot be found."),
    405: ("Cette action n'est pas permise ici.", "This action is not allowed here."),
    413: ("Le fichier envoyé est trop volumineux.", "The uploaded file is too large."),
    500: ("Une erreur inattendue est survenue. Réessayez dans un instant.",
          "An unexpected error occurred. Please try again in a moment."),
}


def current_locale() -> str:
    return pick_locale(request.cookies.get("lang"), request.headers.get("Accept-Language"))


def current_user() -> Principal | None:
    """The signed-in user, from the bearer token the gateway attached (verified here)."""
    if "principal" not in g:
        g.principal = principal_from_authorization(request.headers.get("Authorization"))
    return g.principal


def csrf_token() -> str:
    return request.headers.get("X-CSRF-Token", "")


def date_long(value: date | datetime | None, locale: str | None = None) -> str:
    """A day in words, in Québec time: « 2 décembre 2026 », "December 2, 2026"."""
    if value is None:
        return ""
    day = value.astimezone(QUEBEC).date() if isinstance(value, datetime) else value
    return format_date(day, format="long", locale=locale or current_locale())


def datetime_long(value: datetime | None, locale: str | None = None) -> str:
    """A moment in words, in Québec time: « 2 décembre 2026 à 14 h 05 », "December 2, 2026 at 2:05 PM"."""
    if value is None:
        return ""
    locale = locale or current_locale()
    local = value.astimezone(QUEBEC)
    time_text = format_time(local, format="short", locale=locale)
    if locale == "fr":
        time_text = time_text.replace(":", " h ")
    joiner = " à " if locale == "fr" else " at "
    return date_long(local, locale) + joiner + time_text


def create_pages_app(import_name: str, service_dir: Path, *, max_upload: int = 12 * 1024 * 1024) -> Flask:
    """A Flask app whose templates fall back to the shared layout and whose locale is fr or en.

    `service_dir` holds the service package's `templates/` and `translations/`.
    """
    app = Flask(import_name, template_folder=str(service_dir / "templates"), static_folder=None)
    app.config.update(
        MAX_CONTENT_LENGTH=max_upload,
        BABEL_DEFAULT_LOCALE="fr",
        # Flask-Babel merges the catalogues in this order, later ones winning: the service's own
        # translation of a string beats the shared one.
        BABEL_TRANSLATION_DIRECTORIES=";".join(
            [str(PLUMBING_DIR / "translations"), str(service_dir / "translations")]
        ),
    )
    app.jinja_loader = ChoiceLoader(
        [FileSystemLoader(str(service_dir / "templates")), FileSystemLoader(str(PLUMBING_DIR / "templates"))]
    )
    Babel(app, locale_selector=current_locale)
    app.jinja_env.filters["date_long"] = date_long
    app.jinja_env.filters["datetime_long"] = datetime_long

    @app.context_processor
    def _layout_context() -> dict[str, Any]:
        return {
            "locale": current_locale(),
            "request_path": request.full_path.rstrip("?") if request.query_string else request.path,
            "csrf_token": csrf_token(),
            "current_user": current_user(),
        }

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int]:
        status = exc.code or 500
        fr, en = ERROR_MESSAGES.get(status, ERROR_MESSAGES[500] if status >= 500 else ERROR_MESSAGES[400])
        return render_template("error.html", status=status, message=en if current_locale() == "en" else fr), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error in page", exc_info=exc)
        fr, en = ERROR_MESSAGES[500]
        return render_template("error.html", status=500, message=en if current_locale() == "en" else fr), 500

    @app.after_request
    def _no_store_for_signed_in(response: Response) -> Response:
        if request.headers.get("Authorization"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app


def styleguide_enabled() -> bool:
    """The living style guide is served in development only (`make run`: embedded mode), or when
    `INGEMPLOIS_STYLEGUIDE` says so."""
    from plumbing.config import env, env_bool

    return env_bool("INGEMPLOIS_STYLEGUIDE", env("INGEMPLOIS_MODE", "embedded") == "embedded")


def register_styleguide(app: Flask) -> None:
    """GET /styleguide: every component of ui.html, as pages use them (development only)."""

    @app.get("/styleguide")
    def styleguide() -> str:
        sample = datetime(2026, 12, 2, 19, 5, tzinfo=QUEBEC)
        return render_template("styleguide.html", sample_date=sample,
                               flashes=[("success", gettext("Exemple : les informations sont enregistrées."))])
