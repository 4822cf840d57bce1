"""« Clés d'API » (/employeur/cles-api): a principal·e of the active group creates a key (shown
once, on the answer to the creation only), sees the list (prefix, name, creator, dates) and
revokes a key; other roles, other groups and signed-out visitors are kept out; a bad name is
explained next to its field; the page is in French and English."""

from __future__ import annotations

import re

#: The fixtures (bundle, client, clock, bank, test keys).
from api_fixtures import bank, bundle, client, clock, test_keys  # noqa: F401 (fixtures of this module only)
from api_testkit import add_member, auth, new_id, outbox

PAGE = "/employeur/cles-api"


def principal_of_a_group(bundle) -> tuple[str, str]:
    principal, group = new_id(), new_id()
    add_member(bundle, principal, group, "principal", group_name="Ingénierie", company_name="Génivert inc.")
    return principal, group


def test_a_principal_creates_a_key_shown_once_then_revokes_it(bundle, client) -> None:
    principal, group = principal_of_a_group(bundle)
    empty = client.get(PAGE, headers=auth(principal))
    assert empty.status_code == 200 and 'id="no-keys"' in empty.text and "Génivert inc. — Ingénierie" in empty.text
    assert 'name="csrf_token"' in empty.text
    assert '<a href="/employeur/cles-api" aria-current="page">' in empty.text  # the employer space's tab
    dashboard = client.get("/employeur/", headers=auth(principal))
    assert dashboard.status_code == 200 and 'href="/employeur/cles-api"' in dashboard.text

    created = client.post(PAGE, data={"name": "SIRH Workday", "group_id": group}, headers=auth(principal))
    assert created.status_code == 201
    [token] = re.findall(r'value="(ingk_[0-9a-f-]{36}_[0-9a-f]{64})"', created.text)
    assert "ne sera plus jamais affichée" in created.text
    assert created.headers["cache-control"] == "no-store"  # the page with the key is kept nowhere

    listed = client.get(PAGE, headers=auth(principal))
    key_id = token.split("_")[1]
    assert token not in listed.text and token.rsplit("_", 1)[1] not in listed.text
    assert f"ingk_{key_id[:8]}…" in listed.text and "SIRH Workday" in listed.text
    assert f"{principal[:8]}@exemple-test.ca" in listed.text and "Jamais" in listed.text
    assert f'action="/employeur/cles-api/{key_id}/revoquer"' in listed.text

    revoked = client.post(f"{PAGE}/{key_id}/revoquer", data={"group_id": group}, headers=auth(principal))
    assert revoked.status_code == 303 and revoked.headers["location"] == f"{PAGE}?ok=revoquee"
    after = client.get(f"{PAGE}?ok=revoquee", headers=auth(principal))
    assert "La clé est révoquée" in after.text and "Révoquée le" in after.text
    assert f'action="/employeur/cles-api/{key_id}/revoquer"' not in after.text
    assert [e.data["key_id"] for e in outbox(bundle, "offers.api_key.revoked")] == [key_id]


def test_a_blank_or_too_long_name_is_explained_next_to_the_field(bundle, client) -> None:
    principal, group = principal_of_a_group(bundle)
    blank = client.post(PAGE, data={"name": "  ", "group_id": group}, headers=auth(principal))
    assert blank.status_code == 422 and "Donnez un nom à la clé" in blank.text
    assert 'aria-invalid="true"' in blank.text or "field-error" in blank.text
    long = client.post(PAGE, data={"name": "x" * 81, "group_id": group}, headers=auth(principal))
    assert long.status_code == 422 and "80 caractères" in long.text
    assert outbox(bundle, "offers.api_key.issued") == []


def test_other_roles_other_groups_and_visitors_are_kept_out(bundle, client) -> None:
    principal, group = principal_of_a_group(bundle)
    affichage = new_id()
    add_member(bundle, affichage, group, "affichage")
    assert client.get(PAGE, headers=auth(affichage)).status_code == 403
    assert 'href="/employeur/cles-api"' not in client.get("/employeur/", headers=auth(affichage)).text
    assert client.post(PAGE, data={"name": "x", "group_id": group}, headers=auth(affichage)).status_code == 403
    foreign = client.post(PAGE, data={"name": "x", "group_id": new_id()}, headers=auth(principal))
    assert foreign.status_code == 404
    signed_out = client.get(PAGE)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/compte/connexion?next=")
    assert client.get(PAGE, headers=auth(new_id(), "staff")).status_code == 403
    assert outbox(bundle, "offers.api_key.issued") == []


def test_the_page_in_english(bundle, client) -> None:
    principal, _ = principal_of_a_group(bundle)
    english = client.get(PAGE, headers=auth(principal), cookies={"lang": "en"})
    assert english.status_code == 200 and "API keys" in english.text and "Create a key" in english.text


def test_every_string_of_the_page_has_its_english() -> None:
    from pathlib import Path

    from babel.messages.extract import extract_from_file
    from babel.messages.pofile import read_po

    package = Path(__file__).resolve().parents[1] / "src" / "offers"
    found: set[str] = set()
    for path, method in (
        (package / "templates/offers/api_keys.html", "jinja2"),
        (package / "entrypoints/web_api_keys.py", "python"),
    ):
        found |= {
            m if isinstance(m, str) else m[0]
            for _l, m, _c, _x in extract_from_file(method, str(path), keywords={"_": None, "gettext": None})
        }
    with (package / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id and m.string}
    assert len(found) >= 20
    assert sorted(found - set(translated)) == []
