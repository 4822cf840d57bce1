"""The micro-cache, end to end: plumbing pages (the real @shareable rules) behind the gateway.

Offers do not exist yet: "a withdrawn offer" is simulated by a shareable page listing a mutable set
of offers. The cache's clock is replaced so that "after the window" needs no waiting.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import render_template
from gateway_testkit import IdentityState, all_transports, fake_service
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from plumbing.web.app import ServiceApp
from plumbing.web.pages import create_pages_app, shareable

PAGE = '{% extends "layout.html" %}{% block content %}<p>{{ text }}</p>{% endblock %}'
FORM = ('{% extends "layout.html" %}{% block content %}<form method="post" action="/x">'
        '<input type="hidden" name="csrf_token" value="{{ csrf_token }}"></form>{% endblock %}')


class Offers:
    """The pages of a stand-in offers service, and how often each was rendered."""

    def __init__(self, tmp_path: Path) -> None:
        self.calls: Counter[str] = Counter()
        self.published = {"Ingénieur·e de structures", "Ingénieur·e en procédés"}
        (tmp_path / "templates").mkdir()
        (tmp_path / "templates" / "page.html").write_text(PAGE)
        (tmp_path / "templates" / "form.html").write_text(FORM)
        pages = create_pages_app("stand_in_offers", tmp_path)

        @pages.get("/")
        def home() -> str:  # not shareable: gives the visitor a CSRF cookie
            return render_template("page.html", text="accueil")

        @pages.get("/emplois")
        @shareable(30)
        def offers() -> str:
            self.calls["offers"] += 1
            return render_template("page.html", text=" | ".join(sorted(self.published)))

        @pages.get("/emplois/postuler")
        @shareable(30)
        def apply_form() -> str:
            self.calls["form"] += 1
            return render_template("form.html")

        @pages.get("/emplois/merci")
        @shareable(30)
        def thanks() -> str:
            self.calls["flash"] += 1
            return render_template("page.html", text="x", flashes=[("success", "Candidature envoyée.")])

        self.asgi = ServiceApp("offers", api=None, pages=pages)


@pytest.fixture()
async def site(make_harness: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Offers, list[float]]:
    monkeypatch.setattr("plumbing.web.pages.principal_from_authorization", lambda header: None)
    offers = Offers(tmp_path)
    identity = IdentityState()
    transports = all_transports(identity)
    transports["offers"] = httpx.ASGITransport(app=offers.asgi)
    h = await make_harness(transports=transports, identity=identity, microcache_seconds=1.0)
    now = [1000.0]
    h.gateway.cache._clock = lambda: now[0]
    return h, offers, now


async def test_anonymous_shareable_page_is_served_from_the_cache(site) -> None:
    h, offers, _ = site
    first = await h.client.get("/emplois")
    assert first.headers["cache-control"] == "public, s-maxage=30"
    assert "set-cookie" not in first.headers  # a shareable answer carries no per-visitor cookie
    for _ in range(4):
        again = await h.client.get("/emplois")
        assert again.text == first.text
        assert again.headers["x-request-id"] != first.headers["x-request-id"]  # the edge still runs
    assert offers.calls["offers"] == 1


async def test_cache_is_keyed_on_language_and_query(site) -> None:
    h, offers, _ = site
    french = await h.client.get("/emplois")
    english = await h.client.get("/emplois", headers={"accept-language": "en"})
    assert 'lang="fr"' in french.text and 'lang="en"' in english.text
    await h.client.get("/emplois?page=2")
    await h.client.get("/emplois", cookies={"lang": "en"})  # the cookie picks English too: same entry
    assert offers.calls["offers"] == 3


async def test_pages_with_a_csrf_token_or_a_flash_are_never_cached(site) -> None:
    h, offers, _ = site
    tokens = set()
    for _ in range(3):
        h.client.cookies.clear()  # a new visitor each time
        form = await h.client.get("/emplois/postuler")
        assert "public" not in form.headers.get("cache-control", "")
        assert h.csrf_cookie() and f'value="{h.csrf_cookie()}"' in form.text  # its own token
        tokens.add(h.csrf_cookie())
        flash = await h.client.get("/emplois/merci")
        assert "Candidature envoyée." in flash.text
    assert len(tokens) == 3
    assert offers.calls["form"] == 3 and offers.calls["flash"] == 3


async def test_a_signed_in_visitor_never_gets_the_cached_page(site) -> None:
    h, offers, _ = site
    await h.client.get("/emplois")  # cached for anonymous visitors
    token = await h.prime()
    await h.client.post("/compte/connexion", data={"csrf_token": token})
    assert h.client.cookies.get("ingemplois_session")
    signed_in = await h.client.get("/emplois")
    assert signed_in.headers["cache-control"] == "no-store"
    assert offers.calls["offers"] == 2
    await h.client.get("/emplois")
    assert offers.calls["offers"] == 3
    assert h.identity.refresh_calls  # the page was asked with the user's token


async def test_a_withdrawn_offer_disappears_within_the_window(site) -> None:
    h, offers, now = site
    assert "Ingénieur·e en procédés" in (await h.client.get("/emplois")).text
    offers.published.discard("Ingénieur·e en procédés")  # withdrawn
    now[0] += 0.5
    assert "Ingénieur·e en procédés" in (await h.client.get("/emplois")).text  # still within the window
    now[0] += 0.51  # the gateway's window (1 s) is over, though the page said s-maxage=30
    after = (await h.client.get("/emplois")).text
    assert "Ingénieur·e en procédés" not in after and "Ingénieur·e de structures" in after
    assert offers.calls["offers"] == 2


async def test_no_cache_when_turned_off(make_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("plumbing.web.pages.principal_from_authorization", lambda header: None)
    offers = Offers(tmp_path)
    transports = {"offers": httpx.ASGITransport(app=offers.asgi)}
    h = await make_harness(transports=transports, microcache_seconds=0)
    for _ in range(3):
        assert (await h.client.get("/emplois")).status_code == 200
    assert offers.calls["offers"] == 3


def gated_service(gate: asyncio.Event, calls: Counter[str], cache_control: str) -> Starlette:
    async def page(request: Request) -> Response:
        calls[request.url.path] += 1
        await gate.wait()
        return Response(f"page {calls[request.url.path]}", headers={"cache-control": cache_control})

    return Starlette(routes=[Route("/{p:path}", page)])


@pytest.mark.parametrize(("cache_control", "upstream_calls"), [("public, s-maxage=5", 1), ("private", 10)])
async def test_a_burst_of_misses_reaches_the_service_once(make_harness, cache_control: str,
                                                          upstream_calls: int) -> None:
    """Coalescing: concurrent anonymous misses wait for the first; an answer that turns out not
    shareable is never handed to the others (each asks for its own)."""
    gate, calls = asyncio.Event(), Counter[str]()
    transports = {"offers": httpx.ASGITransport(app=gated_service(gate, calls, cache_control))}
    h = await make_harness(transports=transports)
    burst = [asyncio.create_task(h.client.get("/emplois")) for _ in range(10)]

    async def nine_waiting_behind_the_first() -> None:
        while not (calls["/emplois"] == 1 and h.gateway.cache.waiting == 9):
            await asyncio.sleep(0.01)

    await asyncio.wait_for(nine_waiting_behind_the_first(), 30)
    gate.set()
    responses = await asyncio.gather(*burst)
    assert all(r.status_code == 200 for r in responses)
    assert calls["/emplois"] == upstream_calls


async def test_service_errors_are_not_cached(make_harness) -> None:
    h = await make_harness(transports={"offers": httpx.ASGITransport(app=fake_service("offers"))})
    for _ in range(2):
        assert (await h.client.get("/emplois/boom")).status_code == 502


async def test_one_access_line_per_request_saying_whether_the_cache_answered(site, caplog) -> None:
    import logging

    h, _, _ = site
    with caplog.at_level(logging.INFO):
        await h.client.get("/emplois")
        await h.client.get("/emplois")
    lines = [r for r in caplog.records if r.levelno >= logging.INFO and r.name != "gateway.access"
             and "http://testserver" not in r.getMessage()]  # the test's own client
    access = [r for r in caplog.records if r.name == "gateway.access"]
    assert [(r.getMessage(), r.fields["cache"]) for r in access] == [("GET /emplois 200", "miss"),
                                                                      ("GET /emplois 200", "hit")]
    assert lines == []  # nothing else writes a line per request


def test_libraries_write_no_line_per_request() -> None:
    import logging

    from plumbing.logs import QUIET_LIBRARIES, configure_logging

    configure_logging("gateway-test", "INFO")
    assert all(logging.getLogger(name).getEffectiveLevel() >= logging.WARNING for name in QUIET_LIBRARIES)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"cache-control": "public, s-maxage=5", "vary": "Accept-Language, Cookie"}, 5),
        ({"cache-control": "public, max-age=300"}, 0),  # for browsers only
        ({"cache-control": "private, s-maxage=5"}, 0),
        ({"cache-control": "public, s-maxage=5, no-store"}, 0),
        ({"cache-control": "public, s-maxage=5", "set-cookie": "a=1"}, 0),
        ({"cache-control": "public, s-maxage=5", "x-session-grant": "t"}, 0),
        ({"cache-control": "public, s-maxage=5", "vary": "Accept-Encoding"}, 0),
        ({"cache-control": "public, s-maxage=5", "vary": "*"}, 0),
    ],
)
def test_what_a_shared_cache_may_keep(headers: dict[str, str], seconds: int) -> None:
    from gateway.cache import shareable_seconds
    from gateway.proxy import UpstreamResponse

    assert shareable_seconds(UpstreamResponse(200, list(headers.items()), b"x")) == seconds
    assert shareable_seconds(UpstreamResponse(404, list(headers.items()), b"x")) == 0
