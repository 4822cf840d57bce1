"""Issue 11, done means 1, 2 and 3, through the gateway of the distributed suite: the visitor's
side of the public job site, pages as a browser uses them (tests_e2e_support.Browser), the
mailer's emails in the SMTP sink, offers' clock moved by the tests (offers_support.OffersClock).

1. A visitor searches « ingenieure civile » (no accents) and finds the « Ingénieure civile » and
   « Ingénieur civil » offers (not the others), filters by region, opens an offer, clicks
   [Postuler] and is sent to the employer's URL; another offer takes applications by email: the
   application with its PDF CV reaches the employer's address, and the candidate a confirmation.
2. After its deadline an offer's [Postuler] is disabled (and its route says applications are
   closed); after expiry its page says so; a draft or an offer in validation is 404 by URL.
3. The JSON-LD of an offer page has schema.org JobPosting's required fields (parsed from the HTML).

The offers are written through offers' API by a principal·e and approved by staff through the
staff API (the wizard and the moderation pages have their own journeys: test_offers_journeys.py).
Anonymous pages may be micro-cached by the gateway for a few seconds: what a visitor should see
after a change is waited for, never assumed at once.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from offers_support import API, OffersClock, access_token, api_offer_body, employer_group
from portal_support import Registry, Staff, log_in, plain_text, text_of

from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser, forms_of, unique_email, wait_for_email

pytestmark = pytest.mark.e2e

OFFER_LINK = re.compile(r'href="/emplois/([0-9a-f-]{36})"')
#: The smallest PDF a reader opens: what a candidate's CV starts with is what offers checks.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


# --- offers written and approved through the API ----------------------------------------------------
@dataclass
class JobSite:
    suite: DistributedSuite
    group_id: str
    company_name: str
    token: str
    staff_token: str
    reference: dict[str, Any]
    #: The employer's inbox for the offers that take applications by email.
    employer_email: str

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.suite.gateway_url}{API}", timeout=20)

    def draft(self, title: str, *, deadline: date, workplace: dict[str, Any] | None = None,
              by_email: bool = False, apply_url: str = "", **content: Any) -> str:
        body = api_offer_body(self.reference, title, deadline)
        body["content"].update({"engineering_domains": ["civil"], "work_formula": "hybride",
                                "salary": "85 000 $ à 95 000 $", "workplace": workplace or {"kind": "outside_quebec"},
                                **content})
        body["config"].update(apply_method="email" if by_email else "url",
                              apply_to=self.employer_email if by_email else apply_url)
        with self.http() as http:
            made = http.post(f"/groups/{self.group_id}/offers", json=body, headers=self._bearer(self.token))
        assert made.status_code == 201, made.text
        return str(made.json()["id"])

    def submit(self, offer_id: str) -> None:
        with self.http() as http:
            sent = http.post(f"/offers/{offer_id}/submission", headers=self._bearer(self.token))
        assert sent.status_code == 200, sent.text

    def approve(self, offer_id: str) -> None:
        with self.http() as http:
            approved = http.post(f"/staff/offers/{offer_id}/approval", headers=self._bearer(self.staff_token))
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "published", approved.json()

    def publish(self, title: str, **options: Any) -> str:
        offer_id = self.draft(title, **options)
        self.submit(offer_id)
        self.approve(offer_id)
        return offer_id

    @staticmethod
    def _bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def jobsite(suite: DistributedSuite, registry: Registry, staff: Staff) -> Iterator[JobSite]:
    company = registry.take()
    with Browser(suite.gateway_url) as staff_browser:
        log_in(staff_browser, staff.email)
        principal, group = employer_group(suite, suite.mail_dir, staff_browser, company, "Rosalie", "Bergeron",
                                          credits={"ing": 10})
    # « Mon entreprise » saved once: what the offers show of the company (name, website, about).
    # A group never saved there has no branding event yet, so its offers show no company name.
    page = principal.browser.get("/entreprises/mon-entreprise")
    (form,) = [f for f in forms_of(page.text) if f["action"] == "/entreprises/mon-entreprise"]
    saved = principal.browser.post(form["action"], data={
        **form["fields"], "website": "https://www.genie-e2e.ca", "description_html_format": "html",
        "description_html": "<p>Une firme de génie-conseil en infrastructures.</p>"})
    assert saved.status_code == 303, text_of(saved.text)[:1500]
    principal.browser.close()
    reference = httpx.get(f"{suite.gateway_url}{API}/reference", timeout=10).json()
    yield JobSite(suite, group["group_id"], company.legal_name,
                  access_token(suite, principal.email), access_token(suite, staff.email), reference,
                  unique_email("recrutement"))


@dataclass
class CivilOffers:
    """The « Ingénieure civile » (Québec, apply by URL), the « Ingénieur civil » (Gatineau, apply
    by email) and a software engineer's offer in Québec (remote) that the search must not find."""

    civil_f: str
    civil_m: str
    software: str
    apply_url: str
    token: str


