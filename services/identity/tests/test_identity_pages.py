"""The /compte pages through the ASGI app: forms, messages next to fields, session headers."""

from __future__ import annotations

import re
from html import unescape

import pytest
from identity_support import API, PASSWORD, client, last_event, logged_in, new_email, outbox, verified_account

CSRF = "csrf-from-the-gateway-123"
EN = {"cookie": "lang=en"}
FORMS = ["/compte/inscription", "/compte/inscription/membre", "/compte/connexion", "/compte/mot-de-passe-oublie",
         "/compte/reinitialiser?token=" + "t" * 43, "/compte/verifier?token=" + "t" * 43,
         "/compte/verification/renvoyer"]
RESEND = "/compte/verification/renvoyer"


@pytest.fixture()
async def c(bundle):
    async with client(bundle, headers={"x-csrf-token": CSRF}) as http_client:
        yield http_client


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def signup_form(email: str, **overrides: str) -> dict[str, str]:
    form = {"csrf_token": CSRF, "email": email, "first_name": "Marie", "last_name": "Tremblay",
            "password": PASSWORD, "password_confirmation": PASSWORD}
    form.update(overrides)
    return form


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input {name}"
    return match.group(0)


# Forms --------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", FORMS)
async def test_every_form_carries_the_csrf_token_and_labelled_fields(c, path):
    r = await c.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for form in re.findall(r"<form.*?</form>", r.text, flags=re.S):
        assert f'<input type="hidden" name="csrf_token" value="{CSRF}">' in form
        for field_id in re.findall(r'<input id="([^"]+)"', form):
            assert f'<label for="{field_id}">' in form


async def test_pages_are_french_by_default_and_english_with_the_lang_cookie(c):
    r = await c.get("/compte/inscription")
    assert '<html lang="fr"' in r.text and "Créer un compte employeur" in r.text
    r = await c.get("/compte/inscription", headers=EN)
    assert '<html lang="en"' in r.text and "Create an employer account" in r.text
    assert "Professional email address" in r.text and "Free webmail addresses" in r.text


async def test_employer_sign_up_links_to_member_sign_up(c):
    r = await c.get("/compte/inscription")
    assert 'href="/compte/inscription/membre"' in r.text


# Sign-up ------------------------------------------------------------------------------------
async def test_sign_up_then_check_your_email(c, bundle):
    email = new_email()
    r = await c.post("/compte/inscription", data=signup_form(email))
    assert r.status_code == 303 and r.headers["location"] == "/compte/inscription/envoyee"
    assert last_event(bundle, "identity.account.registered", email)["kind"] == "employer"
    r = await c.get("/compte/inscription/envoyee")
    assert "Vérifiez vos courriels" in r.text


async def test_member_sign_up_accepts_webmail_and_uses_the_page_language(c, bundle):
    email = new_email("gmail.com")
    r = await c.post("/compte/inscription/membre", data=signup_form(email), headers=EN)
    assert r.status_code == 303
    event = last_event(bundle, "identity.account.registered", email)
    assert (event["kind"], event["locale"]) == ("member", "en")


async def test_webmail_sign_up_shows_the_message_next_to_the_field(c):
    email = new_email("gmail.com")
    r = await c.post("/compte/inscription", data=signup_form(email))
    assert r.status_code == 422
    tag = input_tag(r.text, "email")
    assert 'aria-invalid="true"' in tag and "email-error" in tag and f'value="{email}"' in tag
    error = re.search(r'<small id="email-error"[^>]*>(.*?)</small>', r.text, flags=re.S).group(1)
    assert unescape(error) == ("Utilisez votre adresse courriel professionnelle : les adresses de messagerie "
                               "gratuite (ex. gmail.com) ne sont pas acceptées.")
    assert input_tag(r.text, "first_name").count('value="Marie"') == 1
    assert "value=" not in input_tag(r.text, "password")  # never echo a password
    r = await c.post("/compte/inscription", data=signup_form(email), headers=EN)
    assert "Use your professional email address" in unescape(r.text)


async def test_all_problems_show_at_once(c):
    r = await c.post("/compte/inscription", data=signup_form(
        new_email("gmail.com"), first_name="", password="court", password_confirmation="autre"))
    assert r.status_code == 422
    for name in ("email", "first_name", "password", "password_confirmation"):
        assert 'aria-invalid="true"' in input_tag(r.text, name), name
    assert "Les deux mots de passe ne correspondent pas." in r.text
    assert "au moins 12 caractères" in r.text


