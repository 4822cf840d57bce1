"""The gateway's own paths: /healthz, /static, /langue; and configuration from the environment."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from gateway_testkit import IdentityState, all_transports, fake_service
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway import SERVICE_NAMES, GatewayConfig


def sick_service() -> Starlette:
    async def healthz(request):
        return JSONResponse({"status": "broken"}, status_code=500)

    return Starlette(routes=[Route("/healthz", healthz)])


async def test_healthz_lists_all_seven(make_harness) -> None:
    identity = IdentityState()
    transports = all_transports(identity, ("identity", "offers", "company-portal", "catalog-billing"))
    transports["moderation"] = httpx.ASGITransport(app=sick_service())
    h = await make_harness(
        transports=transports, identity=identity, upstreams={"mailer": "http://127.0.0.1:1"}, health_timeout=0.5
    )
    response = await h.client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    doc = response.json()
    assert doc["status"] == "degraded"
    assert list(doc["services"]) == list(SERVICE_NAMES)
    states = {name: entry["status"] for name, entry in doc["services"].items()}
    assert states == {
        "identity": "ok",
        "company-portal": "ok",
        "catalog-billing": "ok",
        "offers": "ok",
        "moderation": "down",
        "mailer": "down",
        "metrics": "absent",
    }


async def test_healthz_ok_when_everything_answers(harness) -> None:
    doc = (await harness.client.get("/healthz")).json()
    assert doc["status"] == "ok"
    assert all(entry["status"] == "ok" for entry in doc["services"].values())


async def test_healthz_is_not_proxied_for_other_methods(harness) -> None:
    response = await harness.client.post("/healthz")
    assert response.status_code == 405


async def test_static_app_css(harness) -> None:
    response = await harness.client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert ".skip-link" in response.text
    for component in (".site-menu", ".table-cards", ".badge-warning", ".flash-error", ".field-error", ".steps",
                      ".empty-state", ".file-picker", ".rich-editor"):
        assert component in response.text


@pytest.mark.parametrize(("path", "kind"), [("/static/favicon.svg", "image/svg+xml"),
                                            ("/static/rich-text.js", "javascript"), ("/static/app.js", "javascript")])
async def test_design_system_files(harness, path: str, kind: str) -> None:
    response = await harness.client.get(path)
    assert response.status_code == 200 and kind in response.headers["content-type"]


@pytest.mark.parametrize(("name", "kind"), [
    ("pico.min.css", "text/css"), ("htmx.min.js", "javascript"), ("quill.js", "javascript"),
    ("quill.snow.css", "text/css"), ("source-sans-3-400-normal.woff2", "font/woff2"),
    ("source-sans-3-700-normal.woff2", "font/woff2")])
async def test_vendor_files(harness, name: str, kind: str) -> None:
    response = await harness.client.get(f"/static/vendor/{name}")
    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert len(response.content) > 1000


async def test_vendor_dir_is_configurable(make_harness, tmp_path: Path) -> None:
    (tmp_path / "htmx.org" / "dist").mkdir(parents=True)
    (tmp_path / "htmx.org" / "dist" / "htmx.min.js").write_text("/* fake htmx */")
    h = await make_harness(vendor_dir=tmp_path)
    assert (await h.client.get("/static/vendor/htmx.min.js")).text == "/* fake htmx */"
    assert (await h.client.get("/static/vendor/pico.min.css")).status_code == 404


@pytest.mark.parametrize("path", ["/static/vendor/unknown.js", "/static/nope.css", "/static/vendor/..%2F..%2Fapp.css"])
async def test_static_not_found_is_an_error_page(harness, path: str) -> None:
    response = await harness.client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.text


async def test_static_is_read_only(harness) -> None:
    assert (await harness.client.post("/static/app.css")).status_code == 405


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_language_switch(harness, lang: str) -> None:
    response = await harness.client.get(f"/langue/{lang}", params={"next": "/emplois?q=génie"})
    assert response.status_code == 303
    assert response.headers["location"] == "/emplois?q=g%C3%A9nie"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("lang="))
    assert cookie.startswith(f"lang={lang};")
    assert "Max-Age=31536000" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "evil", "", "/%0d%0aSet-Cookie:x", "javascript:x"],
)
async def test_language_switch_refuses_open_redirects(harness, target: str) -> None:
    response = await harness.client.get("/langue/en", params={"next": target})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location == "/" or (target.startswith("/%") and location.startswith("/"))
    assert "evil" not in location or location.startswith("/%")


async def test_language_switch_without_next(harness) -> None:
    response = await harness.client.get("/langue/fr")
    assert response.headers["location"] == "/"


async def test_unknown_language_is_404(harness) -> None:
    response = await harness.client.get("/langue/de", params={"next": "/"})
    assert response.status_code == 404
    assert "lang=" not in response.headers.get("set-cookie", "")


async def test_language_cookie_picks_error_page_language(harness) -> None:
    harness.client.cookies.set("lang", "en")
    response = await harness.client.get("/static/missing.css")
    assert '<html lang="en"' in response.text
    assert "Page not found" in response.text
    assert "Skip to content" in response.text


def test_config_from_env() -> None:
    env = {
        "GATEWAY_UPSTREAM_IDENTITY": "http://127.0.0.1:8101/",
        "GATEWAY_UPSTREAM_COMPANY_PORTAL": "http://127.0.0.1:8102",
        "GATEWAY_UPSTREAM_METRICS": "",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "GATEWAY_REDIS_PREFIX": "test:",
        "GATEWAY_SECURE_COOKIES": "true",
        "GATEWAY_UPSTREAM_TIMEOUT": "2.5",
        "GATEWAY_RATE_LIMIT_DEFAULT": "100/minute",
        "GATEWAY_RATE_LIMIT_AUTH": "5/minute",
        "GATEWAY_TRUST_PROXY": "1",
        "GATEWAY_VENDOR_DIR": "/opt/node_modules",
    }
    config = GatewayConfig.from_env(env)
    assert config.upstreams == {"identity": "http://127.0.0.1:8101", "company-portal": "http://127.0.0.1:8102"}
    assert config.redis_url == "redis://127.0.0.1:6379/0"
    assert config.redis_prefix == "test:"
    assert config.secure_cookies is True
    assert config.upstream_timeout == 2.5
    assert (config.rate_limit_default, config.rate_limit_auth) == ("100/minute", "5/minute")
    assert config.trust_proxy == 1
    assert config.vendor_dir == Path("/opt/node_modules")


def test_config_defaults() -> None:
    config = GatewayConfig.from_env({})
    assert config.upstreams == {}
    assert config.redis_url is None
    assert config.redis_prefix == "gw:"
    assert config.secure_cookies is False
    assert config.upstream_timeout == 10
    assert (config.rate_limit_default, config.rate_limit_auth) == ("600/minute", "20/minute")
    assert config.trust_proxy == 0
    assert (config.static_dir / "app.css").is_file()
    assert config.max_body_bytes == 12 * 1024 * 1024


def test_asgi_factory_connects_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_UPSTREAM_OFFERS", "http://127.0.0.1:1")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens: must not matter yet
    from gateway.asgi import create_app

    app = create_app()
    assert app.gateway.upstreams.base_url("offers") == "http://127.0.0.1:1"


async def test_embedded_transports_win_over_urls(make_harness) -> None:
    transports = {"offers": httpx.ASGITransport(app=fake_service("offers"))}
    h = await make_harness(transports=transports, upstreams={"offers": "http://127.0.0.1:1"})
    assert (await h.client.get("/emplois")).status_code == 200
    assert h.gateway.upstreams.base_url("offers") == "http://offers.internal"
