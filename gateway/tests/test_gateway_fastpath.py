"""The fast path (gateway.fastpath) answers anonymous reads exactly as the general path does.

Each request is sent twice to the same gateway, once with the fast path on and once with it off,
and the two answers (status, headers in order, body, and what the service received) must match,
but for the values that are fresh on every request (the trace context sent upstream; the CSRF token
and the request id when the visitor brings none).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from gateway_testkit import all_transports

from gateway import SERVICE_NAMES

TOKEN = "t" * 43  # a well-formed CSRF cookie value
RID = "fixed-request-id-1234"
_FRESH = re.compile(r"(ingemplois_csrf=)[A-Za-z0-9_-]+|\b[0-9a-f]{32}\b")


def _masked(text: str) -> str:
    return _FRESH.sub(lambda m: (m.group(1) or "") + "…", text)


def _answer(response: httpx.Response) -> dict[str, Any]:
    headers = [(k, _masked(v)) for k, v in response.headers.multi_items() if k != "date"]
    body: Any = response.content
    if response.headers.get("content-type", "").startswith("application/json") and response.content:
        body = json.loads(response.content)
        if isinstance(body, dict) and isinstance(body.get("headers"), dict):  # the fake service's echo
            body["headers"].pop("traceparent", None)
            body["headers"] = {k: _masked(v) for k, v in body["headers"].items()}
            if body["headers"].get("x-csrf-token") != TOKEN:  # a fresh one for a visitor without
                body["headers"]["x-csrf-token"] = "…"
    elif response.content:
        body = _masked(response.text)
    return {"status": response.status_code, "headers": headers, "body": body}


async def both_ways(harness, method: str, path: str, **kwargs: Any) -> tuple[dict[str, Any], int]:
    """The answer with the fast path on and off (they must match); how many the fast path served."""
    fast = harness.app.fast_path
    before = fast.served
    fast.enabled = True
    harness.client.cookies.clear()  # only the cookies the case sends
    on = await harness.client.request(method, path, **kwargs)
    served = fast.served - before
    fast.enabled = False
    harness.client.cookies.clear()
    try:
        off = await harness.client.request(method, path, **kwargs)
    finally:
        fast.enabled = True
    assert fast.served - before == served
    assert _answer(on) == _answer(off)
    return _answer(on), served


ANONYMOUS_READS = [
    ("GET", "/", {}),
    ("GET", "/emplois?q=ing%C3%A9nieur&page=2", {"headers": {"x-request-id": RID}}),
    ("HEAD", "/emplois", {}),
    ("GET", "/emplois", {"headers": {"cookie": f"ingemplois_csrf={TOKEN}; theme=dark; lang=en"}}),
    ("GET", "/emplois", {"headers": {"cookie": "ingemplois_csrf=not-well-formed"}}),
    ("GET", "/emplois", {"headers": {"accept-language": "en-CA", "connection": "keep-alive, x-hop",
                                     "x-hop": "1", "x-session-grant": "smuggled", "x-csrf-token": "mine",
                                     "x-forwarded-for": "198.51.100.1", "x-request-id": "bad id!"}}),
    ("GET", "/emplois/own-headers", {}),
    ("GET", "/emplois/cookies", {}),
    ("GET", "/emplois/redirect", {}),
    ("GET", "/emplois/gzip", {}),
    ("GET", "/api/offers/v1/offers", {"headers": {"accept": "application/json"}}),
    ("GET", "/emplois/boom", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), ANONYMOUS_READS)
async def test_anonymous_reads_take_the_fast_path_with_the_same_answer(make_harness, method, path, kwargs) -> None:
    harness = await make_harness()
    _, served = await both_ways(harness, method, path, **kwargs)
    assert served == 1


@pytest.mark.parametrize("trust_proxy", [0, 1])
async def test_same_answer_behind_a_trusted_proxy_and_over_tls(make_harness, trust_proxy: int) -> None:
    harness = await make_harness(base_url="https://emplois.example", trust_proxy=trust_proxy)
    headers = {"x-forwarded-for": "198.51.100.1, 203.0.113.9", "x-forwarded-proto": "http",
               "x-forwarded-host": "Emplois.Example"}
    answer, served = await both_ways(harness, "GET", "/emplois", headers=headers)
    assert served == 1
    assert ("strict-transport-security" in dict(answer["headers"])) == (trust_proxy == 0)


async def test_upstream_failures_give_the_same_error_pages(make_harness) -> None:
    harness = await make_harness(upstream_timeout=0.2)
    answer, served = await both_ways(harness, "GET", "/emplois/slow")
    assert (answer["status"], served) == (504, 1)
    answer, served = await both_ways(harness, "GET", "/api/offers/v1/slow")
    assert (answer["status"], served) == (504, 1)


async def test_the_micro_cache_answers_alike(make_harness) -> None:
    harness = await make_harness(microcache_seconds=1.0)
    for _ in range(2):  # a miss, then hits
        answer, served = await both_ways(harness, "GET", "/emplois?cached=1")
        assert served == 1


OTHER_REQUESTS = [
    ("POST", "/emplois", {"headers": {"x-csrf-token": TOKEN, "cookie": f"ingemplois_csrf={TOKEN}"}}),
    ("OPTIONS", "/emplois", {}),
    ("GET", "/emplois", {"headers": {"cookie": "ingemplois_session=" + "s" * 43}}),
    ("GET", "/emplois", {"headers": {"authorization": "Bearer abc"}}),
    ("GET", "/emplois", {"content": b"a body"}),
    ("GET", "/compte/connexion", {}),  # identity: its answers may open or end a session
    ("GET", "/healthz", {}),
    ("GET", "/static/vendor/unknown.js", {}),
    ("GET", "/langue/en?next=/emplois", {}),
]


@pytest.mark.parametrize(("method", "path", "kwargs"), OTHER_REQUESTS)
async def test_everything_else_takes_the_general_path(make_harness, method, path, kwargs) -> None:
    harness = await make_harness()
    before = harness.app.fast_path.served
    await harness.client.request(method, path, **kwargs)
    assert harness.app.fast_path.served == before


async def test_a_service_without_upstream_is_left_to_the_general_path(make_harness) -> None:
    identity_only = all_transports(None, names=tuple(n for n in SERVICE_NAMES if n != "offers"))
    harness = await make_harness(transports=identity_only)
    answer, served = await both_ways(harness, "GET", "/emplois")
    assert (answer["status"], served) == (503, 0)


async def test_a_refused_rate_limit_is_answered_by_the_general_path(make_harness) -> None:
    harness = await make_harness(rate_limit_default="2/minute")
    fast = harness.app.fast_path
    assert (await harness.client.get("/emplois")).status_code == 200
    assert (await harness.client.get("/emplois")).status_code == 200
    refused = await harness.client.get("/emplois")
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert fast.served == 2
