"""Hostile inputs: refused (or cleaned) with a message next to the field or problem+json, never a
500, nothing half-saved."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import yaml
from PIL import Image
from portal_testkit import API, add_account, add_company, add_group, auth, image_bytes, new_id, outbox

from company_portal.adapters.images import process_logo
from company_portal.domain import errors
from company_portal.service_layer import views

SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions (a decompression bomb's signature)."""
    raw = image_bytes(100, 100)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return raw[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + raw[33:]


def real_bomb() -> bytes:
    """A genuine 6000×6000 PNG of zeros: a few kilobytes that would expand to 144 MB."""
    out = io.BytesIO()
    Image.new("L", (6000, 6000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize("content, code", [
    (b"", "required"),
    (b"Bonjour, je ne suis pas une image.", "invalid_logo_format"),
    (b"\x89PNG\r\n\x1a\n" + b"pas vraiment un PNG" * 10, "invalid_logo_format"),
    (SVG, "invalid_logo_format"),
    (b"GIF89a" + b"\0" * 100, "invalid_logo_format"),
    (image_bytes(120, 120, "GIF", mode="P"), "invalid_logo_format"),
    (image_bytes(120, 120, "WEBP", mode="RGB"), "invalid_logo_format"),
    (image_bytes(99, 300), "logo_too_small"),
    (png_claiming(20000, 20000), "logo_too_big"),
    (png_claiming(2**31 - 1, 2**31 - 1), "logo_too_big"),
    (image_bytes(200, 200)[:150], "invalid_logo_format"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "logo_too_large"),
])
def test_refused_logos(content, code):
    with pytest.raises(errors.InvalidInput) as caught:
        process_logo(content)
    assert (caught.value.field, caught.value.code) == ("logo", code)


def test_a_real_decompression_bomb_is_refused_before_decoding():
    bomb = real_bomb()
    assert len(bomb) < 100_000
    with pytest.raises(errors.InvalidInput) as caught:
        process_logo(bomb)
    assert caught.value.code == "logo_too_big"


def test_accepted_logos_are_reencoded_and_fit_400():
    big = process_logo(image_bytes(1600, 800, "JPEG", mode="RGB") + b"trailing bytes after the JPEG")
    assert (big.image_format, big.width, big.height) == ("jpeg", 400, 200)
    with Image.open(io.BytesIO(big.content)) as again:
        assert again.format == "JPEG" and not again.info.get("exif")
    small = process_logo(image_bytes(150, 120))
    assert (small.image_format, small.width, small.height) == ("png", 150, 120)
    assert process_logo(image_bytes(150, 120)).content_hash == small.content_hash


@pytest.fixture
def principal_group(bus):
    principal = add_account(bus, "marie@genivert-test.ca")
    group_id = add_group(bus, add_company(bus), members={principal: "principal"})
    return principal, group_id


@pytest.mark.parametrize("content, code", [
    (b"texte renomme en .png", "invalid_logo_format"), (SVG, "invalid_logo_format"),
    (png_claiming(20000, 20000), "logo_too_big"), (b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024), "logo_too_large"),
])
def test_the_api_refuses_bad_logos_with_problem_json(client, bundle, principal_group, content, code):
    principal, group_id = principal_group
    response = client.put(f"{API}/groups/{group_id}/logo", headers=auth(principal),
                          files={"file": ("logo.png", content, "image/png")})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["field"]) == (code, "logo")
    assert outbox(bundle, "portal.branding.changed") == []


def test_the_api_refuses_a_body_over_three_megabytes(client, principal_group):
    principal, group_id = principal_group
    response = client.put(f"{API}/groups/{group_id}/logo", headers=auth(principal),
                          files={"file": ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (4 * 1024 * 1024), "image/png")})
    assert response.status_code == 413


def test_the_logo_page_shows_the_message_next_to_the_field(client, principal_group):
    principal, group_id = principal_group
    for content in (SVG, b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024)):
        page = client.post("/entreprises/mon-entreprise/logo", headers=auth(principal),
                           data={"group_id": group_id, "csrf_token": "x"},
                           files={"logo": ("logo.png", content, "image/png")})
        assert page.status_code in {413, 422}
        assert 'id="e-logo"' in page.text
        assert "PNG ou JPEG" in page.text or "2 Mo" in page.text


def test_a_script_in_the_description_is_removed(client, bus, bundle, principal_group):
    principal, group_id = principal_group
    hostile = ('<p>Nous recrutons<script>fetch("//evil")</script></p><style>body{display:none}</style>'
               '<a href="javascript:alert(1)" onclick="x()">clic</a><iframe src="//evil"></iframe>'
               '<p style="color:red" onmouseover="y()">Bienvenue</p>')
    response = client.put(f"{API}/groups/{group_id}/branding", headers=auth(principal), json={
        "group_name": "Groupe 001", "company_name": "Génivert inc.", "address": "1200, rue Saint-Denis",
        "description_html": hostile})
    assert response.status_code == 200
    saved = response.json()["description_html"]
    assert saved == "<p>Nous recrutons</p><p>clic</p><p>Bienvenue</p>"  # a refused link keeps only its text
    for needle in ("script", "style", "onclick", "onmouseover", "javascript", "iframe", "evil"):
        assert needle not in saved
    assert outbox(bundle, "portal.branding.changed")[0].data["description_html"] == saved


