import json

import pytest

from plumbing.web.locale import locale_from_headers, pick_locale
from plumbing.web.problem import ApiProblem, problem_body


@pytest.mark.parametrize(
    ("cookie", "accept", "expected"),
    [
        (None, None, "fr"),
        (None, "en-CA,en;q=0.9", "en"),
        (None, "fr-CA,en;q=0.5", "fr"),
        (None, "en;q=0.4,fr;q=0.8", "fr"),
        (None, "de,es", "fr"),
        ("en", "fr", "en"),
        ("xx", "en", "en"),
        (None, "en;q=abc", "fr"),
    ],
)
def test_pick_locale(cookie, accept, expected):
    assert pick_locale(cookie, accept) == expected


def test_locale_from_cookie_header():
    assert locale_from_headers({"cookie": "a=b; lang=en", "accept-language": "fr"}) == "en"


def test_problem_titles_follow_the_language():
    assert problem_body(404, "fr")["title"] == "Introuvable"
    assert problem_body(404, "en")["title"] == "Not found"
    body = problem_body(400, "en", "bad", code="x", field=None)
    assert body == {"type": "about:blank", "title": "Bad request", "status": 400, "detail": "bad", "code": "x"}
    json.dumps(body)


def test_api_problem_message_by_locale():
    problem = ApiProblem(409, "duplicate", "Déjà pris.", "Already taken.", field="email")
    assert problem.message("fr") == "Déjà pris."
    assert problem.message("en") == "Already taken."
