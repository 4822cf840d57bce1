"""Flask app factory for a service's server-rendered pages, with the shared layout.

Pages get from the gateway (see docs/decisions.md §3) the access token of the signed-in user and
the CSRF token to put in forms; they read the language from the `lang` cookie.

A page that is the same for every anonymous visitor opts in to shared caching with
`@shareable(seconds)`: it is then sent with `Cache-Control: public, s-maxage=<seconds>` (the gateway's
micro-cache and any shared cache may reuse it), but only when nothing personal went into it: no
signed-in user, no CSRF token rendered, no flash message, no cookie set. Pages without the
decorator are never marked shareable.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from babel.dates import format_date, format_time
from flask import Flask, Response, g, redirect, render_template, request, template_rendered
from flask_babel import Babel, get_translations, gettext
from jinja2 import ChoiceLoader, FileSystemLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup
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
    """The page's language (fr or en), picked once per request."""
    try:
        return g._page_locale  # type: ignore[no-any-return]
    except AttributeError:
        g._page_locale = pick_locale(request.cookies.get("lang"), request.headers.get("Accept-Language"))
        return g._page_locale  # type: ignore[no-any-return]


def _page_translations() -> Any:
    """The catalog of this request's language, looked up once per request (Flask-Babel loads each
    catalog once per process, but its per-string lookup walks the request context again for every
    `_()`: about half of a page's rendering time on the landing page, bench/gateway)."""
    try:
        return g._page_translations
    except AttributeError:
        g._page_translations = get_translations()
        return g._page_translations


def _install_gettext(app: Flask) -> None:
    """Templates' `_`, `gettext`, `ngettext`, `pgettext` through the per-request catalog, with the
    semantics of Jinja's new-style gettext that Flask-Babel installs (the translation is trusted
    markup, always `%`-formatted, variables escaped). `_` and `gettext` also keep each translated
    string per language for the life of the process (one dictionary per app: in the embedded mode
    every service's app shares the process, each with its own catalogs)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
    )
    translated: dict[tuple[str, str], str] = {}

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        key = (current_locale(), message)
        text = translated.get(key)
        if text is None:
            text = translated[key] = _page_translations().ugettext(message)
        markup = Markup(text) if context.eval_ctx.autoescape else text  # noqa: S704 - catalogs are trusted, as in Jinja
        return markup % variables  # type: ignore[no-any-return]

    app.jinja_env.globals.update(_=gettext, gettext=gettext)


def current_user() -> Principal | None:
    """The signed-in user, from the bearer token the gateway attached (verified here)."""
    if "principal" not in g:
        g.principal = principal_from_authorization(request.headers.get("Authorization"))
    return g.principal


def client_ip() -> str:
    """The visitor's address as the gateway wrote it (it replaces any X-Forwarded-For it received
    with the one address it trusts), else the peer's."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.split(",")[0].strip() or request.remote_addr or "unknown"


def csrf_token() -> str:
    """This visitor's CSRF token; a page that uses it is personal (never shareable)."""
    g.personal = True
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


LOGIN_PATH = "/compte/connexion"


def local_path(value: str | None, default: str) -> str:
    """`value` when it is a path on this site (for a `next` field or parameter), else `default`:
    never another host (`//evil`, `/\\evil`, `https://…`), never a header break."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ch in value for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_redirect(target: str | None = None) -> Response:
    """303 to the sign-in page, which comes back to `target` (by default this page: with its query
    for a GET, the bare path for a form's POST) once signed in."""
    if target is None:
        target = request.full_path.rstrip("?") if request.query_string and request.method == "GET" else request.path
    return redirect(f"{LOGIN_PATH}?next={quote(target, safe='/')}", 303)  # type: ignore[return-value]


class _LazyCsrfToken:
    """The template's `csrf_token`: read from the request only when a template renders it, so that
    a page without a form stays free of per-visitor data."""

    def __str__(self) -> str:
        return csrf_token()

    def __html__(self) -> str:
        return csrf_token()  # a token is URL-safe base64: nothing to escape

    def __bool__(self) -> bool:
        return bool(csrf_token())


View = TypeVar("View", bound=Callable[..., Any])


def shareable(seconds: int) -> Callable[[View], View]:
    """Mark a page as the same for every anonymous visitor in a language, for `seconds` at most.

    It is sent as `Cache-Control: public, s-maxage=<seconds>` with `Vary: Accept-Language, Cookie`
    unless the answer turns out personal (see the module docstring). Use it only for pages that
    depend on nothing but the path, the query and the language.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            g.shareable_seconds = seconds
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _mark_flashes_personal(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
    if context.get("flashes"):
        g.personal = True


def cache_headers(response: Response) -> Response:
    """after_request: `no-store` for signed-in users; `public, s-maxage` for shareable anonymous pages."""
    if request.headers.get("Authorization"):
        response.headers.setdefault("Cache-Control", "no-store")
        return response
    seconds = g.get("shareable_seconds")
    if (
        seconds
        and request.method in ("GET", "HEAD")
        and response.status_code == 200
        and not g.get("personal")
        and "Set-Cookie" not in response.headers
        and "Cache-Control" not in response.headers
    ):
        response.headers["Cache-Control"] = f"public, s-maxage={int(seconds)}"
        response.vary.update(("Accept-Language", "Cookie"))
    return response


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
    _install_gettext(app)
    app.jinja_env.filters["date_long"] = date_long
    app.jinja_env.filters["datetime_long"] = datetime_long

    @app.context_processor
    def _layout_context() -> dict[str, Any]:
        return {
            "locale": current_locale(),
            "request_path": request.full_path.rstrip("?") if request.query_string else request.path,
            "csrf_token": _LazyCsrfToken(),
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

    app.after_request(cache_headers)
    template_rendered.connect(_mark_flashes_personal, app)
    return app


def styleguide_enabled() -> bool:
    """The living style guide is served in development only (`make run`: embedded mode), or when
    `INGEMPLOIS_STYLEGUIDE` says so."""
    from plumbing.config import env, env_bool

    return env_bool("INGEMPLOIS_STYLEGUIDE", env("INGEMPLOIS_MODE", "embedded") == "embedded")


def register_styleguide(app: Flask) -> None:
    """GET /styleguide: every component of ui.html, as pages use them (development only)."""

    from plumbing.web.pagination import pager

    @app.get("/styleguide")
    def styleguide() -> str:
        sample = datetime(2026, 12, 2, 19, 5, tzinfo=QUEBEC)
        sample_pager = pager(3, 12, lambda number: f"/styleguide?page={number}")
        return render_template("styleguide.html", sample_date=sample, sample_pager=sample_pager,
                               flashes=[("success", gettext("Exemple : les informations sont enregistrées."))])
