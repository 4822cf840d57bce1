"""The landing page, in French by default and in English on request."""

import dataclasses
from pathlib import Path

import httpx
import pytest

from offers.bootstrap import bootstrap
from plumbing.config import Settings


@pytest.fixture()
async def client(tmp_path: Path):
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings)
    bundle.migrate()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bundle.asgi), base_url="http://t") as c:
        yield c


async def test_landing_page_in_french_then_english(client):
    french = await client.get("/")
    assert french.status_code == 200
    assert "Les emplois en génie au Québec" in french.text and 'lang="fr"' in french.text
    assert 'href="/compte/inscription/membre"' in french.text and 'href="/compte/inscription"' in french.text
    english = await client.get("/", cookies={"lang": "en"})
    assert "Engineering jobs in Québec" in english.text and 'lang="en"' in english.text


async def test_health_and_readiness(client):
    assert (await client.get("/healthz")).json() == {"status": "ok", "service": "offers"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok"}


async def test_unknown_page_is_a_404_page(client):
    response = await client.get("/nulle-part")
    assert response.status_code == 404 and "introuvable" in response.text


async def test_no_dead_ends_for_employers_and_job_seekers(client):
    """« Mon espace employeur » asks a visitor to sign in first (then the dashboard, or the portal for an
    employer without a group: test_offers_employer_pages); the list of offers exists."""
    space = await client.get("/employeur/")
    assert (space.status_code, space.headers["location"]) == (303, "/compte/connexion?next=/employeur/")
    jobs = await client.get("/emplois/")
    assert jobs.status_code == 200 and 'class="empty-state"' in jobs.text


async def test_style_guide_in_development(client, monkeypatch):
    page = await client.get("/styleguide")  # the tests run in the embedded mode: development
    assert page.status_code == 200 and 'class="table-cards"' in page.text


async def test_landing_page_is_shareable_and_carries_no_visitor_token(client):
    response = await client.get("/", headers={"X-CSRF-Token": "t" * 43})
    assert response.headers["cache-control"] == "public, s-maxage=5"
    assert "t" * 43 not in response.text
