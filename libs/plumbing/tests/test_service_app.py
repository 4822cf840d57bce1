"""The service ASGI app: dispatch, health, body limits, encoding and bilingual problems."""

import json
import textwrap

import httpx
import pytest
from flask import Flask

from plumbing.web.api import build_api
from plumbing.web.app import ServiceApp

SPEC = textwrap.dedent(
    """
    openapi: 3.0.3
    info: {title: demo, version: "1"}
    paths:
      /echo:
        post:
          operationId: echo
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  additionalProperties: false
                  required: [name]
                  properties:
                    name: {type: string, maxLength: 20}
          responses:
            "200":
              description: ok
              content:
                application/json:
                  schema:
                    type: object
                    additionalProperties: false
                    required: [hello]
                    properties: {hello: {type: string}}
      /conflict:
        get:
          operationId: conflict
          responses:
            "409": {description: conflict}
      /crash:
        get:
          operationId: crash
          responses:
            "200": {description: never}
    """
)

HANDLERS = textwrap.dedent(
    """
    from plumbing.web.problem import ApiProblem

    async def echo(body):
        return {"hello": body["name"]}, 200

    def conflict():
        raise ApiProblem(409, "taken", "Déjà pris.", "Already taken.", field="name")

    def crash():
        raise RuntimeError("boom")
    """
)


@pytest.fixture()
def app(tmp_path, monkeypatch):
    (tmp_path / "demo.yaml").write_text(SPEC)
    (tmp_path / "demo_handlers_mod.py").write_text(HANDLERS)
    monkeypatch.syspath_prepend(str(tmp_path))
    pages = Flask("pages")
    pages.add_url_rule("/page", "page", lambda: "a page")
    api = build_api("demo", tmp_path, "demo_handlers_mod")
    checks = {"database": lambda: None, "broker": lambda: (_ for _ in ()).throw(ConnectionError("down"))}
    return ServiceApp("demo", api=api, pages=pages, readiness_checks=checks, max_api_body=512 * 1024)


@pytest.fixture()
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


async def test_dispatch_api_pages_and_health(client):
    r = await client.post("/api/demo/v1/echo", json={"name": "Zoé"})
    assert r.status_code == 200 and r.json() == {"hello": "Zoé"}
    assert (await client.get("/page")).text == "a page"
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "demo"}
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "broker": "down: ConnectionError"}


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"name": 3}', {}),
        (b'{"name": "ok", "extra": 1}', {}),
        (b"{}", {}),
        (b'{"name": "' + b"x" * 30 + b'"}', {}),
        (b"{not json", {}),
        (b'{"name": "\xff\xfe"}', {}),
        (b"[]", {}),
        (b"[" * 100_000 + b"]" * 100_000, {}),
    ],
)
async def test_bad_bodies_are_4xx_problems(client, content, headers):
    r = await client.post("/api/demo/v1/echo", content=content, headers={"content-type": "application/json", **headers})
    assert 400 <= r.status_code < 500
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "Requête invalide"


async def test_oversized_body_is_413(client):
    too_big = b"x" * (513 * 1024)
    r = await client.post("/api/demo/v1/echo", content=too_big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["title"] == "Contenu trop volumineux"


async def test_problem_titles_in_english_on_request(client):
    r = await client.post("/api/demo/v1/echo", json={}, headers={"accept-language": "en"})
    assert r.status_code == 400 and r.json()["title"] == "Bad request"


async def test_api_problem_from_handler(client):
    r = await client.get("/api/demo/v1/conflict", headers={"accept-language": "en"})
    assert r.status_code == 409
    assert r.json() == {"type": "about:blank", "title": "Conflict", "status": 409, "detail": "Already taken.",
                        "code": "taken", "field": "name"}


async def test_unexpected_error_is_a_500_problem_without_details(client):
    r = await client.get("/api/demo/v1/crash")
    assert r.status_code == 500
    assert "boom" not in r.text
    assert json.loads(r.text)["title"] == "Erreur interne"


async def test_unknown_api_path_is_404_problem(client):
    r = await client.get("/api/demo/v1/nothing")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("body", [
    {"name": "x" * 3000},                   # 'xxx…' is too long - 'name'
    {"name": "a", "y" * 3000: 1},           # Additional properties are not allowed ('yyy…' was unexpected)
    ["z " * 1500],                          # ['z z z …'] is not of type 'object'
])
async def test_a_3000_character_bad_input_is_not_echoed_whole(client, body):
    r = await client.post("/api/demo/v1/echo", json=body)
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert len(detail) <= 500 < 2000  # the contracts' Problem.detail maxLength is 2000
    assert "x" * 200 not in detail and "y" * 200 not in detail
    if "name" in body and len(body) == 1:
        assert detail.endswith("- 'name'")  # the field it is about stays readable


async def test_a_3000_character_unknown_query_parameter_is_not_echoed_whole(client):
    r = await client.post("/api/demo/v1/echo?" + "q" * 3000 + "=1", json={"name": "a"})
    assert r.status_code == 400 and len(r.json()["detail"]) <= 500


def test_every_problem_detail_is_capped_at_the_contract_length():
    from plumbing.web.problem import MAX_DETAIL, problem_body

    assert len(problem_body(422, "fr", "é" * 5000)["detail"]) == MAX_DETAIL == 2000
