"""[checkout] Coming from an offer draft (offers' « Enregistrer et passer à la caisse »): the missing
products go to the cart in one form, and the purchase's confirmation links back to the draft."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from billing_testkit import T0, make_settings
from checkout_fakes import FakeProcessor
from records_testkit import CSRF, genivert, headers
from werkzeug.datastructures import MultiDict

from catalog_billing.adapters import orm
from catalog_billing.bootstrap import bootstrap
from plumbing.clock import FixedClock

ADDRESS = {"address_id": "nouvelle", "name": "Génivert inc.", "street": "1200, rue Saint-Denis",
           "city": "Montréal", "province": "QC", "postal_code": "H2X 3J6", "country": "Canada"}
DRAFT = "/employeur/offres/6f1c1b7e-1d5e-4a39-9a0c-0000000000aa/apercu"


@pytest.fixture
def shop(tmp_path: Path):
    built = bootstrap(make_settings(tmp_path), clock=FixedClock(T0), payments=FakeProcessor())
    orm.metadata.create_all(built.runtime.engine)
    yield built
    built.runtime.engine.dispose()


def post(web, path, who, data):
    return web.post(path, headers=who, data={"csrf_token": CSRF, **data})


def test_an_offers_missing_products_go_to_the_cart_and_the_confirmation_links_back(shop):
    company = genivert(shop)
    web = shop.extras["pages"].test_client()
    me = headers(company.people["principal"], email="luc@genivert-test.ca")
    added = web.post("/employeur/panier", headers=me, data=MultiDict([
        ("csrf_token", CSRF), ("group_id", company.group_id), ("product_code", "ing-1"), ("product_code", "vedette"),
        ("quantity", "1"), ("retour", DRAFT)]))
    assert added.status_code == 303
    cart = web.get("/employeur/panier", headers=me).get_data(as_text=True)
    assert cart.count('<tr id="ligne-') == 2 and cart.count("/retrait") == 2
    response = post(web, "/employeur/caisse", me, {"group_id": company.group_id, **ADDRESS})
    checkout_id = re.search(r"state=([0-9a-f-]{36})", response.headers["Location"]).group(1)
    web.get(f"/employeur/caisse/{checkout_id}/carte", headers=me,
            query_string={"payment_method": "pm_ok", "state": checkout_id})
    review = web.get(f"/employeur/caisse/{checkout_id}/revision", headers=me).get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', review).group(1)
    done = post(web, f"/employeur/caisse/{checkout_id}/revision", me,
                {"idempotency_key": key, "accept_terms": "oui", "accept_billing": "oui"})
    confirmation = web.get(done.headers["Location"], headers=me).get_data(as_text=True)
    assert f'<a href="{DRAFT}" id="continue-offer">' in confirmation


def test_a_foreign_return_path_or_an_unknown_product_is_ignored_or_refused(shop):
    company = genivert(shop)
    web = shop.extras["pages"].test_client()
    me = headers(company.people["principal"])
    added = post(web, "/employeur/panier", me, {"group_id": company.group_id, "product_code": "ing-1",
                                                "retour": "https://evil.example/employeur/offres/x"})
    assert added.status_code == 303 and "retour_offre" not in added.headers.get("Set-Cookie", "")
    refused = web.post("/employeur/panier", headers=me, data=MultiDict([
        ("csrf_token", CSRF), ("group_id", company.group_id), ("product_code", "ing-1"), ("product_code", "nope")]))
    assert refused.status_code == 404
    cart = web.get("/employeur/panier", headers=me).get_data(as_text=True)
    assert cart.count('<tr id="ligne-') == 1  # the refused form added nothing