async def test_an_address_already_used_is_refused_on_the_page(c, bundle):
    email = await verified_account(c, bundle)
    r = await c.post("/compte/inscription/membre", data=signup_form(email))
    assert r.status_code == 422 and "Cette adresse courriel est déjà associée à un compte." in unescape(r.text)


# Verification -------------------------------------------------------------------------------
async def test_verification_link_shows_a_button_and_verifies_only_on_post(c, bundle):
    email = new_email()
    await c.post("/compte/inscription", data=signup_form(email))
    token = last_event(bundle, "identity.account.registered", email)["verification_token"]
    r = await c.get(f"/compte/verifier?token={token}")
    assert r.status_code == 200 and f'name="token" value="{token}"' in r.text
    assert 'method="post" action="/compte/verifier"' in r.text
    r = await c.post(f"{API}/sessions", json={"email": email, "password": PASSWORD})
    assert r.status_code == 403  # the GET (a mail scanner) verified nothing
    r = await c.post("/compte/verifier", data={"csrf_token": CSRF, "token": token})
    assert r.status_code == 200 and "Adresse confirmée" in r.text
    r = await c.post("/compte/verifier", data={"csrf_token": CSRF, "token": token})
    assert r.status_code == 422 and "Ce lien a déjà été utilisé." in unescape(r.text)


async def test_verification_without_or_with_a_bad_token(c):
    r = await c.get("/compte/verifier")
    assert r.status_code == 200 and "Ce lien n'est pas valide" in unescape(r.text)
    r = await c.post("/compte/verifier", data={"csrf_token": CSRF, "token": "x" * 43})
    assert r.status_code == 422 and "Ce lien n'est pas valide" in unescape(r.text)


# A new confirmation link --------------------------------------------------------------------
async def test_check_your_email_page_links_to_a_new_link(c):
    r = await c.get("/compte/inscription/envoyee")
    assert f'href="{RESEND}"' in r.text
    r = await c.get("/compte/inscription/envoyee", headers=EN)
    assert "Nothing received?" in r.text and "Get a new confirmation link" in r.text


async def test_a_new_confirmation_link_page_answers_the_same_whatever_the_address(c, bundle):
    r = await c.get(RESEND)
    assert r.status_code == 200 and f'method="post" action="{RESEND}"' in r.text
    assert 'autocomplete="email"' in input_tag(r.text, "email")
    pending = new_email()
    await c.post("/compte/inscription", data=signup_form(pending))
    first = last_event(bundle, "identity.account.registered", pending)["verification_token"]
    verified = await verified_account(c, bundle)
    answers = []
    for email in (pending, new_email(), verified):
        r = await c.post(RESEND, data={"csrf_token": CSRF, "email": email})
        answers.append((r.status_code, r.text.replace(f'value="{email}"', "")))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 200
    assert "Vérifiez vos courriels" in answers[0][1] and "Si un compte en attente de confirmation existe" in (
        unescape(answers[0][1]))
    event = last_event(bundle, "identity.account.verification_requested", pending)
    asked = [e.data["email"] for e in outbox(bundle) if e.type == "identity.account.verification_requested"]
    assert pending in asked and verified not in asked
    r = await c.post("/compte/verifier", data={"csrf_token": CSRF, "token": first})
    assert r.status_code == 422 and "Ce lien a expiré." in unescape(r.text) and f'href="{RESEND}"' in r.text
    r = await c.post("/compte/verifier", data={"csrf_token": CSRF, "token": event["verification_token"]})
    assert r.status_code == 200 and "Adresse confirmée" in r.text


async def test_a_new_confirmation_link_in_english(c, bundle):
    email = new_email()
    await c.post("/compte/inscription", data=signup_form(email))
    r = await c.post(RESEND, data={"csrf_token": CSRF, "email": f"  {email.upper()} "}, headers=EN)
    assert r.status_code == 200 and "If an account awaiting confirmation exists" in r.text
    assert last_event(bundle, "identity.account.verification_requested", email)["locale"] == "en"


async def test_a_new_confirmation_link_needs_an_address(c):
    r = await c.post(RESEND, data={"csrf_token": CSRF, "email": "  "})
    assert r.status_code == 422 and 'aria-invalid="true"' in input_tag(r.text, "email")
    assert "Entrez l'adresse courriel de votre compte." in unescape(r.text)


# Log in and out -----------------------------------------------------------------------------
async def test_login_grants_a_session_and_goes_to_next(c, bundle):
    email = await verified_account(c, bundle)
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email.upper(), "password": PASSWORD,
                                                "next": "/employeur/offres?statut=en-cours"})
    assert r.status_code == 303 and r.headers["location"] == "/employeur/offres?statut=en-cours"
    grant = r.headers["x-session-grant"]
    refreshed = await c.post(f"{API}/tokens/refresh", json={"refresh_token": grant})
    assert refreshed.status_code == 200


