"""The composition root: nothing needs the database before migration; keys load on first use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from identity_support import FAST, client, make_settings, real_time_clock

from identity.bootstrap import bootstrap
from identity.domain.model import Account
from plumbing.auth.tokens import InvalidToken, get_verifier


async def test_bootstrap_before_migration_then_keys_on_first_request(tmp_path):
    bundle = bootstrap(make_settings(f"sqlite:///{tmp_path / 'fresh.db'}", tmp_path), clock=real_time_clock(),
                       config=FAST)
    keystore = bundle.extras["keystore"]
    assert not keystore.loaded  # no table yet: deferred, no crash
    async with client(bundle) as c:
        assert (await c.get("/healthz")).status_code == 200
        assert not keystore.loaded
        bundle.migrate()
        assert (await c.get("/compte/connexion")).status_code == 200
        assert keystore.loaded
        jwks = (await c.get("/api/identity/v1/jwks")).json()
    assert [k["kid"] for k in jwks["keys"]] == [keystore.signing_key().kid]
    bundle.runtime.engine.dispose()


def test_the_process_verifier_uses_identitys_own_keys_and_honours_expiry(tmp_path):
    bundle = bootstrap(make_settings(f"sqlite:///{tmp_path / 'keys.db'}", tmp_path), clock=real_time_clock(),
                       config=FAST)
    bundle.migrate()
    signer = bundle.extras["deps"].signer
    account = Account("3f0c1f55-8a51-4d39-9d59-0c8f1b6c2a10", "marie@genivert.ca", "employer", "Marie", "Tremblay",
                      "$argon2id$x", "fr", datetime.now(UTC))
    token, expires_in = signer.sign(account, "session-1", datetime.now(UTC))
    principal = get_verifier().verify(token)
    assert (principal.account_id, principal.kind, principal.session_id, expires_in) == (
        account.id, "employer", "session-1", 300)
    stale, _ = signer.sign(account, "session-1", datetime.now(UTC) - timedelta(minutes=6))
    with pytest.raises(InvalidToken):
        get_verifier().verify(stale)
    with pytest.raises(InvalidToken):
        get_verifier().verify(token[:-4] + "AAAA")
    bundle.runtime.engine.dispose()


async def test_an_expired_verification_link_points_to_a_new_link(tmp_path):
    from identity_support import API, last_event, new_email, signup_body

    clock = real_time_clock()
    bundle = bootstrap(make_settings(f"sqlite:///{tmp_path / 'expiry.db'}", tmp_path), clock=clock, config=FAST)
    bundle.migrate()
    email = new_email()
    async with client(bundle) as c:
        assert (await c.post(f"{API}/accounts", json=signup_body(email))).status_code == 201
        token = last_event(bundle, "identity.account.registered", email)["verification_token"]
        clock.advance(hours=48)
        r = await c.post("/compte/verifier", data={"token": token})
        assert r.status_code == 422 and "Ce lien a expiré." in r.text
        assert 'href="/compte/verification/renvoyer"' in r.text
        r = await c.post("/compte/verifier", data={"token": token}, headers={"cookie": "lang=en"})
        assert "This link has expired." in r.text and "Get a new confirmation link" in r.text
    bundle.runtime.engine.dispose()
