"""@shareable pages: marked `public, s-maxage` only when nothing personal went into them."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, make_response, render_template

from plumbing.web.pages import create_pages_app, shareable

PAGE = ('{% extends "layout.html" %}{% block content %}<p>{{ text }}</p>'
        '<p>{{ _("Bonjour %(name)s, 100 %%", name=text) }}</p>{% endblock %}')
FORM = ('{% extends "layout.html" %}{% block content %}<form method="post">'
        '<input type="hidden" name="csrf_token" value="{{ csrf_token }}"></form>{% endblock %}')


@pytest.fixture()
def app(tmp_path: Path) -> Flask:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(PAGE)
    (tmp_path / "templates" / "form.html").write_text(FORM)
    pages = create_pages_app("demo", tmp_path)

    @pages.get("/public")
    @shareable(7)
    def public() -> str:
        return render_template("page.html", text="Bonjour")

    @pages.get("/with-form")
    @shareable(7)
    def with_form() -> str:
        return render_template("form.html")

    @pages.get("/with-flash")
    @shareable(7)
    def with_flash() -> str:
        return render_template("page.html", text="x", flashes=[("success", "Enregistré.")])

    @pages.get("/with-cookie")
    @shareable(7)
    def with_cookie():  # noqa: ANN202
        response = make_response(render_template("page.html", text="x"))
        response.set_cookie("seen", "1")
        return response

    @pages.get("/not-opted-in")
    def not_opted_in() -> str:
        return render_template("page.html", text="x")

    return pages


def test_an_anonymous_shareable_page_is_public(app: Flask) -> None:
    response = app.test_client().get("/public", headers={"X-CSRF-Token": "t" * 43})
    assert response.headers["Cache-Control"] == "public, s-maxage=7"
    assert set(response.headers["Vary"].replace(" ", "").split(",")) >= {"Accept-Language", "Cookie"}
    assert "t" * 43 not in response.text  # the layout of an anonymous page carries no token


@pytest.mark.parametrize("path", ["/with-form", "/with-flash", "/with-cookie", "/not-opted-in"])
def test_a_page_with_anything_personal_is_never_public(app: Flask, path: str) -> None:
    response = app.test_client().get(path, headers={"X-CSRF-Token": "t" * 43})
    assert response.status_code == 200
    assert "public" not in response.headers.get("Cache-Control", "")


def test_the_csrf_token_is_still_in_forms(app: Flask) -> None:
    response = app.test_client().get("/with-form", headers={"X-CSRF-Token": "t" * 43})
    assert 'value="' + "t" * 43 + '"' in response.text


def test_signed_in_pages_are_no_store(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("plumbing.web.pages.principal_from_authorization", lambda header: None)
    response = app.test_client().get("/public", headers={"Authorization": "Bearer not-checked-here"})
    assert response.headers["Cache-Control"] == "no-store"


def test_errors_are_not_public(app: Flask) -> None:
    assert "public" not in app.test_client().get("/nowhere").headers.get("Cache-Control", "")


def test_translations_per_language_with_escaped_variables(app: Flask) -> None:
    client = app.test_client()
    for _ in range(2):  # the second time from the per-process dictionary
        french = client.get("/public").text
        english = client.get("/public", headers={"Accept-Language": "en"}).text
        assert "Aller au contenu" in french and "Se connecter" in french
        assert "Skip to content" in english and "Log in" in english and "Aller au contenu" not in english
    page = app.test_client().get("/with-flash").text
    assert "Bonjour x, 100 %" in page


def test_variables_in_translations_are_escaped(app: Flask) -> None:
    @app.get("/hostile")
    def hostile() -> str:
        return render_template("page.html", text="<script>")

    page = app.test_client().get("/hostile").text
    assert "Bonjour &lt;script&gt;, 100 %" in page and "<script>" not in page


def test_templates_are_compiled_once_per_process(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []
    original = app.jinja_loader.get_source  # type: ignore[union-attr]

    def counting(environment, template):  # noqa: ANN001, ANN202
        loads.append(template)
        return original(environment, template)

    monkeypatch.setattr(app.jinja_loader, "get_source", counting)
    client = app.test_client()
    for _ in range(3):
        client.get("/public")
        client.get("/public", headers={"Accept-Language": "en"})
    assert sorted(loads) == ["layout.html", "page.html", "ui.html"]  # read and compiled once, not per request
    assert app.jinja_env.auto_reload is False  # and no file check per render outside debug