@pytest.fixture(scope="module")
def civil(jobsite: JobSite) -> CivilOffers:
    token = uuid.uuid4().hex[:6]
    deadline = date.today() + timedelta(days=40)
    apply_url = f"https://carrieres.example.ca/postuler/ponts-{token}"
    civil_f = jobsite.publish(
        f"Ingénieure civile – réfection de ponts {token}", deadline=deadline, apply_url=apply_url,
        workplace={"kind": "address", "street": "500, Grande Allée Est", "city": "quebec", "postal_code": "G1R 2J7"},
        title_en=f"Civil Engineer – Bridge Repair {token}",
    )
    civil_m = jobsite.publish(
        f"Ingénieur civil – réseaux municipaux {token}", deadline=deadline, by_email=True,
        workplace={"kind": "address", "street": "25, rue Laurier", "city": "gatineau", "postal_code": "J8X 4C8"},
    )
    software = jobsite.publish(
        f"Ingénieure en logiciel embarqué {token}", deadline=deadline, apply_url=apply_url,
        workplace={"kind": "places", "places": ["quebec"]}, work_formula="teletravail",
        engineering_domains=["logiciel"],
    )
    return CivilOffers(civil_f, civil_m, software, apply_url, token)


# --- what a visitor sees ------------------------------------------------------------------------------
def listed(visitor: Browser, **query: Any) -> list[str]:
    """The offer ids the list page `/emplois/` links to for this query string, in page order."""
    page = visitor.get("/emplois/", params=query)
    assert page.status_code == 200, (query, page.status_code, text_of(page.text)[:800])
    return list(dict.fromkeys(OFFER_LINK.findall(page.text)))


def shown_once(visitor: Browser, check: Any, what: str) -> Any:
    """Wait out the gateway's micro-cache of anonymous pages (a few seconds) for `check` to hold."""
    return wait_until(check, timeout=20, interval=0.5, message=what)


def search_api(**query: Any) -> str:
    return f"{API}/published-offers?{urlencode(query, doseq=True)}"


