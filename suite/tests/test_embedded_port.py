"""Issue 7, done-means 7: `python -m suite.embedded --port N` puts N in email links and in the
services' own calls (moderation → company-portal through the gateway), not :8080."""

from __future__ import annotations

import os
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest

from plumbing.config import REPO_ROOT
from plumbing.testing import wait_until
from suite.distributed import free_port
from suite.embedded import build_embedded, public_url_of
from suite.seed import DEMO_PASSWORD
from tests_e2e_support import forms_of


def _submit(client: httpx.Client, path: str, values: dict[str, str], action: str) -> httpx.Response:
    page = client.get(path)
    form = next(f for f in forms_of(page.text) if f["action"].startswith(action))
    return client.post(form["action"], data={**form["fields"], **values})


def _mail_to(mail_dir: Path, recipient: str) -> str | None:
    for path in mail_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if recipient in str(message["To"]):
            return message.get_body(preferencelist=("plain",)).get_content()
    return None


def test_email_links_and_internal_calls_follow_the_port(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "INGEMPLOIS_VAR": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    for name in ("REDIS_URL", "PUBLIC_URL", "COMPANY_PORTAL_URL", "MAIL_DIR", "MAILER_TRANSPORT", "INGEMPLOIS_MODE"):
        env.pop(name, None)
    log = (tmp_path / "embedded.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "suite.embedded", "--port", str(port)],
                               cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        def up() -> bool:
            assert process.poll() is None, (tmp_path / "embedded.log").read_text()
            try:
                return httpx.get(base + "/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, timeout=90, interval=0.3, message="the embedded suite did not answer")
        assert f"{base}" in (tmp_path / "embedded.log").read_text()  # the banner

        with httpx.Client(base_url=base, timeout=10) as visitor:  # an email link
            email = f"port.{port}@genie-port.ca"
            password = "Pont-Pie-IX-2026"
            signed_up = _submit(visitor, "/compte/inscription", {
                "email": email, "first_name": "Ada", "last_name": "Lovelace", "password": password,
                "password_confirmation": password}, "/compte/inscription")
            assert signed_up.status_code == 303, signed_up.text[:800]
        body = wait_until(lambda: _mail_to(tmp_path / "mail", email), timeout=30, message="no email")
        assert f"{base}/compte/verifier?token=" in body and ":8080" not in body

        with httpx.Client(base_url=base, timeout=10) as staff:  # moderation → company-portal
            logged_in = _submit(staff, "/compte/connexion", {"email": "personnel@oiq-demo.ca",
                                                            "password": DEMO_PASSWORD}, "/compte/connexion")
            assert logged_in.status_code == 303, logged_in.text[:800]
            found = staff.get("/moderation/entreprises", params={"q": "Génivert"})
            assert found.status_code == 200, found.text[:800]
            assert "Génivert" in found.text
    finally:
        process.terminate()
        process.wait(15)


def test_the_public_url_of_a_bound_address() -> None:
    assert public_url_of("127.0.0.1", 8181) == "http://127.0.0.1:8181"
    assert public_url_of("0.0.0.0", 8181) == "http://127.0.0.1:8181"
    assert public_url_of("localhost", 9000) == "http://localhost:9000"


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("REDIS_URL", "PUBLIC_URL", "COMPANY_PORTAL_URL", "INGEMPLOIS_VAR"):
        monkeypatch.setenv(name, "")  # remembered, so what build_embedded sets is undone after the test
        monkeypatch.delenv(name)
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))


def test_every_service_gets_the_port_unless_set_explicitly(clean_env, tmp_path, monkeypatch) -> None:
    suite = build_embedded(tmp_path / "a", port=8181)
    assert {b.runtime.settings.public_url for b in suite.bundles.values()} == {"http://127.0.0.1:8181"}
    monkeypatch.setenv("PUBLIC_URL", "https://emplois.example")
    suite = build_embedded(tmp_path / "b", port=8181)
    assert {b.runtime.settings.public_url for b in suite.bundles.values()} == {"https://emplois.example"}