@pytest.mark.parametrize("next_value", ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:x",
                                        "", "/\r\nSet-Cookie: x=1", "relative/path"])
async def test_login_never_redirects_off_site(c, bundle, next_value):
    email = await verified_account(c, bundle)
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": PASSWORD,
                                                "next": next_value})
    assert r.status_code == 303 and r.headers["location"] == "/entreprises/"  # an employer's home


async def test_login_without_next_lands_on_the_home_of_the_account_kind(c, bundle):
    from identity.bootstrap import create_account_directly

    for kind, home in (("staff", "/moderation/"), ("member", "/membre/"), ("employer", "/entreprises/")):
        email = f"{kind}.home@genie-home.ca"
        create_account_directly(bundle, email, PASSWORD, kind, "A", "B", verified=True)
        r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": PASSWORD})
        assert r.status_code == 303 and r.headers["location"] == home, kind


async def test_login_form_keeps_next_from_the_query(c):
    r = await c.get("/compte/connexion?next=/entreprises/")
    assert 'name="next" value="/entreprises/"' in r.text


async def test_bad_credentials_keep_the_email_not_the_password(c, bundle):
    email = await verified_account(c, bundle)
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": "Pas-le-bon-2026"})
    assert r.status_code == 401 and "x-session-grant" not in r.headers
    assert "Adresse courriel ou mot de passe incorrect." in r.text
    assert f'value="{email}"' in input_tag(r.text, "email") and "value=" not in input_tag(r.text, "password")


async def test_unverified_login_is_explained(c):
    email = new_email()
    await c.post("/compte/inscription", data=signup_form(email))
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": PASSWORD})
    assert r.status_code == 403 and "n'est pas encore vérifiée" in unescape(r.text)
    assert f'href="{RESEND}"' in r.text and "Recevoir un nouveau lien de confirmation" in r.text
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": "Pas-le-bon-2026"})
    assert r.status_code == 401 and f'href="{RESEND}"' not in r.text


async def test_locked_account_message(c, bundle):
    email = await verified_account(c, bundle)
    for _ in range(5):
        r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": "Pas-le-bon-2026"})
        assert r.status_code == 401 and "verrouillé" not in r.text
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": PASSWORD})
    assert r.status_code == 423 and "x-session-grant" not in r.headers
    message = ("Votre compte est temporairement verrouillé après plusieurs tentatives infructueuses. "
               "Réessayez dans 15 minutes ou réinitialisez votre mot de passe.")
    assert message in text_of(r.text)
    assert 'href="/compte/mot-de-passe-oublie"' in r.text
    r = await c.post("/compte/connexion", data={"csrf_token": CSRF, "email": email, "password": PASSWORD},
                     headers=EN)
    assert "Your account is temporarily locked" in text_of(r.text)


async def test_logout_revokes_the_session_and_ends_it_at_the_gateway(c, bundle):
    session = await logged_in(c, bundle)
    r = await c.post("/compte/deconnexion", data={"csrf_token": CSRF},
                     headers={"authorization": f"Bearer {session['access_token']}"})
    assert r.status_code == 303 and r.headers["location"] == "/" and r.headers["x-session-end"] == "1"
    r = await c.post(f"{API}/tokens/refresh", json={"refresh_token": session["refresh_token"]})
    assert r.status_code == 401
    r = await c.post("/compte/deconnexion", data={"csrf_token": CSRF})
    assert r.status_code == 303 and r.headers["x-session-end"] == "1"


# Account home and password pages ------------------------------------------------------------
@pytest.mark.parametrize("path", ["/compte/", "/compte/mot-de-passe"])
async def test_signed_in_pages_send_visitors_to_login(c, path):
    r = await c.get(path)
    assert r.status_code == 303 and r.headers["location"] == f"/compte/connexion?next={path}"
    r = await c.get(path, headers={"authorization": "Bearer pas.un.jeton"})
    assert r.status_code == 303


async def test_account_home(c, bundle):
    session = await logged_in(c, bundle)
    r = await c.get("/compte/", headers={"authorization": f"Bearer {session['access_token']}"})
    assert r.status_code == 200 and session["email"] in r.text and "Employeur" in r.text
    assert r.headers["cache-control"] == "no-store"
    assert 'href="/compte/mot-de-passe"' in r.text and 'action="/compte/deconnexion"' in r.text