class _JsonLd(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._inside:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False


def job_postings(html: str) -> list[dict[str, Any]]:
    parser = _JsonLd()
    parser.feed(html)
    return [doc for doc in map(json.loads, parser.blocks) if doc.get("@type") == "JobPosting"]


def job_posting(html: str) -> dict[str, Any]:
    postings = job_postings(html)
    assert len(postings) == 1, postings
    return postings[0]


# --- done means 1 -------------------------------------------------------------------------------------
def test_a_visitor_searches_without_accents_filters_by_region_and_applies(jobsite: JobSite,
                                                                        civil: CivilOffers) -> None:
    suite = jobsite.suite
    with Browser(suite.gateway_url) as visitor:
        # « ingenieure civile » without accents finds both civil offers (stemming, unaccent), not the other.
        found = shown_once(
            visitor,
            lambda: (ids := listed(visitor, q="ingenieure civile"))
            and {civil.civil_f, civil.civil_m} <= set(ids) and ids,
            "the search never listed both civil offers",
        )
        assert civil.software not in found
        # The same search through the anonymous API: its total and the region facet's counts.
        answer = visitor.get(search_api(q="ingenieure civile"))
        assert answer.status_code == 200, answer.text[:500]
        body = answer.json()
        assert {civil.civil_f, civil.civil_m} <= {item["id"] for item in body["items"]}
        assert body["total"] >= 2
        regions = body["facets"]["region"]
        assert regions.get("03", 0) >= 1 and regions.get("07", 0) >= 1, regions

        # Filter by region (Capitale-Nationale, 03): the Gatineau offer goes; the facet still counts it.
        in_quebec = listed(visitor, q="ingenieure civile", region="03")
        assert civil.civil_f in in_quebec and civil.civil_m not in in_quebec
        filtered = visitor.get(search_api(q="ingenieure civile", region="03")).json()
        assert civil.civil_m not in {item["id"] for item in filtered["items"]}
        assert filtered["total"] < body["total"]
        assert filtered["facets"]["region"].get("07", 0) >= 1  # disjunctive: other regions keep their counts
        # The list page is a plain GET form: the region checkbox is there, and checked.
        page = visitor.get("/emplois/", params={"q": "ingenieure civile", "region": "03"})
        assert re.search(r'<input[^>]*name="region"[^>]*value="03"[^>]*checked', page.text) or re.search(
            r'<input[^>]*value="03"[^>]*name="region"[^>]*checked', page.text
        ), text_of(page.text)[:1500]
        # Unknown codes and a huge page are ignored or refused cleanly, never a 500.
        for query in ({"region": "99", "domaine": "nope"}, {"page": "100000"}, {"q": "x" * 500}):
            odd = visitor.get("/emplois/", params=query)
            assert odd.status_code < 500, (query, odd.status_code)

        # Open the offer; [Postuler] counts the click and sends the visitor to the employer's URL.
        offer_page = visitor.get(f"/emplois/{civil.civil_f}")
        assert offer_page.status_code == 200
        assert f"Ingénieure civile – réfection de ponts {civil.token}" in text_of(offer_page.text)
        assert f'href="/emplois/{civil.civil_f}/postuler"' in offer_page.text
        apply = visitor.get(f"/emplois/{civil.civil_f}/postuler")
        assert apply.status_code == 302, (apply.status_code, text_of(apply.text)[:500])
        assert apply.headers["location"] == civil.apply_url

        # The other offer takes applications by email: its address never shows; the form does.
        by_email = visitor.get(f"/emplois/{civil.civil_m}")
        assert by_email.status_code == 200
        assert jobsite.employer_email not in by_email.text
        form_path = f"/emplois/{civil.civil_m}/candidature"
        assert f'href="/emplois/{civil.civil_m}/postuler"' in by_email.text or f'href="{form_path}"' in by_email.text
        redirected = visitor.get(f"/emplois/{civil.civil_m}/postuler")
        assert redirected.status_code == 302 and redirected.headers["location"].endswith(form_path)
        form_page = visitor.get(form_path)
        assert form_page.status_code == 200, text_of(form_page.text)[:800]
        assert jobsite.employer_email not in form_page.text
        (form,) = [f for f in forms_of(form_page.text) if f["action"] == form_path]
        candidate = unique_email("candidat")
        message = "Bonjour,\nJe suis ingénieure civile depuis huit ans. <script>alert(1)</script>\nMerci !"
        sent = visitor.post(
            form_path,
            data={**form["fields"], "name": "Amélie Gagnon", "email": candidate, "phone": "514 555-0199",
                  "message": message, "consent": "oui", "website_url": ""},
            files={"cv": ("CV Amélie Gagnon.pdf", PDF, "application/pdf")},
        )
        assert sent.status_code == 303, (sent.status_code, text_of(sent.text)[:1500])
        assert sent.headers["location"].endswith(f"{form_path}/envoyee")
        assert visitor.get(sent.headers["location"]).status_code == 200

    # The employer's email: to the offer's address, Reply-To the candidate, the PDF attached as sent.
    to_employer = wait_for_email(suite.mail_dir, jobsite.employer_email, timeout=40)
    assert candidate in str(to_employer["Reply-To"])
    attachments = list(to_employer.iter_attachments())
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_content() == PDF
    body_text = plain_text(to_employer)
    assert "Amélie Gagnon" in body_text and "huit ans" in body_text and "514 555-0199" in body_text
    html_part = to_employer.get_body(preferencelist=("html",))
    if html_part is not None:
        assert "<script>alert(1)</script>" not in html_part.get_content()  # the message is text, never HTML
    # The candidate's confirmation: the offer's title, no attachment.
    confirmation = wait_for_email(suite.mail_dir, candidate, timeout=40)
    assert f"Ingénieur civil – réseaux municipaux {civil.token}" in plain_text(confirmation)
    assert not list(confirmation.iter_attachments())


# --- done means 3 -------------------------------------------------------------------------------------
def test_the_offer_page_carries_a_job_posting_with_the_required_fields(jobsite: JobSite,
                                                                      civil: CivilOffers) -> None:
    with Browser(jobsite.suite.gateway_url) as visitor:

        def branded() -> dict[str, Any] | None:
            page = visitor.get(f"/emplois/{civil.civil_f}")
            assert page.status_code == 200
            found = job_postings(page.text)  # none until offers knows the company (no nameless employer)
            return found[0] if found and found[0]["hiringOrganization"].get("name") else None

        # offers learns the company's name from company-portal's event (and the page is micro-cached).
        posting = shown_once(visitor, branded, "the JobPosting never named the hiring organization")
        remote = job_posting(visitor.get(f"/emplois/{civil.software}").text)
    assert posting["@context"] in ("https://schema.org", "https://schema.org/", "http://schema.org")
    # Google's required fields.
    assert posting["title"] == f"Ingénieure civile – réfection de ponts {civil.token}"
    assert "ponts" in posting["description"] or "Raison" in posting["description"]
    assert date.fromisoformat(str(posting["datePosted"])[:10]) <= date.today() + timedelta(days=1)
    organization = posting["hiringOrganization"]
    assert organization["@type"] == "Organization" and organization["name"] == jobsite.company_name
    assert organization.get("sameAs") == "https://www.genie-e2e.ca"
    location = posting["jobLocation"]
    location = location[0] if isinstance(location, list) else location
    assert location["@type"] == "Place"
    address = location["address"]
    assert address["@type"] == "PostalAddress"
    assert address["addressRegion"] in ("QC", "Québec", "Quebec")
    assert address["addressCountry"] in ("CA", "Canada")
    assert address.get("postalCode") == "G1R 2J7" and address.get("addressLocality") in ("Québec", "Quebec")
    # Recommended fields.
    deadline = date.fromisoformat(str(posting["validThrough"])[:10])
    assert date.today() < deadline <= date.today() + timedelta(days=41)
    assert posting["employmentType"]
    assert posting["identifier"]["value"] == civil.civil_f or civil.civil_f in json.dumps(posting["identifier"])
    assert posting.get("directApply") is False  # applying by URL happens on the employer's site
    # The remote offer: a TELECOMMUTE job, with where applicants may live instead of a place.
    assert remote["title"].startswith("Ingénieure en logiciel embarqué")
    if "jobLocation" not in remote:
        assert remote["jobLocationType"] == "TELECOMMUTE"
        assert remote["applicantLocationRequirements"]


# --- done means 2 -------------------------------------------------------------------------------------
def test_deadline_expiry_and_offers_that_are_not_public(jobsite: JobSite, offers_clock: OffersClock) -> None:
    token = uuid.uuid4().hex[:6]
    today = offers_clock.today()
    url = f"https://carrieres.example.ca/postuler/echeance-{token}"
    closing = jobsite.publish(f"Ingénieure en géotechnique – échéance {token}", deadline=today, apply_url=url)
    by_email = jobsite.publish(f"Ingénieur en transport – échéance {token}", deadline=today, by_email=True)
    draft = jobsite.draft(f"Brouillon {token}", deadline=today + timedelta(days=30), apply_url=url)
    in_validation = jobsite.draft(f"En validation {token}", deadline=today + timedelta(days=30), apply_url=url)
    jobsite.submit(in_validation)

    with Browser(jobsite.suite.gateway_url) as visitor:
        # Not public: a draft and an offer in validation are 404 by URL, page and API alike.
        for offer_id in (draft, in_validation):
            for path in (f"/emplois/{offer_id}", f"/emplois/{offer_id}/postuler", f"/emplois/{offer_id}/candidature",
                         f"{API}/published-offers/{offer_id}"):
                assert visitor.get(path).status_code == 404, path
        assert f'href="/emplois/{closing}/postuler"' in visitor.get(f"/emplois/{closing}").text

        # Two days later its deadline has passed; it is still online, [Postuler] is disabled.
        offers_clock.advance(days=2)

        def closed() -> str | None:
            page = visitor.get(f"/emplois/{closing}")
            assert page.status_code == 200, page.status_code
            return page.text if f'href="/emplois/{closing}/postuler"' not in page.text else None

        page = shown_once(visitor, closed, "[Postuler] stays a link after the deadline")
        button = re.search(r"<(button|a)\b[^>]*\b(disabled|aria-disabled=\"true\")[^>]*>(.*?)</\1>", page, re.S)
        assert button and "Postuler" in text_of(button.group(3)), text_of(page)[:2000]
        assert "date limite" in text_of(page).lower()
        for path in (f"/emplois/{closing}/postuler", f"/emplois/{by_email}/postuler",
                     f"/emplois/{by_email}/candidature"):
            answer = visitor.get(path)
            assert answer.status_code in (200, 410), (path, answer.status_code)  # a page, not a redirect
            assert url not in answer.headers.get("location", "")
            assert "date limite" in text_of(answer.text).lower() or "ferm" in text_of(answer.text).lower()

        # After 30 days of publication: expired; the page says so (and is not indexed), never a 404.
        offers_clock.advance(days=30)

        def expired() -> str | None:
            page = visitor.get(f"/emplois/{closing}")
            assert page.status_code != 404 and page.status_code < 500, page.status_code
            return page.text if "expir" in text_of(page.text).lower() else None

        page = wait_until(expired, timeout=60, interval=0.5, message="the offer's page never said it expired")
        assert re.search(r'<meta[^>]*name="robots"[^>]*noindex', page), "an expired offer's page is not indexed"
        assert f'href="/emplois/{closing}/postuler"' not in page
        assert visitor.get(f"{API}/published-offers/{closing}").status_code == 404
        assert closing not in listed(visitor, q=f"échéance {token}")
