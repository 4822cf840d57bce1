"""The API through the ASGI app (connexion validation included) on a migrated SQLite database."""

from __future__ import annotations

import jwt
import pytest
from identity_support import (
    API,
    PASSWORD,
    bearer,
    client,
    last_event,
    logged_in,
    new_email,
    outbox,
    problem,
    signup_body,
    verified_account,
)
from sqlalchemy import select

from identity.adapters.orm import metadata
from plumbing.auth.tokens import AUDIENCE, ISSUER


@pytest.fixture()
async def c(bundle):
    async with client(bundle) as http_client:
        yield http_client


# Happy paths --------------------------------------------------------------------------------
async def test_sign_up_verify_log_in_and_read_my_account(c, bundle):
    email = new_email()
    r = await c.post(f"{API}/accounts", json=signup_body(email.upper(), first_name=" Marie "))
    assert r.status_code == 201 and r.headers["location"] == f"{API}/accounts/me"
    account = r.json()
    assert account["email"] == email and account["verified"] is False and account["first_name"] == "Marie"
    registered = last_event(bundle, "identity.account.registered", email)
    assert registered["account_id"] == account["id"]

    r = await c.post(f"{API}/accounts/verification", json={"token": registered["verification_token"]})
    assert r.status_code == 200 and r.json()["verified"] is True
    assert last_event(bundle, "identity.account.verified", email)["account_id"] == account["id"]

    r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201 and r.headers["cache-control"] == "no-store"
    session = r.json()
    assert session["token_type"] == "Bearer" and session["expires_in"] == 300

    r = await c.get(f"{API}/accounts/me", headers=bearer(session))
    assert r.status_code == 200 and r.json() == {**account, "verified": True}


async def test_member_signs_up_with_any_address_and_the_locale_is_kept(c, bundle):
    email = new_email("gmail.com")
    r = await c.post(f"{API}/accounts", json=signup_body(email, kind="member"), headers={"accept-language": "en"})
    assert r.status_code == 201 and r.json()["kind"] == "member" and r.json()["locale"] == "en"
    assert last_event(bundle, "identity.account.registered", email)["locale"] == "en"


async def test_access_token_claims_and_jwks_verification(c, bundle):
    session = await logged_in(c, bundle)
    r = await c.get(f"{API}/jwks")
    assert r.status_code == 200 and r.headers["cache-control"] == "public, max-age=300"
    keyset = jwt.PyJWKSet.from_dict(r.json())
    header = jwt.get_unverified_header(session["access_token"])
    assert header["alg"] == "EdDSA"
    key = next(k for k in keyset.keys if k.key_id == header["kid"])
    claims = jwt.decode(session["access_token"], key.key, algorithms=["EdDSA"], audience=AUDIENCE, issuer=ISSUER)
    assert claims["email"] == session["email"] and claims["kind"] == "employer"
    assert claims["exp"] - claims["iat"] == 300
    refresh_rows = metadata.tables["refresh_tokens"]
    with bundle.runtime.engine.connect() as connection:
        row = connection.execute(select(refresh_rows).where(refresh_rows.c.id == claims["sid"])).one()
    assert row.account_id == claims["sub"] and row.token_hash != session["refresh_token"]


