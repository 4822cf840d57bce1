"""Common and breached passwords, and passwords built from the person's name or email, are refused
with a message that says why, in French and English (issue 7, done-means 6; ASVS 2.1.7)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from identity_support import API, PASSWORD, bearer, client, last_event, logged_in, new_email, problem, signup_body

from identity.adapters.common_passwords import load_password_policy
from identity.domain.passwords import password_problems

CSRF = "csrf-from-the-gateway-123"
POLICY = load_password_policy()
COMMON_FR = "mots de passe les plus courants ou déjà divulgués"
COMMON_EN = "one of the most common ones or has appeared in data breaches"
PERSONAL_FR = "ne doit pas être construit à partir de votre nom ou de votre adresse courriel"
PERSONAL_EN = "must not be built from your name or your email address"


def codes(password: str, email: str = "m.t@genivert.ca", names: tuple[str, str] = ("Marie", "Tremblay")) -> list[str]:
    return [code for code, _, _ in password_problems(password, email, POLICY, names)]


@pytest.mark.parametrize("password", [
    "motdepasse123", "MotDePasse2026", "azerty123456", "Azertyuiop12", "P@ssw0rd1234", "soleil123456",
    "Password123!", "123456password", "marseille2026", "jetaime123456", "Montreal2026!",
])
def test_common_and_breached_passwords_are_refused(password):
    assert "common_password" in codes(password)


@pytest.mark.parametrize("password", [
    "MarieTremblay2026", "tremblay-marie-2026", "Tr3mbl@y-M@rie-26", "Tremblay2026!!!!", "Genivert-2026-Marie",
    "Élodie-Gagné-2026",
])
def test_passwords_built_from_the_name_or_email_are_refused(password):
    names = ("Élodie", "Gagné") if "odie" in password else ("Marie", "Tremblay")
    assert "personal_password" in codes(password, names=names)


@pytest.mark.parametrize("password", [
    PASSWORD, "Barrage-hydro-2027", "Pont-Laviolette-2026", "correct cheval batterie 42", "Marie-aime-les-ponts-7",
])
def test_good_passwords_still_pass(password):
    assert codes(password) == []


def test_the_list_is_shipped_and_holds_french_and_english_ones():
    assert len(POLICY.common) > 40_000
    assert {"motdepasse", "azerty", "soleil", "doudou", "password", "qwerty", "iloveyou"} <= POLICY.common


# Through the API ----------------------------------------------------------------------------
@pytest.fixture()
async def c(bundle):
    async with client(bundle, headers={"x-csrf-token": CSRF}) as http_client:
        yield http_client


async def test_sign_up_refuses_a_common_password_and_says_why(c):
    r = await c.post(f"{API}/accounts", json=signup_body(new_email(), password="motdepasse123"))
    body = problem(r)
    assert r.status_code == 422 and body["field"] == "password" and COMMON_FR in body["detail"]
    r = await c.post(f"{API}/accounts", json=signup_body(new_email(), password="motdepasse123"),
                     headers={"accept-language": "en"})
    assert COMMON_EN in problem(r)["detail"]


async def test_sign_up_refuses_a_password_made_of_the_name(c):
    r = await c.post(f"{API}/accounts", json=signup_body(new_email(), first_name="Marie", last_name="Tremblay",
                                                         password="MarieTremblay2026"),
                     headers={"accept-language": "en"})
    body = problem(r)
    assert r.status_code == 422 and body["field"] == "password" and PERSONAL_EN in body["detail"]


async def test_change_and_reset_refuse_them_too(c, bundle):
    session = await logged_in(c, bundle)
    r = await c.put(f"{API}/accounts/me/password", headers=bearer(session),
                     json={"current_password": PASSWORD, "new_password": "azerty123456"})
    assert r.status_code == 422 and problem(r)["field"] == "new_password" and COMMON_FR in problem(r)["detail"]
    await c.post(f"{API}/password-resets", json={"email": session["email"]})
    token = last_event(bundle, "identity.password.reset_requested", session["email"])["reset_token"]
    r = await c.post(f"{API}/password-resets/confirmation", json={"token": token, "password": "Tremblay-Marie-2026"})
    assert r.status_code == 422 and PERSONAL_FR in problem(r)["detail"]


# Through the pages --------------------------------------------------------------------------
def _error_of(html: str, name: str) -> str:
    match = re.search(rf'<small id="{name}-error"[^>]*>(.*?)</small>', html, re.S)
    assert match, f"no error next to {name}"
    return unescape(match.group(1))


async def test_the_sign_up_page_shows_why_next_to_the_password(c):
    form = {"csrf_token": CSRF, "email": new_email(), "first_name": "Marie", "last_name": "Tremblay"}
    r = await c.post("/compte/inscription", data={**form, "password": "motdepasse123",
                                                  "password_confirmation": "motdepasse123"})
    assert r.status_code == 422 and COMMON_FR in _error_of(r.text, "password")
    r = await c.post("/compte/inscription", headers={"cookie": "lang=en"},
                     data={**form, "password": "Marie-Tremblay-2026", "password_confirmation": "Marie-Tremblay-2026"})
    assert r.status_code == 422 and PERSONAL_EN in _error_of(r.text, "password")
