"""Applying by email through the job site's form (issue 11, docs/jobsite-design.md "Applying by
email"): /emplois/<id>/candidature on the offers pages app, as the gateway forwards it (CSRF token
checked there and echoed here, the client's address in X-Forwarded-For), the event in the outbox,
the CV blanked by the relay once published; hostile applications refused with their messages."""

from __future__ import annotations

import base64
import html as html_module
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from api_testkit import outbox
from pages_testkit import CSRF, GROUP, Site, make_site

from offers.entrypoints import web_application
from plumbing.events.envelope import Envelope

EVENT = "offers.application.submitted"
EMPLOYER_ADDRESS = "rh@genivert.ca"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    web_application.configure_limits()  # fresh in-memory limits for each test
    found = make_site(tmp_path)
    found.bank.grant(GROUP, "ing", 10)
    yield found
    found.bundle.runtime.engine.dispose()
    web_application.configure_limits()


def email_offer(site: Site, deadline: date = date(2026, 11, 30)) -> str:
    return site.published({"application_deadline": deadline}, apply_method="email", apply_to=EMPLOYER_ADDRESS)


def visitor_headers(ip: str = "203.0.113.7") -> dict[str, str]:
    """What the gateway forwards for an anonymous visitor: the CSRF token, the client's address."""
    return {"X-CSRF-Token": CSRF, "X-Forwarded-For": ip}


def fields(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "csrf_token": CSRF,
        "name": "Camille Bouchard",
        "email": "camille.bouchard@exemple.ca",
        "phone": "514 555-0199",
        "message": "Bonjour,\nJe suis ingénieure civile et ce poste m'intéresse.",
        "consent": "oui",
        "website_url": "",
        "cv": (io.BytesIO(PDF), "Camille Bouchard CV.pdf"),
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def apply(site: Site, offer_id: str, data: Mapping[str, Any] | None = None, ip: str = "203.0.113.7",
          lang: str | None = None, **changes: Any) -> Any:
    site.language(lang)
    return site.client.post(
        f"/emplois/{offer_id}/candidature",
        data=dict(data) if data is not None else fields(**changes),
        headers=visitor_headers(ip),
        content_type="multipart/form-data",
    )


def events(site: Site) -> list[Envelope]:
    return outbox(site.bundle, EVENT)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</small>', html, re.S)
    assert found, f"no error for {field}"
    return html_module.unescape(found.group(1))


# the form and what it sends -----------------------------------------------------------------------
def test_the_form_has_every_field_the_csrf_token_and_the_honeypot(site: Site) -> None:
    offer_id = email_offer(site)
    page = site.client.get(f"/emplois/{offer_id}/candidature", headers=visitor_headers())
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="/emplois/{offer_id}/candidature"' in html and 'enctype="multipart/form-data"' in html
    assert f'name="csrf_token" value="{CSRF}"' in html
    for name in ("name", "email", "phone", "message", "cv", "consent", "website_url"):
        assert f'name="{name}"' in html, name
    assert "Ingénieur·e en structures" in html and "Génivert inc." in html
    assert EMPLOYER_ADDRESS not in html  # the employer's address is never in the page
    assert "no-store" in page.headers.get("Cache-Control", "no-store") or "public" not in page.headers.get(
        "Cache-Control", ""
    )


def test_a_pdf_application_emits_the_event_with_the_offers_address_and_the_cv(site: Site) -> None:
    offer_id = email_offer(site)
    # A "to" in the form is ignored: the address is the offer's, read on the server.
    sent = apply(site, offer_id, to="attacker@evil.example", **{})
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"/emplois/{offer_id}/candidature/envoyee")
    [event] = events(site)
    data = event.data
    assert data["to"] == EMPLOYER_ADDRESS
    assert data["offer_id"] == offer_id and data["offer_title"] == "Ingénieur·e en structures"
    assert data["company_name"] == "Génivert inc."
    assert data["offer_url"].endswith(f"/emplois/{offer_id}")
    assert data["candidate"] == {"name": "Camille Bouchard", "email": "camille.bouchard@exemple.ca",
                                 "phone": "514 555-0199"}
    assert data["message"] == "Bonjour,\nJe suis ingénieure civile et ce poste m'intéresse."
    assert data["locale"] == "fr"
    assert data["cv"]["filename"] == "Camille Bouchard CV.pdf"
    assert data["cv"]["content_type"] == "application/pdf" and data["cv"]["size"] == len(PDF)
    assert base64.b64decode(data["cv"]["content_base64"]) == PDF
    confirmation = site.client.get(sent.headers["Location"], headers=visitor_headers())
    assert confirmation.status_code == 200
    assert "Votre candidature est envoyée" in confirmation.get_data(as_text=True)


