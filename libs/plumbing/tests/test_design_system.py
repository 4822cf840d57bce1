"""The shared page pieces: rich-text fields without JavaScript, dates in words, the style guide."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from plumbing.web.pages import create_pages_app, date_long, datetime_long, register_styleguide, styleguide_enabled
from plumbing.web.pagination import pager
from plumbing.web.richtext import html_to_plain_text, plain_text_to_html, rich_text_from_form


def test_plain_text_keeps_paragraphs_and_escapes_everything() -> None:
    text = "Premier paragraphe\r\nsur deux lignes\r\n\r\n\r\n<b>Deuxième</b> & fin\n"
    assert plain_text_to_html(text) == (
        "<p>Premier paragraphe<br>sur deux lignes</p><p>&lt;b&gt;Deuxième&lt;/b&gt; &amp; fin</p>")
    assert plain_text_to_html("  \n\n ") == ""


def test_stored_html_becomes_the_textarea_text_and_back() -> None:
    stored = ("<p>Génivert <strong>conçoit</strong></p><ul><li>structure</li><li>eau</li></ul>"
              "<ol><li>un</li><li>deux</li></ol><p>fin<br>ligne</p>")
    text = html_to_plain_text(stored)
    assert text == "Génivert conçoit\n\n- structure\n- eau\n\n1. un\n2. deux\n\nfin\nligne"
    assert plain_text_to_html(text).count("<p>") == 4


def test_the_form_says_which_kind_of_text_it_sends() -> None:
    assert rich_text_from_form({"d": "a\n\nb", "d_format": "text"}, "d") == "<p>a</p><p>b</p>"
    assert rich_text_from_form({"d": "<p><em>a</em></p>", "d_format": "html"}, "d") == "<p><em>a</em></p>"
    assert rich_text_from_form({"d": "<p>a</p>"}, "d") == "<p>a</p>"  # a form without the marker: HTML
    assert rich_text_from_form({}, "d") == ""


def test_dates_in_words_in_quebec_time() -> None:
    evening = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)  # 21 h 30 on December 2 in Montréal
    assert date_long(evening, "fr") == "2 décembre 2026"
    assert date_long(evening, "en") == "December 2, 2026"
    assert date_long(date(2026, 1, 1), "fr") == "1 janvier 2026"
    assert datetime_long(evening, "fr") == "2 décembre 2026 à 21 h 30"
    assert datetime_long(evening, "en").startswith("December 2, 2026 at 9:30")
    assert date_long(None) == "" and datetime_long(None) == ""


def test_style_guide_shows_every_component(tmp_path: Path) -> None:
    app = create_pages_app("sg", tmp_path)
    register_styleguide(app)
    page = app.test_client().get("/styleguide")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for component in ('class="logo-mark"', 'class="badge badge-warning"', 'class="flash flash-success"',
                      'class="flash flash-error"', 'class="field"', 'class="field-error"', 'type="file"',
                      "data-rich-text", 'class="steps"', 'class="table-cards"', "data-label=", 'class="empty-state"',
                      'class="side-nav"', 'class="tabs"', 'class="facts"', 'class="card-grid"', 'class="danger"',
                      "2 décembre 2026", 'class="choice-list"'):
        assert component in text, component


@pytest.mark.parametrize(("mode", "flag", "expected"), [
    ("embedded", None, True), ("distributed", None, False), ("distributed", "1", True), ("embedded", "0", False)])
def test_style_guide_is_for_development_only(monkeypatch, mode, flag, expected) -> None:
    monkeypatch.setenv("INGEMPLOIS_MODE", mode)
    if flag is None:
        monkeypatch.delenv("INGEMPLOIS_STYLEGUIDE", raising=False)
    else:
        monkeypatch.setenv("INGEMPLOIS_STYLEGUIDE", flag)
    assert styleguide_enabled() is expected


def test_page_links_show_the_ends_and_the_pages_around_the_current_one() -> None:
    links = pager(7, 20, lambda n: f"/l?page={n}")
    assert [link.number for link in links.links] == [1, None, 5, 6, 7, 8, 9, None, 20]
    assert [link.number for link in links.links if link.current] == [7]
    assert (links.previous_url, links.next_url) == ("/l?page=6", "/l?page=8")
    first = pager(1, 3, lambda n: f"/l?page={n}")
    assert [link.number for link in first.links] == [1, 2, 3] and first.previous_url is None
    past_the_end = pager(9, 3, lambda n: f"/l?page={n}")
    assert past_the_end.previous_url == "/l?page=3" and past_the_end.next_url is None
    assert pager(1, 0, str).pages == 1


def test_style_guide_shows_the_pagination(tmp_path: Path) -> None:
    app = create_pages_app("sg", tmp_path)
    register_styleguide(app)
    text = app.test_client().get("/styleguide").get_data(as_text=True)
    assert 'class="pagination"' in text and 'href="/styleguide?page=4" rel="next"' in text
    assert 'href="/styleguide?page=3" aria-current="page"' in text
