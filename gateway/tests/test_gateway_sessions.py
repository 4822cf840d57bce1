"""Sessions: grant → cookie → refresh → bearer; refresh refused; log out; stale cookies."""

from __future__ import annotations

from gateway_testkit import SESSION_RE, IdentityState, all_transports, upstream_saw


async def log_in(h) -> str:
    """POST the log-in form; return the session cookie value."""
    token = await h.prime()
    response = await h.client.post("/compte/connexion", data={"csrf_token": token, "email": "a@b.ca"})
    assert response.status_code == 303, response.text
    assert "x-session-grant" not in response.headers
    cookies = response.headers.get_list("set-cookie")
    session = [c for c in cookies if c.startswith("ingemplois_session=")]
    assert len(session) == 1
    assert "HttpOnly" in session[0] and "SameSite=lax" in session[0] and "Path=/" in session[0]
    assert "Secure" not in session[0]
    # the CSRF token rotates on log in
    new_csrf = [c for c in cookies if c.startswith("ingemplois_csrf=")]
    assert len(new_csrf) == 1 and token not in new_csrf[0]
    return SESSION_RE.search(session[0]).group(1)


async def test_grant_refresh_bearer(harness) -> None:
    session_id = await log_in(harness)
    assert len(session_id) >= 43
    seen = upstream_saw(await harness.client.get("/employeur"))
    assert seen["headers"]["authorization"] == "Bearer at-1"
    assert harness.identity.refresh_calls == [
        {"json": {"refresh_token": "refresh-abc"}, "content_type": "application/json"}
    ]
    # the access token is cached in the session until shortly before it expires
    seen = upstream_saw(await harness.client.get("/employeur/forfaits"))
    assert seen["headers"]["authorization"] == "Bearer at-1"
    assert len(harness.identity.refresh_calls) == 1
    # the refresh token never reaches the browser or the services
    assert "refresh-abc" not in str(seen)


async def test_token_expiring_within_30_seconds_is_refreshed(make_harness) -> None:
    h = await make_harness(identity=IdentityState(expires_in=20))
    await log_in(h)
    first = upstream_saw(await h.client.get("/employeur"))["headers"]["authorization"]
    second = upstream_saw(await h.client.get("/employeur"))["headers"]["authorization"]
    assert (first, second) == ("Bearer at-1", "Bearer at-2")


async def test_refresh_refused_means_anonymous(harness) -> None:
    await log_in(harness)
    harness.identity.refresh_status = 401
    response = await harness.client.get("/employeur", headers={"authorization": "Bearer forged"})
    seen = upstream_saw(response)
    assert "authorization" not in seen["headers"]
    cleared = [c for c in response.headers.get_list("set-cookie") if c.startswith("ingemplois_session=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "expires=" in cleared[0].lower())
    # the session is gone server-side: the old cookie no longer refreshes
    harness.identity.refresh_status = 200
    calls = len(harness.identity.refresh_calls)
    seen = upstream_saw(await harness.client.get("/employeur"))
    assert "authorization" not in seen["headers"]
    assert len(harness.identity.refresh_calls) == calls


async def test_log_out_ends_the_session(harness) -> None:
    session_id = await log_in(harness)
    token = harness.csrf_cookie()
    response = await harness.client.post("/compte/deconnexion", data={"csrf_token": token})
    assert response.status_code == 303
    assert "x-session-end" not in response.headers
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith('ingemplois_session=""') or "Max-Age=0" in c for c in cookies if "session" in c)
    assert await harness.gateway.sessions.load(session_id) is None
    # replaying the old cookie gets nothing
    harness.client.cookies.set("ingemplois_session", session_id)
    replay = await harness.client.get("/employeur")
    assert "authorization" not in upstream_saw(replay)["headers"]


async def test_unknown_session_cookie_is_cleared(harness) -> None:
    harness.client.cookies.set("ingemplois_session", "x" * 43)
    response = await harness.client.get("/")
    assert "authorization" not in upstream_saw(response)["headers"]
    assert any(c.startswith("ingemplois_session=") for c in response.headers.get_list("set-cookie"))


async def test_session_headers_only_honoured_from_identity(harness) -> None:
    response = await harness.client.get("/emplois/own-headers")
    assert "x-session-grant" not in response.headers
    assert not any(c.startswith("ingemplois_session=") for c in response.headers.get_list("set-cookie"))


async def test_api_client_authorization_passes_through(harness) -> None:
    seen = upstream_saw(await harness.client.get("/api/offers/v1/offers", headers={"authorization": "Bearer mine"}))
    assert seen["headers"]["authorization"] == "Bearer mine"


async def test_session_replaces_client_authorization(harness) -> None:
    await log_in(harness)
    seen = upstream_saw(await harness.client.get("/api/offers/v1/offers", headers={"authorization": "Bearer mine"}))
    assert seen["headers"]["authorization"] == "Bearer at-1"


async def test_identity_down_during_refresh(make_harness) -> None:
    identity = IdentityState()
    h = await make_harness(identity=identity)
    await log_in(h)
    identity.refresh_status = 500
    # reading pages goes on anonymously, and the session is kept for later
    seen = upstream_saw(await h.client.get("/emplois"))
    assert "authorization" not in seen["headers"]
    # a form is never run as anonymous for a logged-in user
    response = await h.client.post("/employeur/offres", data={"csrf_token": h.csrf_cookie()})
    assert response.status_code == 503
    identity.refresh_status = 200
    seen = upstream_saw(await h.client.get("/emplois"))
    assert seen["headers"]["authorization"].startswith("Bearer at-")


async def test_secure_cookies_when_configured(make_harness) -> None:
    identity = IdentityState()
    h = await make_harness(identity=identity, transports=all_transports(identity), secure_cookies=True)
    response = await h.client.get("/")
    assert "Secure" in response.headers["set-cookie"]


def test_a_stored_session_opens_only_with_its_own_cookie() -> None:
    """The tokens are sealed with a key derived from the cookie value: another id, or the same
    ciphertext moved under another key, opens nothing."""
    from gateway.sessions import Session, decode_session, encode_session, new_session_id

    session_id, other = new_session_id(), new_session_id()
    stored = encode_session(session_id, Session(refresh_token="refresh-abc", access_token="at-1", access_exp=5.0))
    assert "refresh-abc" not in stored and "at-1" not in stored
    opened = decode_session(session_id, stored)
    assert opened is not None and (opened.refresh_token, opened.access_token, opened.access_exp) == (
        "refresh-abc", "at-1", 5.0)
    assert decode_session(other, stored) is None
    assert decode_session(session_id, "not json") is None
    assert decode_session(session_id, '{"sealed": "AAAA", "access_exp": 0, "created": 0}') is None
