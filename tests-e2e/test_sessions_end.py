"""Issue 7, done-means 8: after a password reset (or change) made in one browser, a session open
in another browser is refused on its very next request, through the gateway on the distributed
suite (the gateway had cached that session's access token: identity announced the ended session
in Redis, and the gateway asked identity again instead of serving the cached token)."""

from __future__ import annotations

from test_account_journey import PASSWORD, log_in, sign_up

from tests_e2e_support import Browser, forms_of, link_in, unique_email, wait_for_email

NEW_PASSWORD = "Viaduc-des-Prairies-2027"


def verified_account(browser: Browser, mail_dir) -> str:
    email = unique_email("sessions")
    sign_up(browser, email)
    page = browser.get(link_in(wait_for_email(mail_dir, email), "/compte/verifier"))
    form = next(f for f in forms_of(page.text) if f["action"] == "/compte/verifier")
    assert browser.post("/compte/verifier", data=form["fields"]).status_code in (200, 303)
    return email


def signed_in(browser: Browser, email: str, password: str = PASSWORD) -> None:
    assert log_in(browser, email, password).status_code == 303
    page = browser.get("/compte/")
    assert page.status_code == 200 and email in page.text  # the gateway now caches this session's token


def is_signed_out(browser: Browser) -> bool:
    page = browser.get("/compte/")
    return page.status_code == 303 and page.headers["location"].startswith("/compte/connexion")


def test_a_password_reset_ends_the_other_browsers_session_at_once(suite, mail_dir) -> None:
    with Browser(suite.gateway_url) as first, Browser(suite.gateway_url) as other:
        email = verified_account(first, mail_dir)
        signed_in(other, email)

        asked = first.submit("/compte/mot-de-passe-oublie", {"email": email}, "/compte/mot-de-passe-oublie")
        assert asked.status_code in (200, 303)
        reset_path = link_in(wait_for_email(mail_dir, email, subject_contains="Réinitialisez"), "/compte/reinitialiser")
        done = first.submit(reset_path, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD},
                            "/compte/reinitialiser")
        assert done.status_code in (200, 303), done.text[:800]

        assert is_signed_out(other)  # its very next request
        signed_in(other, email, NEW_PASSWORD)  # and the new password works


def test_a_password_change_ends_the_other_sessions_not_this_one(suite, mail_dir) -> None:
    with Browser(suite.gateway_url) as mine, Browser(suite.gateway_url) as other:
        email = verified_account(mine, mail_dir)
        signed_in(mine, email)
        signed_in(other, email)
        changed = mine.submit("/compte/mot-de-passe", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                       "new_password_confirmation": NEW_PASSWORD},
                              "/compte/mot-de-passe")
        assert changed.status_code == 303, changed.text[:800]
        assert is_signed_out(other)
        assert mine.get("/compte/").status_code == 200
