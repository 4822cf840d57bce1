"""`local_path` (a `next` stays on the site) and `login_redirect` (to the sign-in page and back)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import request

from plumbing.web.pages import create_pages_app, local_path, login_redirect


@pytest.mark.parametrize("value", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x",
                                   "", None, "/x\r\nSet-Cookie: a=1", "/x\ty", "relative/path", "http:/x"])
def test_anything_but_a_local_path_gives_the_default(value):
    assert local_path(value, "/home/") == "/home/"


@pytest.mark.parametrize("value", ["/", "/emplois/42", "/emplois/?q=génie&region=06"])
def test_a_local_path_is_kept(value):
    assert local_path(value, "/home/") == value


def test_login_redirect_comes_back_to_the_page_with_its_query_for_a_get_only(tmp_path: Path):
    app = create_pages_app("t", tmp_path)

    @app.route("/page", methods=["GET", "POST"])
    def page():
        return login_redirect(request.form.get("next"))

    client = app.test_client()
    got = client.get("/page?a=1&b=2")
    assert got.status_code == 303 and got.headers["Location"] == "/compte/connexion?next=/page%3Fa%3D1%26b%3D2"
    assert client.post("/page?a=1").headers["Location"] == "/compte/connexion?next=/page"
    assert client.post("/page", data={"next": "/emplois/7"}).headers["Location"] == "/compte/connexion?next=/emplois/7"