async def test_refresh_and_logout(c, bundle):
    session = await logged_in(c, bundle)
    r = await c.post(f"{API}/tokens/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 200 and set(r.json()) == {"access_token", "token_type", "expires_in"}
    fresh = r.json()
    assert jwt.decode(fresh["access_token"], options={"verify_signature": False})["sid"] == \
        jwt.decode(session["access_token"], options={"verify_signature": False})["sid"]

    r = await c.delete(f"{API}/sessions/current", headers=bearer(fresh))
    assert r.status_code == 204 and r.content == b""
    r = await c.post(f"{API}/tokens/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 401 and problem(r)["code"] == "session_invalid"
    r = await c.get(f"{API}/accounts/me", headers=bearer(session))
    assert r.status_code == 401


async def test_change_password_closes_the_other_sessions(c, bundle):
    session = await logged_in(c, bundle)
    r = await c.post(f"{API}/sessions", json={"email": session["email"], "password": PASSWORD})
    other = r.json()
    r = await c.put(f"{API}/accounts/me/password", headers=bearer(session),
                    json={"current_password": PASSWORD, "new_password": "Barrage-hydro-2027"})
    assert r.status_code == 204
    assert (await c.post(f"{API}/tokens/refresh", json={"refresh_token": session["refresh_token"]})).status_code == 200
    assert (await c.post(f"{API}/tokens/refresh", json={"refresh_token": other["refresh_token"]})).status_code == 401
    r = await c.put(f"{API}/accounts/me/password", headers=bearer(session),
                    json={"current_password": "Pas-le-bon-2026", "new_password": "Encore-autre-2028"})
    assert r.status_code == 422 and problem(r)["field"] == "current_password"


async def test_password_reset(c, bundle):
    email = await verified_account(c, bundle)
    r = await c.post(f"{API}/password-resets", json={"email": email})
    assert r.status_code == 202
    unknown = await c.post(f"{API}/password-resets", json={"email": new_email()})
    assert unknown.status_code == 202 and unknown.content == r.content
    token = last_event(bundle, "identity.password.reset_requested", email)["reset_token"]
    r = await c.post(f"{API}/password-resets/confirmation", json={"token": token, "password": "Barrage-hydro-2027"})
    assert r.status_code == 204
    r = await c.post(f"{API}/password-resets/confirmation", json={"token": token, "password": "Barrage-hydro-2027"})
    assert r.status_code == 410 and problem(r)["code"] == "token_used"
    r = await c.post(f"{API}/sessions", json={"email": email, "password": "Barrage-hydro-2027"})
    assert r.status_code == 201


async def test_a_new_confirmation_link_whatever_the_address(c, bundle):
    email = new_email()
    assert (await c.post(f"{API}/accounts", json=signup_body(email))).status_code == 201
    first = last_event(bundle, "identity.account.registered", email)["verification_token"]
    r = await c.post(f"{API}/accounts/verification-requests", json={"email": email.upper()},
                     headers={"accept-language": "en"})
    assert r.status_code == 202 and r.content == b""
    event = last_event(bundle, "identity.account.verification_requested", email)
    assert event["locale"] == "en" and event["first_name"] == "Marie"
    verified = await verified_account(c, bundle)
    for other in (new_email(), verified, "pas une adresse@x"):
        answer = await c.post(f"{API}/accounts/verification-requests", json={"email": other, "locale": "fr"})
        assert (answer.status_code, answer.content, answer.headers.get("content-type")) == (
            r.status_code, r.content, r.headers.get("content-type"))
    assert [e.data["email"] for e in outbox(bundle) if e.type == "identity.account.verification_requested"] == [
        email]
    r = await c.post(f"{API}/accounts/verification", json={"token": first})
    assert r.status_code == 410 and problem(r)["code"] == "token_expired"
    r = await c.post(f"{API}/accounts/verification", json={"token": event["verification_token"]})
    assert r.status_code == 200 and r.json()["verified"] is True


async def test_email_policy_hints(c):
    r = await c.get(f"{API}/email-policy", params={"email": "marie@genivert.ca"})
    assert r.status_code == 200 and r.json() == {"allowed": True}
    r = await c.get(f"{API}/email-policy", params={"email": "Marie@Gmail.com"})
    assert r.json()["allowed"] is False and r.json()["reason_code"] == "webmail_not_allowed"
    assert r.json()["message_fr"].startswith("Utilisez votre adresse courriel professionnelle")
    r = await c.get(f"{API}/email-policy", params={"email": "n'importe quoi"})
    assert r.json()["reason_code"] == "invalid_email"


# Refusals -----------------------------------------------------------------------------------
async def test_webmail_employer_refused_with_the_message_in_both_languages(c):
    r = await c.post(f"{API}/accounts", json=signup_body(new_email("hotmail.com")))
    body = problem(r)
    assert r.status_code == 422 and body["code"] == "webmail_not_allowed" and body["field"] == "email"
    assert body["title"] == "Données invalides"
    assert body["detail"] == ("Utilisez votre adresse courriel professionnelle : les adresses de messagerie "
                              "gratuite (ex. gmail.com) ne sont pas acceptées.")
    r = await c.post(f"{API}/accounts", json=signup_body(new_email("hotmail.com")), headers={"accept-language": "en"})
    assert problem(r)["title"] == "Unprocessable content"
    assert problem(r)["detail"].startswith("Use your professional email address")


async def test_duplicate_address_is_a_conflict(c):
    email = new_email()
    assert (await c.post(f"{API}/accounts", json=signup_body(email))).status_code == 201
    r = await c.post(f"{API}/accounts", json=signup_body(email.upper(), kind="member"))
    assert r.status_code == 409 and problem(r)["detail"] == "Cette adresse courriel est déjà associée à un compte."


async def test_weak_password_names_the_field(c):
    r = await c.post(f"{API}/accounts", json=signup_body(new_email(), password="court"),
                     headers={"accept-language": "en"})
    body = problem(r)
    assert r.status_code == 422 and body["field"] == "password" and "12 characters" in body["detail"]


async def test_login_refusals(c, bundle):
    email = new_email()
    await c.post(f"{API}/accounts", json=signup_body(email))
    r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert r.status_code == 403 and problem(r)["code"] == "account_not_verified"
    r = await c.post(f"{API}/sessions", json={"email": new_email(), "password": PASSWORD})
    assert r.status_code == 401 and problem(r)["code"] == "invalid_credentials"


async def test_lockout_answers_423_with_retry_after(c, bundle):
    email = await verified_account(c, bundle)
    statuses = []
    for _ in range(5):
        r = await c.post(f"{API}/sessions", json={"email": email, "password": "Pas-le-bon-2026"})
        statuses.append(r.status_code)
    assert statuses == [401, 401, 401, 401, 401]
    r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD},
                     headers={"accept-language": "en"})
    body = problem(r)
    assert r.status_code == 423 and r.headers["retry-after"] == "900"
    assert body["title"] == "Account locked" and "Try again in 15 minutes" in body["detail"]


