"""The routing table: every row, whole-segment prefixes, through the gateway too."""

from __future__ import annotations

import pytest
from gateway_testkit import upstream_saw

from gateway.config import SERVICE_NAMES
from gateway.routing import ROUTES, resolve

CASES = [
    *((f"/api/{name}/v1/things", name) for name in SERVICE_NAMES),
    *((f"/api/{name}", name) for name in SERVICE_NAMES),
    ("/compte", "identity"),
    ("/compte/connexion", "identity"),
    ("/entreprises/mon-entreprise", "company-portal"),
    ("/employeur/forfaits", "catalog-billing"),
    ("/employeur/panier/ajouter", "catalog-billing"),
    ("/employeur/caisse", "catalog-billing"),
    ("/employeur/transactions/42", "catalog-billing"),
    ("/employeur/performance", "metrics"),
    ("/employeur/communications/preferences", "mailer"),
    ("/employeur", "offers"),
    ("/employeur/offres/12", "offers"),
    ("/moderation/file", "moderation"),
    ("/moderation/facturation", "catalog-billing"),
    ("/moderation/facturation/entreprises/42", "catalog-billing"),
    ("/moderation/facturations", "moderation"),
    ("/emplois/123-ingenieur", "offers"),
    ("/membre/", "mailer"),
    ("/membre/entreprises-suivies", "mailer"),
    ("/", "offers"),
    ("/flux.xml", "offers"),
    # whole segments only
    ("/comptes", "offers"),
    ("/compteur/x", "offers"),
    ("/employeur/forfaitsx", "offers"),
    ("/employeur/performances", "offers"),
    ("/api/identityx/v1", "offers"),
    ("/moderations", "offers"),
    ("/membres", "offers"),
]


@pytest.mark.parametrize(("path", "service"), CASES)
def test_resolve(path: str, service: str) -> None:
    assert resolve(path) == service


def test_every_row_of_the_table_is_covered() -> None:
    covered = {path for path, _ in CASES}
    for prefix, service in ROUTES:
        assert any(p == prefix or p.startswith(prefix + "/") for p in covered), prefix
        assert resolve(prefix) == service


@pytest.mark.parametrize(("path", "service"), CASES)
async def test_gateway_forwards_to_the_right_service(harness, path: str, service: str) -> None:
    seen = upstream_saw(await harness.client.get(path, params={"q": "génie civil"}))
    assert seen["service"] == service
    assert seen["path"] == path
    assert seen["query"] == "q=g%C3%A9nie+civil"


async def test_path_is_forwarded_verbatim(harness) -> None:
    seen = upstream_saw(await harness.client.get("/emplois/a%2Fb%20c"))
    assert seen["raw_path"] == "/emplois/a%2Fb%20c"


async def test_service_without_upstream_is_a_503_page(make_harness) -> None:
    from gateway_testkit import IdentityState, all_transports

    identity = IdentityState()
    transports = all_transports(identity, ("offers",))
    h = await make_harness(transports=transports, identity=identity)
    response = await h.client.get("/moderation/file")
    assert response.status_code == 503
    assert "text/html" in response.headers["content-type"]
    assert "Service indisponible" in response.text


async def _raw_post(app, raw_path: bytes) -> int:
    """POST a path exactly as given (httpx would remove its dot segments before sending)."""
    from gateway_testkit import PEER

    path = raw_path.decode("latin-1").replace("%2e", ".").replace("%2E", ".")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": raw_path, "query_string": b"", "root_path": "",
        "headers": [(b"host", b"testserver"), (b"authorization", b"Bearer x"),
                    (b"content-type", b"application/json"), (b"content-length", b"2")],
        "client": (PEER, 51000), "server": ("testserver", 80),
    }
    sent: list[dict] = []
    body = [{"type": "http.request", "body": b"{}", "more_body": False}]

    async def receive() -> dict:
        return body.pop(0) if body else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


@pytest.mark.parametrize("raw_path", [b"/compte/./connexion", b"/compte/x/../connexion", b"/compte/connexion/.",
                                      b"/api/identity/v1/./sessions", b"/compte/%2e/connexion"])
async def test_dot_segments_cannot_dodge_the_auth_limit(make_harness, raw_path: bytes) -> None:
    """The auth limit is decided on the path the gateway sees; httpx would forward it without its dot
    segments (`/compte/./connexion` → `/compte/connexion`), so such a path must never reach a service."""
    h = await make_harness(rate_limit_auth="1/minute")
    assert await _raw_post(h.app, b"/compte/connexion") in (200, 303)
    for _ in range(3):
        assert await _raw_post(h.app, raw_path) in (400, 404, 429)
