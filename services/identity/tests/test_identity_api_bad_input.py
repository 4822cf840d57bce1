"""Bad input on every endpoint: always a 4xx application/problem+json, never a 500.

A table of cases per endpoint (wrong types, missing and unknown fields, oversized and malformed
bodies, invalid UTF-8, huge strings, odd Unicode), plus a property test on the JSON endpoints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from identity_support import API, PASSWORD, bearer, client, logged_in, new_email, problem
from jsonschema import Draft202012Validator

from plumbing.config import REPO_ROOT


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    valid: dict[str, Any] | None
    auth: bool = False


ENDPOINTS = {
    "sign-up": Endpoint("POST", "/accounts", {"email": "marie@genivert.ca", "password": PASSWORD, "kind": "employer",
                                              "first_name": "Marie", "last_name": "Tremblay", "locale": "fr"}),
    "verification": Endpoint("POST", "/accounts/verification", {"token": "t" * 43}),
    "verification-request": Endpoint("POST", "/accounts/verification-requests",
                                     {"email": "marie@genivert.ca", "locale": "fr"}),
    "login": Endpoint("POST", "/sessions", {"email": "marie@genivert.ca", "password": PASSWORD}),
    "refresh": Endpoint("POST", "/tokens/refresh", {"refresh_token": "r" * 43}),
    "password-change": Endpoint("PUT", "/accounts/me/password",
                                {"current_password": PASSWORD, "new_password": "Barrage-hydro-2027"}, auth=True),
    "reset-request": Endpoint("POST", "/password-resets", {"email": "marie@genivert.ca", "locale": "fr"}),
    "reset-confirmation": Endpoint("POST", "/password-resets/confirmation", {"token": "t" * 43, "password": PASSWORD}),
}

JSON_HEADERS = {"content-type": "application/json"}


def body_cases(name: str, endpoint: Endpoint) -> list[Any]:
    """(id, raw body bytes, headers) for one JSON endpoint."""
    valid = endpoint.valid or {}
    cases: list[tuple[str, bytes, dict[str, str]]] = []

    def add(label: str, content: bytes, headers: dict[str, str] | None = None) -> None:
        cases.append(pytest.param(endpoint, content, headers or JSON_HEADERS, id=f"{name}-{label}"))

    def as_json(value: Any) -> bytes:
        return json.dumps(value).encode()

    for field in valid:
        for label, wrong in (("int", 123), ("null", None), ("list", ["x"]), ("object", {"a": 1}), ("bool", True)):
            add(f"{field}-{label}", as_json({**valid, field: wrong}))
        add(f"{field}-huge", as_json({**valid, field: "x" * 100_000}))
        add(f"{field}-empty", as_json({**valid, field: ""}))
        if field in {"email", "kind", "locale"}:
            add(f"{field}-nonsense", as_json({**valid, field: "n'importe quoi"}))
        optional = field == "locale"
        if not optional:
            add(f"missing-{field}", as_json({k: v for k, v in valid.items() if k != field}))
    add("unknown-field", as_json({**valid, "is_admin": True}))
    add("empty-object", b"{}")
    add("array", b"[]")
    add("string", b'"bonjour"')
    add("number", b"42")
    add("null", b"null")
    add("empty-body", b"")
    add("malformed", b'{"email": ')
    add("trailing-garbage", as_json(valid) + b"}}")
    add("invalid-utf8", b'{"email": "\xff\xfe\xfa"}')
    add("latin1", json.dumps(valid, ensure_ascii=False).replace("Marie", "Marié").encode("latin-1")
        if "first_name" in valid else b'{"x": "\xe9"}')
    add("oversized", b'{"email": "' + b"x" * (300 * 1024) + b'"}')
    add("deep-nesting", b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    add("text-plain", as_json(valid), {"content-type": "text/plain"})
    add("form-encoded", b"email=marie%40genivert.ca", {"content-type": "application/x-www-form-urlencoded"})
    return cases


CASES = [case for name, endpoint in ENDPOINTS.items() for case in body_cases(name, endpoint)]


@pytest.fixture(scope="module")
def session(bundle) -> dict[str, Any]:
    import asyncio

    async def make() -> dict[str, Any]:
        async with client(bundle) as c:
            return await logged_in(c, bundle)

    return asyncio.run(make())


@pytest.fixture()
async def c(bundle):
    async with client(bundle) as http_client:
        yield http_client


PROBLEM = Draft202012Validator(
    yaml.safe_load((REPO_ROOT / "contracts" / "identity.yaml").read_text(encoding="utf-8"))
    ["components"]["schemas"]["Problem"])


def assert_clean_4xx(response) -> dict[str, Any]:
    """A 4xx problem+json that keeps the contract's Problem schema (detail at most 2000 characters:
    the input is never echoed whole, even 100,000 characters of it)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    body = problem(response)
    PROBLEM.validate(body)
    return body


