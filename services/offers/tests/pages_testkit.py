"""[pages] Arrange steps of the employer page tests: the offers service on SQLite with a fixed clock,
an in-memory credit bank, a group with a member in each role (and an outsider's group), signed
tokens as the gateway attaches them, and offers placed in any status through the state machine."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from offers_fakes import complete_config, complete_content
from sqlalchemy import insert

from offers.adapters.billing_client import InMemoryCreditBank
from offers.adapters.orm import company_brandings, memberships
from offers.bootstrap import bootstrap
from offers.service_layer import commands as c
from plumbing.auth.tokens import AUDIENCE, ISSUER, TokenVerifier, configure_verifier
from plumbing.clock import FixedClock
from plumbing.config import Settings

T0 = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Montréal
CSRF = "csrf-test-token"
GROUP, OTHER_GROUP = str(uuid.UUID(int=101)), str(uuid.UUID(int=102))
PEOPLE = {role: str(uuid.UUID(int=200 + i)) for i, role in enumerate(("principal", "affichage", "finances"))}
OUTSIDER = str(uuid.UUID(int=299))
KID = "offers-pages-test"
_KEY = Ed25519PrivateKey.generate()
_JWK = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(_KEY.public_key()))
_JWK.update(kid=KID, alg="EdDSA", use="sig")


def use_test_keys() -> None:
    configure_verifier(TokenVerifier(lambda: {"keys": [_JWK]}))


def token(account_id: str, kind: str = "employer") -> str:
    now = datetime.now(UTC)  # PyJWT checks lifetimes against the real time
    claims = {
        "sub": account_id,
        "email": f"{account_id[-6:]}@genivert-test.ca",
        "kind": kind,
        "sid": "s-" + account_id[-8:],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + timedelta(minutes=10),
    }
    return jwt.encode(claims, _KEY, algorithm="EdDSA", headers={"kid": KID})


def headers(role_or_account: str, kind: str = "employer") -> dict[str, str]:
    """What the gateway adds: the bearer token and the CSRF token (the gateway checks it)."""
    account = PEOPLE.get(role_or_account, role_or_account)
    return {"Authorization": f"Bearer {token(account, kind)}", "X-CSRF-Token": CSRF}


@dataclasses.dataclass
class Site:
    bundle: Any
    clock: FixedClock
    bank: InMemoryCreditBank
    client: Any

    @property
    def bus(self) -> Any:
        return self.bundle.extras["bus"]

    def language(self, lang: str | None) -> None:
        if lang:
            self.client.set_cookie("lang", lang)
        else:
            self.client.delete_cookie("lang")

    def get(self, path: str, who: str = "principal", lang: str | None = None) -> Any:
        self.language(lang)
        return self.client.get(path, headers=headers(who))

    def post(
        self, path: str, data: dict[str, Any] | None = None, who: str = "principal", lang: str | None = None
    ) -> Any:
        self.language(lang)
        return self.client.post(path, headers=headers(who), data={"csrf_token": CSRF, **(data or {})})

    def caller(self, role: str = "principal") -> c.Caller:
        return c.Caller(PEOPLE[role], "employer", token(PEOPLE[role]))

    def draft(self, complete: bool = True, content_changes: dict[str, Any] | None = None, **config: Any) -> str:
        content = complete_content(**(content_changes or {})) if complete else None
        cfg = complete_config(**config) if complete else None
        return self.bus.handle(c.CreateDraft(GROUP, "ing", self.caller(), content, cfg)).id

    def published(self, content_changes: dict[str, Any] | None = None, **config: Any) -> str:
        offer_id = self.draft(True, content_changes, **config)
        self.bus.handle(c.SubmitOffer(offer_id, self.caller()))
        staff = c.Caller(str(uuid.UUID(int=900)), "staff", token(str(uuid.UUID(int=900)), "staff"))
        return self.bus.handle(c.ApproveOffer(offer_id, staff)).id

    def status(self, offer_id: str) -> str:
        from offers.service_layer import views

        return self.bus.query(views.get_offer, self.caller(), offer_id, now=self.clock.now()).offer.status


def make_site(tmp_path: Path) -> Site:
    use_test_keys()
    clock = FixedClock(T0)
    bank = InMemoryCreditBank()
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings, clock=clock, bank=bank)
    bundle.migrate()
    with bundle.runtime.engine.begin() as connection:
        rows = [(account, GROUP, role, "Groupe 001") for role, account in PEOPLE.items()]
        rows.append((OUTSIDER, OTHER_GROUP, "principal", "Autre"))
        for account, group, role, name in rows:
            connection.execute(
                insert(memberships).values(
                    account_id=account,
                    group_id=group,
                    company_id=group,
                    role=role,
                    group_name=name,
                    company_name="Génivert inc.",
                    version=1,
                    updated_at=T0,
                )
            )
        connection.execute(
            insert(company_brandings).values(
                group_id=GROUP,
                company_id=GROUP,
                group_name="Groupe 001",
                company_name="Génivert inc.",
                logo_url="https://cdn.example-test.ca/logo.png",
                changed_at=T0,
            )
        )
    return Site(bundle, clock, bank, bundle.extras["pages"].test_client())


def links_and_forms(html: str) -> tuple[set[str], set[str]]:
    """The local links (href) and form actions of a page."""
    hrefs = {h for h in re.findall(r'href="([^"]+)"', html) if h.startswith("/") and not h.startswith("/static")}
    actions = set(re.findall(r'<form[^>]*action="([^"]+)"', html))
    return hrefs, actions


def forms_without_csrf(html: str) -> list[str]:
    """POST forms that do not carry the CSRF token (the gateway refuses those)."""
    found = []
    for match in re.finditer(r"<form([^>]*)>(.*?)</form>", html, re.S):
        if 'method="post"' in match.group(1) and f'name="csrf_token" value="{CSRF}"' not in match.group(2):
            found.append(match.group(1))
    return found