def test_a_docx_application_in_english(site: Site) -> None:
    offer_id = email_offer(site)
    docx = docx_bytes()
    sent = apply(site, offer_id, lang="en", cv=(io.BytesIO(docx), "resume.DOCX"), phone="")
    assert sent.status_code == 303
    [event] = events(site)
    assert event.data["locale"] == "en" and event.data["offer_title"] == "Structural engineer"
    assert event.data["cv"]["content_type"] == DOCX_TYPE and event.data["candidate"]["phone"] == ""
    assert base64.b64decode(event.data["cv"]["content_base64"]) == docx


def test_the_relay_blanks_the_cv_in_the_outbox_once_published(site: Site) -> None:
    offer_id = email_offer(site)
    assert apply(site, offer_id).status_code == 303
    published: list[dict[str, Any]] = []

    class Broker:
        def publish(self, envelope: Envelope, body: bytes, headers: Mapping[str, Any]) -> None:
            published.append(envelope.data)

        def close(self) -> None:
            return None

    site.bundle.runtime.relay(Broker()).publish_pending()
    [sent] = [d for d in published if "cv" in d]
    assert base64.b64decode(sent["cv"]["content_base64"]) == PDF  # the broker got the CV
    [stored] = events(site)
    assert stored.data["cv"]["content_base64"] == ""  # offers keeps nothing of it
    assert stored.data["cv"]["filename"] == "Camille Bouchard CV.pdf"


# hostile or wrong applications ----------------------------------------------------------------------
def test_an_exe_renamed_pdf_is_refused_and_what_was_typed_is_kept(site: Site) -> None:
    offer_id = email_offer(site)
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
    refused = apply(site, offer_id, cv=(io.BytesIO(exe), "cv.pdf"))
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "n'est pas celui d'un PDF" in field_error(html, "cv")
    assert 'value="Camille Bouchard"' in html and 'value="camille.bouchard@exemple.ca"' in html
    assert "ce poste m&#39;intéresse" in html and 'id="file-lost"' in html
    assert events(site) == []
    english = apply(site, offer_id, lang="en", cv=(io.BytesIO(exe), "cv.pdf"))
    assert "is not a PDF" in field_error(english.get_data(as_text=True), "cv")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((io.BytesIO(PDF), "cv.docx"), "n'est pas celui d'un document Word"),  # a PDF named .docx
        ((io.BytesIO(docx_bytes()), "cv.pdf"), "n'est pas celui d'un PDF"),
        ((io.BytesIO(b"PK\x03\x04not really a zip"), "cv.docx"), "n'est pas celui d'un document Word"),
        ((io.BytesIO(PDF), "cv.exe"), "PDF (.pdf) ou Word (.docx)"),
        ((io.BytesIO(b""), "cv.pdf"), "vide"),
        ((io.BytesIO(b""), ""), "Joignez votre CV"),
    ],
)
def test_a_cv_is_checked_by_its_content_and_extension(site: Site, upload: Any, message: str) -> None:
    offer_id = email_offer(site)
    refused = apply(site, offer_id, cv=upload)
    assert refused.status_code == 422
    assert message in field_error(refused.get_data(as_text=True), "cv")
    assert events(site) == []


def test_a_cv_over_5_mb_gets_its_message_beside_the_field(site: Site) -> None:
    offer_id = email_offer(site)
    big = PDF + b"0" * (6 * 1024 * 1024)  # 6 MB: within what the route reads, over the CV's limit
    refused = apply(site, offer_id, cv=(io.BytesIO(big), "cv.pdf"))
    assert refused.status_code == 422
    assert "dépasse 5 Mo" in field_error(refused.get_data(as_text=True), "cv")
    assert events(site) == []


