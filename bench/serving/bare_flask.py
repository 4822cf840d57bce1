"""The baseline of the serving benchmark: identity's two keys-and-hints endpoints in a bare Flask app.

Same paths, same work, same bodies as the production API (bench/serving/run.py checks that the
answers match), but no connexion, no contract validation, no ASGI, no OpenTelemetry:

- `GET /api/identity/v1/email-policy?email=…` calls `identity.service_layer.views.email_advice`
  with the policy from `identity.adapters.webmail.load_email_policy`, exactly what
  `identity.entrypoints.http.get_email_policy` does, and builds the same body.
- `GET /api/identity/v1/jwks` returns the JWKS read once at start from the same identity database
  through identity's `SigningKeyStore` (production caches it the same way), with the same
  Cache-Control header.

Served by run.py as `gunicorn -k sync|gthread --no-control-socket 'bare_flask:create_app()'` with
`--pythonpath bench/serving` and the production server's INGEMPLOIS_VAR (so the same database).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request

from identity.adapters.keystore import SigningKeyStore
from identity.adapters.webmail import load_email_policy
from identity.service_layer import views
from plumbing.clock import SystemClock
from plumbing.config import Settings
from plumbing.db import make_engine

JWKS_HEADERS = {"Cache-Control": "public, max-age=300"}


def read_jwks(settings: Settings) -> dict[str, Any]:
    engine = make_engine(settings.database_url, 1)
    try:
        return SigningKeyStore(engine, SystemClock()).jwks()
    finally:
        engine.dispose()


def create_app() -> Flask:
    settings = Settings.from_env("identity")
    policy = load_email_policy()
    jwks = read_jwks(settings)
    app = Flask("bare_flask")

    @app.get("/api/identity/v1/jwks")
    def get_jwks() -> tuple[dict[str, Any], int, dict[str, str]]:
        return jwks, 200, JWKS_HEADERS

    @app.get("/api/identity/v1/email-policy")
    def get_email_policy() -> dict[str, Any]:
        email = request.args.get("email", "")
        if not email:
            abort(400)
        advice = views.email_advice(policy, email)
        body: dict[str, Any] = {"allowed": advice.allowed}
        if not advice.allowed:
            body.update(reason_code=advice.reason_code, message_fr=advice.message_fr, message_en=advice.message_en)
        return body

    return app