@pytest.mark.parametrize("field, value, code", [
    ("website", "javascript:alert(1)", "invalid_website"), ("phone", "911", "invalid_phone"),
    ("group_name", "", "required"), ("address", "x" * 250, "too_long"),
])
def test_bad_branding_is_refused_and_nothing_is_saved(client, bus, bundle, principal_group, field, value, code):
    principal, group_id = principal_group
    body = {"group_name": "Nouveau nom", "company_name": "Génivert inc.", "address": "1200, rue Saint-Denis",
            "description_html": "<p>ok</p>", field: value}
    response = client.put(f"{API}/groups/{group_id}/branding", headers=auth(principal), json=body)
    assert (response.status_code, response.json()["field"], response.json()["code"]) == (422, field, code)
    assert bus.query(views.group, principal, group_id)["name"] == "Groupe 001"
    assert outbox(bundle, "portal.branding.changed") == []


def test_malformed_api_calls_are_400_not_500(client, principal_group):
    principal, group_id = principal_group
    headers = auth(principal)
    cases = [
        client.put(f"{API}/groups/{group_id}/branding", headers={**headers, "Content-Type": "application/json"},
                   content=b"\xff\xfe{not utf-8"),
        client.put(f"{API}/groups/{group_id}/branding", headers={**headers, "Content-Type": "application/json"},
                   content=b'{"group_name": '),
        client.put(f"{API}/groups/{group_id}/members/{new_id()}/role", headers=headers, json={"role": "admin"}),
        client.put(f"{API}/groups/{group_id}/members/{new_id()}/role", headers=headers, json={"role": "finances",
                                                                                              "extra": 1}),
        client.get(f"{API}/staff/companies", headers=auth(new_id(), kind="staff")),
        client.put(f"{API}/groups/{group_id}/logo", headers=headers, data={"nothing": "here"}),
    ]
    assert [r.status_code for r in cases] == [400] * (len(cases) - 1) + [415], [r.text for r in cases]
    assert all(r.headers["content-type"] == "application/problem+json" for r in cases)
    assert client.get(f"{API}/groups/not-a-uuid/permissions", headers=headers).status_code == 404


def test_a_3000_character_bad_input_is_not_echoed_whole(client, principal_group):
    """No problem detail exceeds the contract's length (Problem.detail maxLength)."""
    from jsonschema import Draft202012Validator
    from portal_testkit import CONTRACTS

    problem_schema = yaml.safe_load((CONTRACTS / "company-portal.yaml").read_text(encoding="utf-8"))[
        "components"]["schemas"]["Problem"]
    principal, group_id = principal_group
    headers = auth(principal)
    long = "x" * 3000
    cases = [
        client.put(f"{API}/groups/{group_id}/members/{new_id()}/role", headers=headers, json={"role": long}),
        client.put(f"{API}/groups/{group_id}/members/{new_id()}/role", headers=headers,
                   json={"role": "finances", long: 1}),
        client.get(f"{API}/groups/{group_id}/members?{long}=1", headers=headers),
        client.put(f"{API}/groups/{group_id}/branding", headers=headers,
                   json={"group_name": long, "company_name": long, "address": long, "description_html": long}),
    ]
    assert [r.status_code for r in cases] == [400] * len(cases), [r.text[:200] for r in cases]
    for response in cases:
        Draft202012Validator(problem_schema).validate(response.json())
        assert long[:200] not in response.json()["detail"]


def test_bad_neq_and_postal_code_in_the_wizard_pages(client, bus):
    account = new_id()
    headers = auth(account, "luc@genivert-test.ca")
    client.post("/entreprises/demande/creation", headers=headers, data={"csrf_token": "x"})
    form = {"legal_name": "Hydro-Boréal Conseil inc.", "neq": "12345", "phone": "819 555 0175", "country": "Canada",
            "address": "88, 3e Avenue", "city": "Val-d'Or", "province": "QC", "postal_code": "J9P-1S4",
            "csrf_token": "x"}
    page = client.post("/entreprises/demande/entreprise", headers=headers, data=form)
    assert page.status_code == 422
    assert 'id="e-neq"' in page.text and "10 chiffres" in page.text
    assert 'id="e-postal_code"' in page.text and "A1A 1A1" in page.text
    assert 'value="Hydro-Boréal Conseil inc."' in page.text  # what was typed is kept
    assert not bus.query(views.draft, account).get("company_done")
    assert client.get("/entreprises/demande/vous", headers=headers).status_code == 303  # not reachable yet