def test_a_50_mb_upload_is_refused_with_a_413_page_before_it_is_read(site: Site) -> None:
    offer_id = email_offer(site)
    huge = PDF + b"0" * (50 * 1024 * 1024)
    refused = apply(site, offer_id, cv=(io.BytesIO(huge), "cv.pdf"))
    assert refused.status_code == 413
    html = refused.get_data(as_text=True)
    assert "Envoi trop volumineux" in html and "5 Mo au plus" in html
    assert f'href="/emplois/{offer_id}/candidature"' in html
    assert events(site) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"consent": None}, "consent", "Acceptez que votre candidature"),
        ({"email": "camille.exemple.ca"}, "email", "adresse courriel valide"),
        ({"email": ""}, "email", "obligatoire"),
        ({"name": "  "}, "name", "obligatoire"),
        ({"name": "x" * 101}, "name", "Au plus 100"),
        ({"message": ""}, "message", "obligatoire"),
        ({"message": "m" * 5001}, "message", "Au plus 5000"),
        ({"phone": "call me maybe"}, "phone", "numéro de téléphone"),
    ],
)
def test_each_field_is_checked_with_its_message(site: Site, changes: dict[str, Any], field: str, message: str) -> None:
    offer_id = email_offer(site)
    refused = apply(site, offer_id, **changes)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert message in field_error(html, field)
    assert "corrigez les champs indiqués" in html
    assert events(site) == []


def test_a_missing_consent_in_english(site: Site) -> None:
    offer_id = email_offer(site)
    refused = apply(site, offer_id, lang="en", consent=None)
    assert "Agree to your application" in field_error(refused.get_data(as_text=True), "consent")


def test_a_script_in_the_message_is_text_never_html(site: Site) -> None:
    offer_id = email_offer(site)
    script = "Bonjour <script>alert('x')</script> <b>gras</b>"
    shown = apply(site, offer_id, message=script, consent=None)  # the page shows it back
    html = shown.get_data(as_text=True)
    assert "<script>alert" not in html and "<b>gras" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert apply(site, offer_id, message=script).status_code == 303
    [event] = events(site)
    assert event.data["message"] == script  # plain text as typed: the mailer escapes it in HTML


def test_a_flood_from_one_ip_is_refused_with_a_message(site: Site) -> None:
    offer_id = email_offer(site)
    for n in range(5):
        assert apply(site, offer_id, email=f"candidat{n}@exemple.ca").status_code == 303
    refused = apply(site, offer_id, email="candidat9@exemple.ca")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Trop de candidatures" in html and 'value="candidat9@exemple.ca"' in html
    assert len(events(site)) == 5
    assert apply(site, offer_id, email="candidat9@exemple.ca", ip="198.51.100.4").status_code == 303


def test_one_address_applies_at_most_3_times_a_day_to_an_offer(site: Site) -> None:
    offer_id = email_offer(site)
    for n in range(3):
        assert apply(site, offer_id, ip=f"198.51.100.{n + 1}").status_code == 303
    refused = apply(site, offer_id, ip="198.51.100.50", email="Camille.Bouchard@exemple.ca", lang="en")
    assert refused.status_code == 429
    assert "Too many applications" in refused.get_data(as_text=True)
    assert len(events(site)) == 3


def test_the_honeypot_is_refused_quietly(site: Site) -> None:
    offer_id = email_offer(site)
    robot = apply(site, offer_id, website_url="https://spam.example")
    assert robot.status_code == 303 and robot.headers["Location"].endswith("/candidature/envoyee")
    assert events(site) == []


# offers without a form ---------------------------------------------------------------------------------
def test_after_the_deadline_the_form_says_applications_are_closed(site: Site) -> None:
    offer_id = email_offer(site, deadline=date(2026, 11, 10))
    site.clock.advance(days=9)  # 11 November: online until 2 December, deadline passed
    page = site.client.get(f"/emplois/{offer_id}/candidature", headers=visitor_headers())
    assert page.status_code == 410
    html = page.get_data(as_text=True)
    assert "Les candidatures sont fermées" in html and 'name="cv"' not in html
    assert apply(site, offer_id).status_code == 410
    assert events(site) == []


def test_no_form_for_an_offer_applied_to_at_a_url_a_draft_or_an_expired_offer(site: Site) -> None:
    by_url = site.published()
    draft = site.draft(apply_method="email", apply_to=EMPLOYER_ADDRESS)
    expired = email_offer(site)
    for offer_id in (by_url, draft, "not-an-offer"):
        assert site.client.get(f"/emplois/{offer_id}/candidature", headers=visitor_headers()).status_code == 404
        assert apply(site, offer_id).status_code == 404
    site.clock.advance(days=31)  # past its 30 days of publication
    assert site.client.get(f"/emplois/{expired}/candidature", headers=visitor_headers()).status_code == 404
    assert apply(site, expired).status_code == 404
    assert events(site) == []
