"""Header contract (decisions.md §3), security headers, request ids, trace context."""

from __future__ import annotations

import re

import pytest
from gateway_testkit import PEER, upstream_saw

from gateway.headers import CONTENT_SECURITY_POLICY

SECURITY = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "cross-origin-opener-policy": "same-origin",
}


def assert_security_headers(response) -> None:
    assert CONTENT_SECURITY_POLICY in response.headers.get_list("content-security-policy")
    for name, value in SECURITY.items():
        assert response.headers.get_list(name) == [value], name
    permissions = response.headers["permissions-policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in permissions


async def test_forwarded_request_headers(harness) -> None:
    token = await harness.prime()
    response = await harness.client.get(
        "/emplois",
        headers={
            "x-session-grant": "smuggled",
            "X-Session-Anything": "smuggled",
            "x-csrf-token": "client-chosen",
            "x-forwarded-for": "198.51.100.1",
            "x-forwarded-host": "evil.example",
            "x-forwarded-proto": "https",
            "cookie": "theme=dark; ingemplois_csrf=" + token + "; lang=en",
            "accept-language": "en-CA",
            "connection": "keep-alive, x-hop",
            "x-hop": "hop-by-hop",
        },
    )
    seen = upstream_saw(response)["headers"]
    assert not [name for name in seen if name.startswith("x-session-")]
    assert seen["x-csrf-token"] == token
    assert seen["x-forwarded-for"] == PEER  # no trusted proxy: the socket peer
    assert seen["x-forwarded-host"] == "testserver"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["cookie"] == "theme=dark; lang=en"
    assert seen["accept-language"] == "en-CA"
    assert "x-hop" not in seen
    assert re.fullmatch(r"[0-9a-f]{32}", seen["x-request-id"])
    assert "authorization" not in seen


async def test_gateway_cookies_only_cookie_header_is_dropped(harness) -> None:
    seen = upstream_saw(
        await harness.client.get("/", headers={"cookie": "ingemplois_csrf=" + "a" * 43 + "; ingemplois_session=x"})
    )
    assert "cookie" not in seen["headers"]


async def test_trusted_proxy_headers(make_harness) -> None:
    h = await make_harness(trust_proxy=1)
    response = await h.client.get(
        "/",
        headers={
            "x-forwarded-for": "198.51.100.1, 10.0.0.2",  # the first entry is whatever the client sent
            "x-forwarded-proto": "https",
            "x-forwarded-host": "emplois.oiq.qc.ca",
        },
    )
    seen = upstream_saw(response)["headers"]
    assert seen["x-forwarded-for"] == "10.0.0.2"  # the entry the one trusted proxy wrote
    assert seen["x-forwarded-proto"] == "https"
    assert seen["x-forwarded-host"] == "emplois.oiq.qc.ca"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert "Secure" in response.headers["set-cookie"]


async def test_response_headers_from_upstream(harness) -> None:
    response = await harness.client.get("/emplois/own-headers")
    assert response.status_code == 200
    assert response.headers["x-custom"] == "kept"
    assert "x-session-grant" not in response.headers
    assert "ingemplois_session" not in response.headers.get("set-cookie", "")
    # the upstream may add a stricter CSP, never replace the gateway's
    assert sorted(response.headers.get_list("content-security-policy")) == sorted(
        [CONTENT_SECURITY_POLICY, "default-src 'none'"]
    )
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers.get_list("x-request-id") != ["upstream-id-should-go"]


@pytest.mark.parametrize("path", ["/", "/api/offers/v1/offers", "/healthz", "/static/app.css", "/nope/boom"])
async def test_security_headers_everywhere(harness, path: str) -> None:
    response = await harness.client.get(path)
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-request-id"]


async def test_hsts_only_over_tls(make_harness) -> None:
    plain = await make_harness()
    assert "strict-transport-security" not in (await plain.client.get("/")).headers
    spoofed = await plain.client.get("/", headers={"x-forwarded-proto": "https"})
    assert "strict-transport-security" not in spoofed.headers  # untrusted header
    tls = await make_harness(base_url="https://testserver")
    response = await tls.client.get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert upstream_saw(response)["headers"]["x-forwarded-proto"] == "https"


async def test_request_id_kept_when_well_formed(harness) -> None:
    response = await harness.client.get("/", headers={"x-request-id": "abc.DEF_123-xyz"})
    assert response.headers["x-request-id"] == "abc.DEF_123-xyz"
    assert upstream_saw(response)["headers"]["x-request-id"] == "abc.DEF_123-xyz"


@pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 65, "semi;colon1234", "ünïcode1234"])
async def test_request_id_replaced_when_malformed(harness, bad: str) -> None:
    response = await harness.client.get("/", headers={"x-request-id": bad.encode()})
    rid = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert upstream_saw(response)["headers"]["x-request-id"] == rid


async def test_trace_context_is_propagated(harness) -> None:
    incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    seen = upstream_saw(await harness.client.get("/", headers={"traceparent": incoming}))
    forwarded = seen["headers"]["traceparent"]
    assert forwarded.split("-")[1] == "0af7651916cd43dd8448eb211c80319c"


async def test_compressed_body_passes_through(harness) -> None:
    response = await harness.client.get("/emplois/gzip", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "compressed hello"


async def test_no_httpx_default_headers_upstream(harness) -> None:
    seen = upstream_saw(await harness.client.get("/", headers={"user-agent": "Firefox"}))
    assert seen["headers"]["user-agent"] == "Firefox"
    names = seen["header_names"]
    assert len(names) == len(set(names))


async def test_location_of_upstream_address_made_local(harness) -> None:
    response = await harness.client.get("/emplois/redirect")
    assert response.status_code == 303
    assert response.headers["location"] == "/emplois?x=1"


async def test_head_request(harness) -> None:
    response = await harness.client.head("/emplois")
    assert response.status_code == 200
    assert response.content == b""


async def test_upstream_cookies_kept_except_gateway_ones(harness) -> None:
    cookies = (await harness.client.get("/emplois/cookies")).headers.get_list("set-cookie")
    assert any(c.startswith("pref=1;") for c in cookies)
    assert any(c.startswith("seen=2;") and "HttpOnly" in c for c in cookies)
    assert not any("forged" in c for c in cookies)
