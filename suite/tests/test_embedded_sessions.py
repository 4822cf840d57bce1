"""The embedded suite wires identity and the gateway to one process-wide set of ended sessions:
a password change in one browser signs the other browser out on its very next request."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from suite.embedded import build_embedded
from tests_e2e_support import forms_of

PASSWORD = "Pont-Champlain-2026"
NEW_PASSWORD = "Tunnel-Louis-H-2027"


@pytest.fixture()
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in ("REDIS_URL", "PUBLIC_URL", "INGEMPLOIS_VAR"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("MAIL_DIR", str(tmp_path / "mail"))
    return build_embedded(tmp_path)


async def _submit(client: httpx.AsyncClient, path: str, values: dict[str, str]) -> httpx.Response:
    page = await client.get(path)
    form = next(f for f in forms_of(page.text) if f["action"].startswith(path.split("?")[0]))
    return await client.post(form["action"], data={**form["fields"], **values})


async def test_a_password_change_signs_the_other_browser_out_at_once(embedded) -> None:
    from identity.bootstrap import create_account_directly

    email = "sessions@genie-embarque.ca"
    create_account_directly(embedded.bundles["identity"], email, PASSWORD, "employer", "Ada", "Lovelace",
                            verified=True)
    transport = httpx.ASGITransport(app=embedded.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as mine, \
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as other:
        for browser in (mine, other):
            assert (await _submit(browser, "/compte/connexion", {"email": email, "password": PASSWORD})
                    ).status_code == 303
            assert (await browser.get("/compte/")).status_code == 200  # its token is now cached
        changed = await _submit(mine, "/compte/mot-de-passe", {
            "current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD})
        assert changed.status_code == 303, changed.text[:800]
        refused = await other.get("/compte/")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/compte/connexion")
        assert (await mine.get("/compte/")).status_code == 200
