"""Issue 2, done means 2: the account journey through the gateway on the distributed suite.

The verification email is sent by the mailer after `identity.account.registered` crossed
RabbitMQ, and is read from the SMTP sink.
"""

from __future__ import annotations

from tests_e2e_support import Browser, forms_of, link_in, unique_email, wait_for_email

PASSWORD = "Genie-civil-2026"


def sign_up(browser: Browser, email: str) -> None:
    response = browser.submit("/compte/inscription", {
        "email": email, "first_name": "Émilie", "last_name": "Gauthier",
        "password": PASSWORD, "password_confirmation": PASSWORD,
    }, action_contains="/compte/inscription")
    assert response.status_code == 303, response.text[:1000]


def log_in(browser: Browser, email: str, password: str):
    return browser.submit("/compte/connexion", {"email": email, "password": password}, "/compte/connexion")


def test_employer_signs_up_verifies_logs_in_and_out(browser: Browser, mail_dir) -> None:
    email = unique_email()
    sign_up(browser, email)

    message = wait_for_email(mail_dir, email)
    assert "ingemplois" in str(message["Subject"])
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "English" in message.get_body(preferencelist=("plain",)).get_content()
    verify_path = link_in(message, "/compte/verifier")

    # Logging in before verifying is refused with a clear message.
    early = log_in(browser, email, PASSWORD)
    assert 400 <= early.status_code < 500 and "vérifi" in early.text.lower()

    page = browser.get(verify_path)
    assert page.status_code == 200
    form = next(f for f in forms_of(page.text) if f["action"] == "/compte/verifier")
    verified = browser.post("/compte/verifier", data=form["fields"])
    assert verified.status_code in (200, 303), verified.text[:800]
    if verified.status_code == 303:
        verified = browser.get(verified.headers["location"])
    assert "vérifiée" in verified.text.lower() or "confirmée" in verified.text.lower()

    logged_in = log_in(browser, email, PASSWORD)
    assert logged_in.status_code == 303
    assert "ingemplois_session" in browser.cookies
    account = browser.get("/compte/")
    assert account.status_code == 200 and email in account.text

    logout_form = next(f for f in forms_of(account.text) if f["action"] == "/compte/deconnexion")
    out = browser.post("/compte/deconnexion", data=logout_form["fields"])
    assert out.status_code == 303
    assert "ingemplois_session" not in browser.cookies
    after = browser.get("/compte/")
    assert after.status_code == 303 and after.headers["location"].startswith("/compte/connexion")

    # The welcome email follows `identity.account.verified` (a second event over RabbitMQ).
    wait_for_email(mail_dir, email, subject_contains="Bienvenue")


def test_free_webmail_address_is_refused_next_to_the_field(browser: Browser) -> None:
    response = browser.submit("/compte/inscription", {
        "email": "quelqu.un@gmail.com", "first_name": "A", "last_name": "B",
        "password": PASSWORD, "password_confirmation": PASSWORD,
    }, action_contains="/compte/inscription")
    assert response.status_code in (400, 422)
    assert "adresse courriel professionnelle" in response.text
    assert 'aria-invalid="true"' in response.text


def test_five_wrong_passwords_lock_the_account(browser: Browser, suite) -> None:
    email = unique_email("verrou")
    sign_up(browser, email)
    verify_path = link_in(wait_for_email(suite.mail_dir, email), "/compte/verifier")
    page = browser.get(verify_path)
    form = next(f for f in forms_of(page.text) if f["action"] == "/compte/verifier")
    browser.post("/compte/verifier", data=form["fields"])

    for _ in range(5):
        wrong = log_in(browser, email, "Mauvais-mot-2026")
        assert 400 <= wrong.status_code < 500 and "verrouillé" not in wrong.text
    locked = log_in(browser, email, PASSWORD)  # even the right password, while locked
    assert 400 <= locked.status_code < 500
    assert "temporairement verrouillé" in locked.text
    assert "ingemplois_session" not in browser.cookies


def test_health_lists_every_service(suite) -> None:
    import httpx

    health = httpx.get(f"{suite.gateway_url}/healthz", timeout=5).json()
    assert set(health["services"]) == {"identity", "company-portal", "catalog-billing", "offers", "moderation",
                                       "mailer", "metrics"}
    for service in suite.services:
        assert health["services"][service]["status"] == "ok", health
