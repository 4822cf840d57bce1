"""`make run` seeds enough for a newcomer to try each flow at once (issue 3, done means 6)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from plumbing.testing import wait_until
from suite.embedded import build_embedded
from suite.seed import DEMO_PASSWORD, seed_demo
from tests_e2e_support import forms_of


@pytest.fixture()
def seeded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("MAILER_TRANSPORT", "file")
    monkeypatch.setenv("COMPANY_PORTAL_REGISTRY_SAMPLE", "200")
    suite = build_embedded(tmp_path)
    suite.start_workers()
    seed_demo(suite.bundles)
    seed_demo(suite.bundles)  # idempotent: a second `make run` changes nothing
    yield suite
    suite.stop()


async def _login(client: httpx.AsyncClient, email: str) -> None:
    page = await client.get("/compte/connexion")
    form = next(f for f in forms_of(page.text) if f["action"] == "/compte/connexion")
    response = await client.post("/compte/connexion",
                                 data={**form["fields"], "email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303, response.text[:500]


async def test_staff_and_principal_find_pending_requests(seeded) -> None:
    transport = httpx.ASGITransport(app=seeded.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as staff:
        await _login(staff, "personnel@oiq-demo.ca")

        async def queue() -> str | None:
            page = await staff.get("/moderation/demandes")
            assert page.status_code == 200
            return page.text if "Structura" in page.text else None

        text = None
        for _ in range(100):  # events reach moderation through the in-process broker
            text = await queue()
            if text:
                break
            seeded.broker.wait_idle(0.2)
        assert text is not None, "the new-group request never reached the staff queue"
        assert "Lavoie" in text or "Éric" in text  # the company-creation request

    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as principal:
        await _login(principal, "marie.tremblay@genivert-demo.ca")
        page = await principal.get("/entreprises/demandes")
        assert page.status_code == 200 and "Bouchard" in page.text
        users = await principal.get("/entreprises/utilisateurs")
        for name in ("Tremblay", "Gagnon", "Morin"):
            assert name in users.text
    wait_until(lambda: seeded.broker.wait_idle(0.1), timeout=10)


async def test_the_demo_group_has_credits_invoices_and_a_promo_code(seeded) -> None:
    """« Mes forfaits » and the history are not empty; staff see BIENVENUE10 and Génivert eligible."""
    transport = httpx.ASGITransport(app=seeded.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as finances:
        await _login(finances, "julie.morin@genivert-demo.ca")
        history = await finances.get("/employeur/transactions")
        assert history.status_code == 200
        assert history.text.count('.pdf" download>') == 2  # two invoices, seeded once
        mine = await finances.get("/employeur/forfaits/mes-forfaits")
        assert mine.status_code == 200 and mine.text.count("Achat (facture n°") == 2
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as staff:
        await _login(staff, "personnel@oiq-demo.ca")
        promos = await staff.get("/moderation/facturation/codes-promo")
        assert promos.status_code == 200 and "BIENVENUE10" in promos.text
        companies = await staff.get("/moderation/facturation/?q=genivert")
        assert "Génivert inc." in companies.text and "Admissible" in companies.text


async def test_the_job_site_has_offers_from_several_employers(seeded) -> None:
    """About twenty-five offers online from six employers, some featured, some with English; the
    expired one is not online (issue 11's demo data: the list and its counts look real)."""
    from offers.service_layer.seed_jobsite import EXPIRED_TITLE, OFFERS, PAST_DEADLINE_TITLE

    transport = httpx.ASGITransport(app=seeded.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as visitor:
        answer = await visitor.get("/api/offers/v1/published-offers", params={"limit": 100})
        assert answer.status_code == 200, answer.text[:500]
        items = answer.json()["items"]
    titles = {item["content"]["title_fr"] for item in items}
    assert len(items) >= 25
    assert {o.title_fr for o in OFFERS if o.title_fr != EXPIRED_TITLE} <= titles
    assert EXPIRED_TITLE not in titles and PAST_DEADLINE_TITLE in titles
    assert len({item["company_name"] for item in items}) == 6
    assert sum(1 for item in items if item["content"]["title_en"]) >= 5


async def test_the_demo_member_lands_on_their_space_and_follows_the_demo_company(seeded) -> None:
    transport = httpx.ASGITransport(app=seeded.gateway)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as member:
        page = await member.get("/compte/connexion")
        form = next(f for f in forms_of(page.text) if f["action"] == "/compte/connexion")
        login = await member.post("/compte/connexion", data={**form["fields"], "email": "alex.roy@courriel-demo.ca",
                                                             "password": DEMO_PASSWORD})
        assert login.status_code == 303 and login.headers["location"] == "/membre/"
        follows = await member.get("/membre/entreprises-suivies")
        assert follows.status_code == 200 and follows.text.count("Génivert inc.</a>") == 1  # seeded once
        home = await member.get("/membre/")
        assert "Vous suivez 1 entreprise." in home.text