async def test_verification_token_refusals(c, bundle):
    r = await c.post(f"{API}/accounts/verification", json={"token": "x" * 43})
    assert r.status_code == 400 and problem(r)["code"] == "token_invalid" and problem(r)["field"] == "token"
    email = await verified_account(c, bundle)
    token = last_event(bundle, "identity.account.registered", email)["verification_token"]
    r = await c.post(f"{API}/accounts/verification", json={"token": token})
    assert r.status_code == 410 and problem(r)["code"] == "token_used"


@pytest.mark.parametrize("path", ["/accounts/me", "/sessions/current"])
@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer abc.def.ghi", "Basic dXNlcjpwYXNz",
                                           "Bearer " + "x" * 5000])
async def test_bearer_required(c, path, authorization):
    headers = {"authorization": authorization} if authorization else {}
    method = c.get if path == "/accounts/me" else c.delete
    r = await method(f"{API}{path}", headers=headers)
    assert r.status_code == 401 and problem(r)["title"] == "Authentification requise"


async def test_every_event_in_the_outbox_matches_its_contract(c, bundle):
    await logged_in(c, bundle)
    email = await verified_account(c, bundle)
    await c.post(f"{API}/password-resets", json={"email": email})
    pending = new_email()
    await c.post(f"{API}/accounts", json=signup_body(pending))
    await c.post(f"{API}/accounts/verification-requests", json={"email": pending})
    envelopes = outbox(bundle)
    assert {e.type for e in envelopes} >= {"identity.account.registered", "identity.account.verified",
                                           "identity.password.reset_requested",
                                           "identity.account.verification_requested"}
    for envelope in envelopes:
        bundle.runtime.schemas.validate(envelope)
        assert envelope.producer == "identity"


async def test_health_and_readiness(c):
    assert (await c.get("/healthz")).json()["status"] == "ok"
    ready = await c.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}


async def test_an_internationalized_address_is_one_account_whatever_its_spelling(c):
    unique = new_email().split("@")[0]
    r = await c.post(f"{API}/accounts", json=signup_body(f"{unique}@génie-conseil.québec"))
    assert r.status_code == 201 and r.json()["email"] == f"{unique}@xn--gnie-conseil-beb.xn--qubec-csa"
    again = await c.post(f"{API}/accounts", json=signup_body(f"{unique.upper()}@XN--GNIE-CONSEIL-BEB.xn--qubec-csa"))
    assert again.status_code == 409