@pytest.mark.parametrize(("endpoint", "content", "headers"), CASES)
async def test_bad_bodies(c, session, endpoint, content, headers):
    if endpoint.auth:
        headers = {**headers, **bearer(session)}
    r = await c.request(endpoint.method, f"{API}{endpoint.path}", content=content, headers=headers)
    body = assert_clean_4xx(r)
    assert body["status"] == r.status_code and body["title"]


@pytest.mark.parametrize("value", ["\ud800", "\x00", "\u202e", "𝓜𝓪𝓻𝓲𝓮", "<script>", "' OR 1=1 --"])
@pytest.mark.parametrize("field", ["email", "password", "first_name", "last_name"])
async def test_odd_strings_in_sign_up(c, field, value):
    body = dict(ENDPOINTS["sign-up"].valid, email=new_email())  # type: ignore[arg-type]
    body[field] = value if field != "password" else value + "Abcdefgh12345"
    if field == "email":
        body[field] = value + "@genivert.ca"
    r = await c.post(f"{API}/accounts", content=json.dumps(body).encode(), headers=JSON_HEADERS)
    refused = field == "email" or value in {"\ud800", "\x00"} or (field != "password" and value == "\u202e")
    if refused:  # control, format and lone surrogate characters; anything but an address in `email`
        assert_clean_4xx(r)
    else:  # an odd but printable name or password is just that
        assert r.status_code == 201, r.text


@pytest.mark.parametrize("value", ["\ud800" * 50, "\x00" * 50, "é" * 50])
@pytest.mark.parametrize("name", ["verification", "refresh", "reset-confirmation"])
async def test_odd_tokens(c, name, value):
    endpoint = ENDPOINTS[name]
    key = "refresh_token" if name == "refresh" else "token"
    content = json.dumps({**(endpoint.valid or {}), key: value}).encode()
    assert_clean_4xx(await c.request(endpoint.method, f"{API}{endpoint.path}", content=content, headers=JSON_HEADERS))


@pytest.mark.parametrize("params", [
    {}, {"email": ""}, {"email": "x" * 400}, {"email": "a@b.ca", "other": "1"}, {"mail": "a@b.ca"},
])
async def test_email_policy_bad_queries(c, params):
    assert_clean_4xx(await c.get(f"{API}/email-policy", params=params))


async def test_email_policy_odd_values_are_answered(c):
    for value in ("\x00@x.ca", "%00", "é@é.ca", "a@b.ca\n", " "):
        r = await c.get(f"{API}/email-policy", params={"email": value})
        assert r.status_code in (200, 400)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/jwks?x=1"), ("POST", "/jwks"), ("DELETE", "/accounts"), ("GET", "/sessions"),
    ("GET", "/nowhere"), ("PATCH", "/accounts/me"),
])
async def test_wrong_methods_paths_and_params(c, method, path):
    assert_clean_4xx(await c.request(method, f"{API}{path}"))


@pytest.mark.parametrize("authorization", ["Bearer " + "a" * 300, "Bearer e30.e30.e30", "bearer", "Bearer \x7f"])
async def test_garbage_bearer_on_password_change(c, authorization):
    r = await c.put(f"{API}/accounts/me/password", headers={"authorization": authorization},
                    json=ENDPOINTS["password-change"].valid)
    assert r.status_code == 401 and problem(r)


async def test_problems_in_english_on_request(c):
    r = await c.post(f"{API}/sessions", content=b"{", headers={**JSON_HEADERS, "accept-language": "en-CA,en;q=0.9"})
    assert problem(r)["title"] == "Bad request"
    r = await c.post(f"{API}/sessions", content=b"{", headers={**JSON_HEADERS, "cookie": "lang=en"})
    assert problem(r)["title"] == "Bad request"
    r = await c.post(f"{API}/sessions", content=b"{", headers=JSON_HEADERS)
    assert problem(r)["title"] == "Requête invalide"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=20), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(n for n, e in ENDPOINTS.items() if not e.auth)),
       mutation=st.dictionaries(st.sampled_from(["email", "password", "token", "refresh_token", "kind",
                                                 "first_name", "last_name", "locale", "extra"]),
                                json_values, max_size=4))
def test_property_never_a_server_error(bundle, name, mutation):
    import asyncio

    endpoint = ENDPOINTS[name]
    body = {**(endpoint.valid or {}), **mutation}
    if "email" in body and body["email"] == "marie@genivert.ca":
        body["email"] = new_email()

    async def send() -> Any:
        async with client(bundle) as c:
            return await c.request(endpoint.method, f"{API}{endpoint.path}", json=body)

    r = asyncio.run(send())
    assert r.status_code < 500, (body, r.text[:300])
    if r.status_code >= 400:
        problem(r)
