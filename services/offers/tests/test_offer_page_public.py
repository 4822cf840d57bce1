"""[offer page] The public offer page /emplois/<id> and [Postuler] (/emplois/<id>/postuler) through
the Flask test client on SQLite with a fixed clock (pages_testkit): the company's « À propos » and
website, sharing, the English version, following the company, the canonical link, the JSON-LD
JobPosting parsed back from the HTML, what is not public (404), the expired page (410, noindex,
similar offers), the application deadline, and the apply clicks."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from pages_testkit import CSRF, GROUP, Site, headers, make_site
from sqlalchemy import delete, func, select, update

from offers.adapters.orm import company_brandings
from offers.adapters.orm import offers as offers_table
from offers.adapters.orm_clicks import offer_apply_clicks
from offers.domain.offer import Workplace
from offers.service_layer import commands as c

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PUBLIC_URL = "http://127.0.0.1:8080"  # Settings' default PUBLIC_URL


@pytest.fixture
def site(tmp_path: Path) -> Site:
    found = make_site(tmp_path)
    for credit_type in ("ing", "vedette"):
        found.bank.grant(GROUP, credit_type, 10)
    yield found
    found.bundle.runtime.engine.dispose()


def brand(site: Site, version: int, **changes: Any) -> None:
    """company-portal's branding of the testkit's group, as the consumer records it."""
    fields = {
        "group_id": GROUP, "company_id": GROUP, "group_name": "Groupe 001", "company_name": "Génivert inc.",
        "logo_url": "/entreprises/logos/g/abc.png", "changed_at": site.clock.now(),
        "description_html": "<p>Firme de <strong>génie-conseil</strong>.</p><script>alert(1)</script>",
        "website": "https://genivert.ca", "version": version,
    }  # fmt: skip
    site.bus.handle(c.RecordCompanyBranding(**{**fields, **changes}))


def page(site: Site, offer_id: str, lang: str | None = None) -> str:
    site.language(lang)
    response = site.client.get(f"/emplois/{offer_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def job_posting(html: str) -> dict[str, Any]:
    [raw] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(raw)


def clicks(site: Site, offer_id: str) -> int:
    with site.bundle.runtime.engine.connect() as connection:
        return connection.execute(
            select(func.count()).select_from(offer_apply_clicks).where(offer_apply_clicks.c.offer_id == offer_id)
        ).scalar_one()


def postuler(site: Site, offer_id: str, address: str = "203.0.113.7", agent: str = BROWSER) -> Any:
    return site.client.get(f"/emplois/{offer_id}/postuler", headers={"X-Forwarded-For": address, "User-Agent": agent})


# The company ---------------------------------------------------------------------------------
def test_the_page_shows_the_companys_about_sanitized_and_its_website(site: Site) -> None:
    brand(site, 1)
    live = site.published()
    html = page(site, live)
    about = html.split('id="about-title"')[1].split("</section>")[0]
    assert "À propos de l'entreprise" in html
    assert "<strong>génie-conseil</strong>" in about and "<script>" not in about and "alert(1)" not in about
    assert 'href="https://genivert.ca" target="_blank" rel="noopener noreferrer" id="company-website"' in about
    brand(site, 2, website="javascript:alert(1)", description_html="")  # never a link but http(s)
    html = page(site, live)
    assert 'id="company-website"' not in html and "javascript:" not in html


def test_a_late_older_branding_change_is_ignored_and_a_snapshot_of_the_same_version_applies(site: Site) -> None:
    brand(site, 3, company_name="Génivert Solutions inc.")
    brand(site, 2, company_name="Ancien nom")  # late, older
    live = site.published()
    assert "Génivert Solutions inc." in page(site, live) and "Ancien nom" not in page(site, live)
    site.bus.handle(c.RecordCompanyBranding(
        GROUP, GROUP, "Groupe 001", "Génivert Solutions inc.", None, site.clock.now(),
        "<p>Rafraîchi</p>", "https://genivert.ca", 3, snapshot=True))  # fmt: skip
    assert "Rafraîchi" in page(site, live)


# Sharing, language, following ------------------------------------------------------------------
def test_share_links_email_linkedin_facebook_and_copy_without_inline_script(site: Site) -> None:
    live = site.published()
    html = page(site, live)
    url = f"{PUBLIC_URL}/emplois/{live}"
    share = html.split('id="offer-share"')[1].split("</section>")[0]
    mailto = unescape(re.search(r'href="(mailto:[^"]+)" id="share-email"', share).group(1))
    query = parse_qs(urlsplit(mailto).query)
    assert query["subject"] == ["Ingénieur·e en structures — Génivert inc."] and url in query["body"][0]
    linkedin = unescape(re.search(r'href="([^"]+)"[^>]*id="share-linkedin"', share).group(1))
    assert linkedin.startswith("https://www.linkedin.com/sharing/share-offsite/?url=")
    assert unquote(linkedin.split("url=")[1]) == url
    facebook = unescape(re.search(r'href="([^"]+)"[^>]*id="share-facebook"', share).group(1))
    assert facebook.startswith("https://www.facebook.com/sharer/sharer.php?u=") and unquote(facebook[45:]) == url
    # "Copier le lien": a plain link to the page; copy-link.js (a file, the CSP allows no inline script)
    assert f'<a href="{url}" data-copy-link' in share
    assert '<script src="/static/copy-link.js" defer></script>' in html
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert scripts == [' type="application/ld+json"']
    assert f'<link rel="canonical" href="{url}">' in html and 'name="robots"' not in html


def test_the_english_version_is_linked_through_the_sites_language_switch(site: Site) -> None:
    live = site.published()
    html = page(site, live)
    assert f'href="/langue/en?next=/emplois/{live}"' in html and 'id="english-version"' in html
    english = page(site, live, lang="en")
    assert "Structural engineer" in english and 'id="english-version"' not in english
    assert "Share this offer" in english and "Copy the link" in english and "Follow this company" in english
    french_only = site.published({"title_en": "", "description_en": ""})
    assert 'id="english-version"' not in page(site, french_only, lang="fr")


def test_follow_this_company_posts_to_the_members_space_or_asks_to_sign_in(site: Site) -> None:
    live = site.published()
    anonymous = page(site, live)
    assert f'href="/compte/connexion?next=/emplois/{live}" role="button"' in anonymous
    assert 'id="follow-form"' not in anonymous and "csrf" not in anonymous
    response = site.client.get(f"/emplois/{live}")
    assert response.headers["Cache-Control"].startswith("public, s-maxage=")  # still micro-cacheable
    member = site.client.get(f"/emplois/{live}", headers=headers(str(uuid.UUID(int=777)), "member"))
    form = member.get_data(as_text=True).split('id="follow-form"')[1].split("</form>")[0]
    assert 'method="post" action="/membre/entreprises-suivies"' in member.get_data(as_text=True)
    assert f'name="csrf_token" value="{CSRF}"' in form and f'name="company_id" value="{GROUP}"' in form
    assert f'name="next" value="/emplois/{live}"' in form and 'name="action" value="follow"' in form
    assert member.headers["Cache-Control"] == "no-store"


# JSON-LD -----------------------------------------------------------------------------------------
def test_the_json_ld_job_posting_has_every_required_field(site: Site) -> None:
    brand(site, 1)
    live = site.published({"salary": "85 000 $ à 95 000 $ par année", "reference_number": "GV-042"})
    posting = job_posting(page(site, live))
    assert posting["@context"] == "https://schema.org/" and posting["@type"] == "JobPosting"
    assert posting["title"] == "Ingénieur·e en structures"
    assert "<strong>Raison d'être</strong>" in posting["description"]
    assert posting["datePosted"] == "2026-11-02T15:00:00Z"
    organization = posting["hiringOrganization"]
    assert organization == {
        "@type": "Organization", "name": "Génivert inc.", "sameAs": "https://genivert.ca",
        "logo": f"{PUBLIC_URL}/entreprises/logos/g/abc.png",
    }  # fmt: skip
    [place] = posting["jobLocation"]
    assert place["@type"] == "Place" and place["address"] == {
        "@type": "PostalAddress", "streetAddress": "1200, rue Saint-Denis", "addressLocality": "Montréal",
        "postalCode": "H2X 3J6", "addressRegion": "QC", "addressCountry": "CA",
    }  # fmt: skip
    # recommended
    assert posting["validThrough"] == "2026-12-02T05:00:00Z"  # end of publication (30 days) before the deadline
    assert posting["employmentType"] == ["FULL_TIME"]
    assert posting["identifier"] == {"@type": "PropertyValue", "name": "Génivert inc.", "value": live}
    assert posting["directApply"] is False
    assert posting["baseSalary"] == {
        "@type": "MonetaryAmount", "currency": "CAD",
        "value": {"@type": "QuantitativeValue", "minValue": 85000, "maxValue": 95000, "unitText": "YEAR"},
    }  # fmt: skip
    assert posting["url"] == f"{PUBLIC_URL}/emplois/{live}"


def test_full_remote_work_is_a_telecommute_posting_and_a_vague_salary_is_left_out(site: Site) -> None:
    remote = site.published(
        {"work_formula": "teletravail", "salary": "Selon l'expérience", "employment_type": "contractuel"},
        apply_method="email",
        apply_to="rh@genivert.ca",
    )
    html = page(site, remote)
    posting = job_posting(html)
    assert posting["jobLocationType"] == "TELECOMMUTE"
    assert posting["applicantLocationRequirements"] == {"@type": "State", "name": "Québec"}
    assert "baseSalary" not in posting and posting["employmentType"] == ["FULL_TIME", "CONTRACTOR"]
    assert posting["directApply"] is True and "rh@genivert.ca" not in html  # the address is never in the page


def test_the_json_ld_cannot_close_its_script_element(site: Site) -> None:
    live = site.published({"title_fr": "Ingénieur·e </script><script>alert(1)</script>"})
    html = page(site, live)
    assert "<script>alert(1)" not in html
    assert job_posting(html)["title"] == "Ingénieur·e </script><script>alert(1)</script>"


def test_no_job_posting_until_the_company_is_known(site: Site) -> None:
    live = site.published()
    with site.bundle.runtime.engine.begin() as connection:
        connection.execute(delete(company_brandings))
    html = page(site, live)
    assert "application/ld+json" not in html and "Ingénieur·e en structures" in html
    assert 'id="follow"' not in html  # no company to follow either


# What is not public ----------------------------------------------------------------------------
def test_a_draft_an_offer_in_validation_and_a_scheduled_one_are_404(site: Site) -> None:
    draft = site.draft()
    waiting = site.draft()
    site.bus.handle(c.SubmitOffer(waiting, site.caller()))
    scheduled = site.published(posting=date(2026, 11, 16))
    assert site.status(scheduled) == "scheduled"
    for offer_id in (draft, waiting, scheduled, str(uuid.uuid4()), "not-an-id"):
        assert site.client.get(f"/emplois/{offer_id}").status_code == 404, offer_id
        assert site.client.get(f"/emplois/{offer_id}/postuler").status_code == 404, offer_id
    site.bus.handle(c.EndPublication(scheduled, site.caller()))  # ended before it was ever public
    site.clock.advance(days=20)
    assert site.client.get(f"/emplois/{scheduled}").status_code == 404


def test_an_expired_offer_says_so_with_similar_offers_and_is_not_indexed(site: Site) -> None:
    live = site.published()  # civil, Montréal
    site.clock.advance(days=20)
    other = site.published({"title_fr": "Ingénieure civile", "title_en": "Civil engineer"})
    site.published({"title_fr": "Ingénieur électrique", "engineering_domains": ("electrique",),
                    "workplace": Workplace("places", places=("02",))})  # fmt: skip
    site.clock.advance(days=11)  # `live` expired (30 days), the others are online
    response = site.client.get(f"/emplois/{live}")
    html = response.get_data(as_text=True)
    assert response.status_code == 410 and "Cette offre est expirée" in html
    assert '<meta name="robots" content="noindex">' in html and "application/ld+json" not in html
    assert "Ingénieur·e en structures" in html and "Raison d'être" not in html  # title only, no description
    similar = html.split('id="similar-offers"')[1].split("</section>")[0]
    assert f'href="/emplois/{other}">Ingénieure civile</a>' in similar and "électrique" not in similar
    site.language("en")
    english = site.client.get(f"/emplois/{live}").get_data(as_text=True)
    assert "This offer has expired" in english and ">Civil engineer</a>" in english
    assert site.client.get(f"/emplois/{live}/postuler").status_code == 404


def test_an_ended_or_archived_offer_gets_the_same_expired_page(site: Site) -> None:
    live = site.published()
    site.bus.handle(c.EndPublication(live, site.caller()))
    response = site.client.get(f"/emplois/{live}")
    assert response.status_code == 410 and "Aucune offre semblable" in response.get_data(as_text=True)
    site.bus.handle(c.ArchiveOffer(live, site.caller()))
    assert site.status(live) == "archived"
    response = site.client.get(f"/emplois/{live}")
    assert response.status_code == 410 and "Cette offre est expirée" in response.get_data(as_text=True)


# The deadline and [Postuler] -------------------------------------------------------------------
def test_after_the_deadline_postuler_is_disabled_and_the_redirect_says_closed(site: Site) -> None:
    live = site.published({"application_deadline": date(2026, 11, 20)})
    assert f'href="/emplois/{live}/postuler" role="button"' in page(site, live)
    site.clock.advance(days=19)  # 21 November: the deadline has passed, the offer is still online
    html = page(site, live)
    assert '<button type="button" disabled aria-describedby="apply-closed" id="apply">' in html
    assert "La date limite pour postuler est passée." in html and f"/emplois/{live}/postuler" not in html
    response = postuler(site, live)
    closed = response.get_data(as_text=True)
    assert response.status_code == 200 and "Les candidatures sont fermées" in closed
    assert '<meta name="robots" content="noindex">' in closed and response.headers["Cache-Control"] == "no-store"
    assert clicks(site, live) == 0


def test_postuler_counts_one_click_per_visitor_and_day_and_none_for_bots(site: Site) -> None:
    live = site.published()
    response = postuler(site, live)
    assert response.status_code == 302 and response.location == "https://genivert.ca/emplois"
    assert response.headers["Cache-Control"] == "no-store"
    assert clicks(site, live) == 1
    postuler(site, live)
    assert clicks(site, live) == 1  # the same visitor the same day
    postuler(site, live, address="198.51.100.4")
    assert clicks(site, live) == 2  # another visitor
    for bot in ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                "facebookexternalhit/1.1", "curl/8.5.0", ""):  # fmt: skip
        response = postuler(site, live, address="192.0.2.55", agent=bot)
        assert response.status_code == 302 and response.location == "https://genivert.ca/emplois", bot
    assert clicks(site, live) == 2
    site.clock.advance(days=1)
    postuler(site, live)
    assert clicks(site, live) == 3  # the next day counts again
    with site.bundle.runtime.engine.connect() as connection:
        visitors = connection.execute(select(offer_apply_clicks.c.visitor)).scalars().all()
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in visitors) and "203.0.113.7" not in str(visitors)


def test_postuler_goes_only_to_the_stored_url_and_an_email_offer_to_the_form(site: Site) -> None:
    live = site.published(apply_to="https://carrieres.genivert.ca/postes/42?source=oiq")
    response = site.client.get(
        f"/emplois/{live}/postuler?next=https://evil.example/&url=//evil.example", headers={"User-Agent": BROWSER}
    )
    assert response.status_code == 302 and response.location == "https://carrieres.genivert.ca/postes/42?source=oiq"
    by_email = site.published(apply_method="email", apply_to="rh@genivert.ca")
    assert f'href="/emplois/{by_email}/candidature" role="button"' in page(site, by_email)
    response = postuler(site, by_email)
    assert response.status_code == 302 and response.location == f"/emplois/{by_email}/candidature"
    assert clicks(site, by_email) == 0
    # a stored address that is not http(s) (never saved by the domain; here written behind its back)
    with site.bundle.runtime.engine.begin() as connection:
        config = connection.execute(select(offers_table.c.config).where(offers_table.c.id == live)).scalar_one()
        connection.execute(
            update(offers_table).where(offers_table.c.id == live)
            .values(config={**config, "apply_to": "javascript:alert(1)"})
        )  # fmt: skip
    response = postuler(site, live)
    assert response.status_code == 404 and "Location" not in response.headers


def test_a_head_request_is_not_counted(site: Site) -> None:
    live = site.published()
    response = site.client.head(f"/emplois/{live}/postuler", headers={"User-Agent": BROWSER})
    assert response.status_code == 302 and clicks(site, live) == 0