async def test_change_password_page(c, bundle):
    session = await logged_in(c, bundle)
    auth = {"authorization": f"Bearer {session['access_token']}"}
    r = await c.get("/compte/mot-de-passe", headers=auth)
    assert r.status_code == 200 and f'value="{CSRF}"' in r.text
    r = await c.post("/compte/mot-de-passe", headers=auth, data={
        "csrf_token": CSRF, "current_password": "Pas-le-bon-2026", "new_password": "Barrage-hydro-2027",
        "new_password_confirmation": "Barrage-hydro-2027"})
    assert r.status_code == 422 and 'aria-invalid="true"' in input_tag(r.text, "current_password")
    r = await c.post("/compte/mot-de-passe", headers=auth, data={
        "csrf_token": CSRF, "current_password": PASSWORD, "new_password": "Barrage-hydro-2027",
        "new_password_confirmation": "Barrage-hydro-2027"})
    assert r.status_code == 303 and r.headers["location"] == "/compte/?mot-de-passe=change"
    r = await c.get("/compte/?mot-de-passe=change", headers=auth)
    assert "Votre mot de passe a été changé." in r.text


async def test_forgotten_password_pages(c, bundle):
    email = await verified_account(c, bundle)
    unknown = await c.post("/compte/mot-de-passe-oublie", data={"csrf_token": CSRF, "email": new_email()})
    r = await c.post("/compte/mot-de-passe-oublie", data={"csrf_token": CSRF, "email": email})
    assert r.status_code == unknown.status_code == 200
    assert r.text == unknown.text  # the same answer whether or not the address has an account
    assert "Si un compte existe pour cette adresse" in r.text
    token = last_event(bundle, "identity.password.reset_requested", email)["reset_token"]
    r = await c.get(f"/compte/reinitialiser?token={token}")
    assert f'name="token" value="{token}"' in r.text
    r = await c.post("/compte/reinitialiser", data={"csrf_token": CSRF, "token": token, "password": "court",
                                                    "password_confirmation": "court"})
    assert r.status_code == 422 and 'aria-invalid="true"' in input_tag(r.text, "password")
    r = await c.post("/compte/reinitialiser", data={"csrf_token": CSRF, "token": token,
                                                    "password": "Barrage-hydro-2027",
                                                    "password_confirmation": "Barrage-hydro-2027"})
    assert r.status_code == 200 and "Mot de passe changé" in r.text
    r = await c.post("/compte/reinitialiser", data={"csrf_token": CSRF, "token": token,
                                                    "password": "Barrage-hydro-2027",
                                                    "password_confirmation": "Barrage-hydro-2027"})
    assert r.status_code == 422 and "Ce lien a déjà été utilisé." in unescape(r.text)


# Bad input never gives a 500 ----------------------------------------------------------------
BAD_FORMS = [
    {}, {"email": "x" * 100_000}, {"email": "\x00", "password": "\x00"}, {"token": "\ufffd" * 50},
    {"next": "\x00"}, {"email": ["a", "b"]}, {"password": "é" * 5000, "password_confirmation": "é" * 5000},
]


@pytest.mark.parametrize("path", ["/compte/inscription", "/compte/inscription/membre", "/compte/connexion",
                                  "/compte/verifier", "/compte/mot-de-passe-oublie", "/compte/reinitialiser",
                                  "/compte/deconnexion", "/compte/mot-de-passe", RESEND])
@pytest.mark.parametrize("form", BAD_FORMS, ids=range(len(BAD_FORMS)))
async def test_bad_forms_never_crash(c, path, form):
    r = await c.post(path, data=form)
    assert r.status_code < 500, r.text[:500]


@pytest.mark.parametrize(("content", "content_type"), [
    (b"\xff\xfe\x00garbage", "application/x-www-form-urlencoded"),
    (b"email=%ff%fe&password=%00&token=%ed%a0%80", "application/x-www-form-urlencoded"),
    (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x"),
    (b'{"email": 1}', "application/json"),
    (b"a" * (13 * 1024 * 1024), "application/x-www-form-urlencoded"),
])
async def test_raw_garbage_never_crashes(c, content, content_type):
    r = await c.post("/compte/connexion", content=content, headers={"content-type": content_type})
    assert r.status_code < 500


@pytest.mark.parametrize("query", ["?token=" + "x" * 5000, "?token=%00%ff", "?next=%0d%0a", "?token=a&token=b"])
async def test_odd_queries_never_crash(c, query):
    for path in ("/compte/verifier", "/compte/reinitialiser", "/compte/connexion"):
        assert (await c.get(path + query)).status_code < 500


async def test_unknown_page_is_a_404_page(c):
    r = await c.get("/compte/nulle-part")
    assert r.status_code == 404 and "Cette page est introuvable." in r.text
