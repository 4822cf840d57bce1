"""No dead ends (issue 7): each kind of account lands where its next action is, and every link,
asset and form action reachable in the demo, as each kind of visitor, answers without 404 or 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from suite.crawl import crawl, login
from suite.demo_site import VISITORS, DemoSite, demo_email, demo_site

#: Where the login lands (the 303), then where that page sends each kind of account.
LANDINGS = {
    "employeur-sans-entreprise": ("/entreprises/", "/entreprises/demande"),
    "demande-en-attente": ("/entreprises/", "/entreprises/mes-demandes"),
    "principal": ("/entreprises/", "/entreprises/mon-entreprise"),
    "affichage": ("/entreprises/", "/entreprises/mon-entreprise"),
    "finances": ("/entreprises/", "/entreprises/mon-entreprise"),
    "candidat": ("/membre/", None),
    "personnel": ("/moderation/", None),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with demo_site(tmp_path_factory.mktemp("demo")) as running:
        yield running


@pytest.mark.parametrize("visitor", list(VISITORS))
def test_every_link_of_the_demo_leads_somewhere(site: DemoSite, visitor: str) -> None:
    key = VISITORS[visitor]
    with httpx.Client(base_url=site.url, timeout=30) as client:
        start = ["/", "/styleguide"]
        if key is not None:
            landing = login(client, demo_email(key), site.password).headers["location"]
            first, then = LANDINGS[visitor]
            assert landing == first
            if then:
                assert client.get(landing).headers["location"] == then
            start = [landing, *start]
        report = crawl(client, start)
    assert report.broken == [], f"{visitor}: {report.broken}"
    assert len(report.pages) >= 5
    if visitor == "personnel":  # the staff pages, request and company pages included
        assert any(p.startswith("/moderation/demandes/") for p in report.pages)
        assert any(p.startswith("/moderation/entreprises/") for p in report.pages)
    if visitor == "principal":
        assert {"/entreprises/utilisateurs", "/entreprises/demandes", "/entreprises/mon-profil"} <= set(report.pages)
    if visitor == "personnel":  # the billing staff pages (catalog-billing, behind /moderation/facturation)
        assert any(p.startswith("/moderation/facturation/entreprises/") for p in report.pages)
        assert "/moderation/facturation/codes-promo" in report.pages
    if visitor == "candidat":  # the job seeker's space (mailer), the followed demo company's offers
        assert {"/membre/entreprises-suivies", "/membre/abonnements"} <= set(report.pages)
        assert any(p.startswith("/emplois/?entreprise=") for p in report.checked)
    if visitor in ("principal", "affichage", "finances"):  # every role reaches the group's records
        assert {"/employeur/forfaits/mes-forfaits", "/employeur/transactions"} <= set(report.pages)
        invoices = [p for p in report.pages if p.startswith("/employeur/transactions/")]
        assert invoices and all(report.checked[p + ".pdf"] == 200 for p in invoices)
    assert "/static/app.css" in report.checked and report.checked["/static/app.css"] == 200


def test_the_crawler_reports_a_dead_link(site: DemoSite, tmp_path: Path) -> None:
    """The check can fail: a page pointing nowhere is reported with the page that points there."""
    with httpx.Client(base_url=site.url, timeout=30) as client:
        report = crawl(client, ["/nulle-part-" + tmp_path.name])
    assert [status for status, _, _ in report.broken] == [404]
