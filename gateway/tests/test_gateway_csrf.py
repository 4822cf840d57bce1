"""CSRF: token in form field or header, Origin check, API clients exempt, bodies intact."""

from __future__ import annotations

import json

import pytest
from gateway_testkit import upstream_body, upstream_saw
from test_gateway_sessions import log_in


async def test_first_response_sets_the_csrf_cookie(harness) -> None:
    response = await harness.client.get("/")
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("ingemplois_csrf="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    token = harness.csrf_cookie()
    assert upstream_saw(response)["headers"]["x-csrf-token"] == token
    # not set again while the browser has it
    again = await harness.client.get("/emplois")
    assert not any(c.startswith("ingemplois_csrf=") for c in again.headers.get_list("set-cookie"))
    assert upstream_saw(again)["headers"]["x-csrf-token"] == token


async def test_static_files_do_not_issue_the_cookie(harness) -> None:
    response = await harness.client.get("/static/app.css")
    assert "set-cookie" not in response.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_unsafe_method_without_token_is_refused(harness, method: str) -> None:
    await harness.prime()
    response = await harness.client.request(method, "/employeur/offres", data={"title": "x"})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "La session du formulaire a expiré" in response.text
    assert "The form session has expired" in response.text  # the page is bilingual
    assert '<html lang="fr"' in response.text


async def test_refusal_page_in_english(harness) -> None:
    await harness.prime()
    response = await harness.client.post("/employeur/offres", data={}, headers={"accept-language": "en"})
    assert response.status_code == 403
    assert '<html lang="en"' in response.text
    assert '<h1 id="error-title">Form expired</h1>' in response.text


async def test_wrong_token_is_refused(harness) -> None:
    await harness.prime()
    response = await harness.client.post("/employeur/offres", data={"csrf_token": "A" * 43})
    assert response.status_code == 403


async def test_form_field_accepted_and_body_forwarded_intact(harness) -> None:
    token = await harness.prime()
    body = f"title=Ing%C3%A9nieur+civil&csrf_token={token}&x=%26%3D".encode()
    response = await harness.client.post(
        "/employeur/offres", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert upstream_body(response) == body
    assert upstream_saw(response)["headers"]["content-length"] == str(len(body))


async def test_header_accepted(harness) -> None:
    token = await harness.prime()
    payload = json.dumps({"title": "x"}).encode()
    response = await harness.client.post(
        "/api/offers/v1/offers",
        content=payload,
        headers={"x-csrf-token": token, "content-type": "application/json"},
    )
    assert upstream_body(response) == payload
    assert upstream_saw(response)["headers"]["x-csrf-token"] == token


async def test_multipart_body_forwarded_intact(harness) -> None:
    token = await harness.prime()
    logo = bytes(range(256)) * 8000  # 2 MB, over starlette's default part size
    response = await harness.client.post(
        "/entreprises/mon-entreprise/logo",
        data={"name": "Génie inc.", "csrf_token": token},
        files={"logo": ("logo.png", logo, "image/png")},
    )
    seen = upstream_saw(response)
    body = upstream_body(response)
    assert seen["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert logo in body
    assert body.count(b"\r\n") >= 8
    assert int(seen["headers"]["content-length"]) == len(body)


async def test_multipart_without_token_refused(harness) -> None:
    await harness.prime()
    response = await harness.client.post(
        "/entreprises/mon-entreprise/logo", data={"name": "x"}, files={"logo": ("l.png", b"png", "image/png")}
    )
    assert response.status_code == 403


async def test_api_path_refusal_is_problem_json(harness) -> None:
    await harness.prime()
    response = await harness.client.post(
        "/api/offers/v1/offers", json={}, headers={"accept-language": "en-CA,fr;q=0.5"}
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 403
    assert problem["title"] == "Form expired"
    assert set(problem) == {"type", "title", "status", "detail"}
    fr = await harness.client.post("/api/offers/v1/offers", json={}, headers={"accept-language": "fr-CA"})
    assert fr.json()["title"] == "Formulaire expiré"


async def test_foreign_origin_refused_even_with_token(harness) -> None:
    token = await harness.prime()
    response = await harness.client.post(
        "/employeur/offres", data={"csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "autre site" in response.text


async def test_foreign_origin_refused_without_any_cookie(harness) -> None:
    response = await harness.client.post(
        "/compte/connexion", data={"email": "a@b.ca"}, headers={"origin": "https://evil.example"}
    )
    assert response.status_code == 403


async def test_same_origin_accepted(harness) -> None:
    token = await harness.prime()
    response = await harness.client.post(
        "/employeur/offres", data={"csrf_token": token}, headers={"origin": "http://testserver"}
    )
    assert response.status_code == 200


async def test_api_client_with_own_authorization_is_exempt(harness) -> None:
    response = await harness.client.post(
        "/api/offers/v1/offers",
        json={"title": "x"},
        headers={"authorization": "Bearer api-token", "origin": "https://elsewhere.example"},
    )
    seen = upstream_saw(response)
    assert seen["headers"]["authorization"] == "Bearer api-token"


async def test_api_client_gets_no_csrf_cookie_so_its_next_post_is_still_exempt(harness) -> None:
    """An HR system whose HTTP client keeps cookies (issue 9): two POSTs with an API key in a row."""
    headers = {"authorization": "Bearer ingk_key", "origin": "https://elsewhere.example"}
    first = await harness.client.post("/api/offers/v1/offers", json={}, headers=headers)
    assert "set-cookie" not in first.headers
    second = await harness.client.post("/api/offers/v1/offers/1/submission", json={}, headers=headers)
    assert second.status_code == 200
    assert upstream_saw(second)["headers"]["authorization"] == "Bearer ingk_key"


async def test_authorization_with_a_session_cookie_is_not_exempt(harness) -> None:
    """The session's token would replace the header (test_gateway_sessions): CSRF applies."""
    await log_in(harness)
    response = await harness.client.post(
        "/api/offers/v1/offers", json={}, headers={"authorization": "Bearer api-token"}
    )
    assert response.status_code == 403


async def test_authorization_with_only_the_csrf_cookie_is_exempt(harness) -> None:
    """A cookie-keeping HR client read a public page first (issue 9): its key alone identifies it."""
    await harness.prime()
    response = await harness.client.post(
        "/api/offers/v1/offers", json={}, headers={"authorization": "Bearer ingk_key"}
    )
    assert response.status_code == 200
    assert upstream_saw(response)["headers"]["authorization"] == "Bearer ingk_key"


async def test_safe_methods_need_no_token(harness) -> None:
    await harness.prime()
    for method in ("GET", "HEAD", "OPTIONS"):
        response = await harness.client.request(method, "/emplois")
        assert response.status_code == 200
