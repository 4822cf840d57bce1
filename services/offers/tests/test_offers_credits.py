"""Credits (DESIGN.md "Credits", PRODUCT §4): sending reserves the profile's credit (+ vedette when
featured) with the caller's token; no credit → refused and nothing changes; cancelling keeps the
credit on the draft ("Forfait associé"); sending again reuses it; approval consumes; extension and
featuring spend one credit each, once per offer. Then the HTTP adapter against catalog-billing's
answers (contracts/catalog-billing.yaml)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest
from offers_fakes import CALLERS, GROUP, World, complete_config, complete_content

from offers.adapters.billing_client import HttpCreditBank
from offers.domain.offer import OfferActionRefused
from offers.service_layer import commands as c
from offers.service_layer.ports import BankRefused, BankUnavailable, NoCredit

PRINCIPAL = CALLERS["principal"]


def draft(world: World, **config: object) -> str:
    return world.bus.handle(c.CreateDraft(GROUP, "ing", PRINCIPAL, complete_content(), complete_config(**config))).id


def test_no_credit_refuses_the_submission_and_changes_nothing() -> None:
    world = World()
    offer_id = draft(world)
    before = world.stored(offer_id)
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    assert refused.value.code == "no_credit" and refused.value.status == 409
    assert "crédit" in refused.value.message("fr") and "credit" in refused.value.message("en")
    assert world.stored(offer_id) == before
    assert [k for k, _ in world.uow.emitted] == []


def test_cancel_keeps_the_credit_on_the_draft_and_resubmission_reuses_it() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    offer_id = draft(world)
    world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    assert world.bank.calls == [("reserve", offer_id, "ing", "token-principal")]
    assert world.bank.balance[(GROUP, "ing")] == 0
    world.bus.handle(c.CancelOffer(offer_id, PRINCIPAL))
    stored = world.stored(offer_id)
    assert stored.status == "draft" and stored.credit_types_reserved == ("ing",)  # « Forfait associé »
    assert world.bank.reservations[(offer_id, "ing")] == (GROUP, "reserved")
    assert world.bank.balance[(GROUP, "ing")] == 0  # not given back
    # Sent again with no credit left in the bank: the one it holds is reused.
    assert world.bus.handle(c.SubmitOffer(offer_id, CALLERS["affichage"])).status == "in_validation"
    assert world.bank.balance[(GROUP, "ing")] == 0
    # Another draft finds the bank empty.
    other = draft(world)
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(other, PRINCIPAL))
    assert refused.value.code == "no_credit"


def test_approval_consumes_with_the_staff_token() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    world.bank.grant(GROUP, "vedette", 1)
    offer_id = draft(world, featured=True)
    world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    offer = world.bus.handle(c.ApproveOffer(offer_id, CALLERS["staff"]))
    assert ("consume", offer_id, "ing", "token-staff") in world.bank.calls
    assert ("consume", offer_id, "vedette", "token-staff") in world.bank.calls
    assert world.bank.reservations[(offer_id, "ing")][1] == "consumed"
    assert offer.status == "published" and offer.featured_until is not None
    assert offer.featured_until - offer.published_at == timedelta(days=7)


def test_a_featured_draft_without_a_vedette_credit_gives_the_profile_credit_back() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    offer_id = draft(world, featured=True)
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    assert refused.value.code == "no_credit" and "vedette" in refused.value.message("fr")
    assert world.bank.balance[(GROUP, "ing")] == 1
    assert world.stored(offer_id).status == "draft"


def test_unfeaturing_a_draft_gives_its_vedette_credit_back_on_sending() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    world.bank.grant(GROUP, "vedette", 1)
    offer_id = draft(world, featured=True)
    world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    world.bus.handle(c.CancelOffer(offer_id, PRINCIPAL))
    world.bus.handle(c.SaveDraft(offer_id, PRINCIPAL, complete_content(), complete_config(featured=False)))
    offer = world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    assert offer.credit_types_reserved == ("ing",)
    assert world.bank.balance[(GROUP, "vedette")] == 1


def test_a_bank_that_does_not_answer_changes_nothing() -> None:
    world = World()
    world.bank.grant(GROUP, "ing", 1)
    offer_id = draft(world)
    world.bank.unavailable = True
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.SubmitOffer(offer_id, PRINCIPAL))
    assert refused.value.code == "unavailable" and refused.value.status == 503
    assert world.stored(offer_id).status == "draft"


def test_extension_and_featuring_spend_one_credit_each_once() -> None:
    world = World()
    world.bank.grant(GROUP, "extension", 2)
    world.bank.grant(GROUP, "vedette", 2)
    offer = world.place("published")
    ends = offer.publication_ends_at
    extended = world.bus.handle(c.ExtendOffer(offer.id, CALLERS["affichage"]))
    assert extended.publication_ends_at - ends == timedelta(days=7)
    assert world.bank.reservations[(offer.id, "extension")][1] == "consumed"
    assert world.bank.balance[(GROUP, "extension")] == 1
    with pytest.raises(OfferActionRefused) as refused:
        world.bus.handle(c.ExtendOffer(offer.id, CALLERS["affichage"]))
    assert refused.value.code == "already_used"
    featured = world.bus.handle(c.FeatureOffer(offer.id, PRINCIPAL))
    assert featured.featured_until == world.clock.now() + timedelta(days=7)
    with pytest.raises(OfferActionRefused):
        world.bus.handle(c.FeatureOffer(offer.id, PRINCIPAL))
    assert world.bank.balance[(GROUP, "vedette")] == 1
    assert [e.action for e in world.stored(offer.id).history[-2:]] == ["extend", "feature"]


def test_featuring_near_the_end_warns_and_ends_with_the_offer() -> None:
    world = World()
    world.bank.grant(GROUP, "vedette", 1)
    offer = world.place("published")
    world.clock.advance(days=26)
    assert world.stored(offer.id).feature_warning(world.clock.now())
    featured = world.bus.handle(c.FeatureOffer(offer.id, PRINCIPAL))
    assert featured.featured_until == featured.publication_ends_at


def test_featuring_a_scheduled_offer_starts_at_its_publication() -> None:
    world = World()
    world.bank.grant(GROUP, "vedette", 1)
    offer = world.place("scheduled")
    featured = world.bus.handle(c.FeatureOffer(offer.id, PRINCIPAL))
    assert featured.featured_until == offer.published_at + timedelta(days=7)


# The HTTP adapter --------------------------------------------------------------------------------
OFFER = "0b7d3f2a-5b1e-4c1f-9f7e-3c2b1a000001"


def bank_answering(handler) -> tuple[HttpCreditBank, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return HttpCreditBank("http://gateway.test/", transport=httpx.MockTransport(record)), seen


def problem(status: int, code: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": "about:blank", "title": code, "status": status, "code": code, "detail": f"detail {code}"},
        headers={"Content-Type": "application/problem+json"},
    )


def test_the_http_bank_calls_the_reservation_api_with_the_callers_token() -> None:
    bank, seen = bank_answering(lambda r: httpx.Response(201 if r.method == "PUT" else 200, json={}))
    assert bank.reserve(OFFER, "ing", GROUP, token="jwt-1") is True
    bank.consume(OFFER, "ing", token="jwt-2")
    bank.release(OFFER, "vedette", token="ingk_key_secret")
    assert [(r.method, r.url.path, r.headers["authorization"]) for r in seen] == [
        ("PUT", f"/api/catalog-billing/v1/credit-reservations/{OFFER}/ing", "Bearer jwt-1"),
        ("POST", f"/api/catalog-billing/v1/credit-reservations/{OFFER}/ing/consumption", "Bearer jwt-2"),
        ("POST", f"/api/catalog-billing/v1/credit-reservations/{OFFER}/vedette/release", "Bearer ingk_key_secret"),
    ]
    assert json.loads(seen[0].content) == {"group_id": GROUP}


def test_the_http_bank_reads_what_catalog_billing_answers() -> None:
    bank, _ = bank_answering(lambda r: httpx.Response(200, json={}))
    assert bank.reserve(OFFER, "ing", GROUP, token="t") is False  # already held: 200
    bank, _ = bank_answering(lambda r: problem(409, "no_credit"))
    with pytest.raises(NoCredit) as no:
        bank.reserve(OFFER, "cpi", GROUP, token="t")
    assert no.value.credit_type == "cpi"
    bank, _ = bank_answering(lambda r: problem(409, "reservation_consumed"))
    with pytest.raises(BankRefused) as refused:
        bank.release(OFFER, "ing", token="t")
    assert (refused.value.status, refused.value.code) == (409, "reservation_consumed")
    bank, _ = bank_answering(lambda r: httpx.Response(503, text="down"))
    with pytest.raises(BankUnavailable):
        bank.consume(OFFER, "ing", token="t")

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    bank, _ = bank_answering(refuse)
    with pytest.raises(BankUnavailable):
        bank.reserve(OFFER, "ing", GROUP, token="t")
    bank, _ = bank_answering(
        lambda r: httpx.Response(
            200,
            json={
                "group_id": GROUP,
                "items": [{"credit_type": "ing", "balance": 3}, {"credit_type": "vedette", "balance": 0}],
            },
        )
    )
    assert bank.balances(GROUP, token="t") == {"ing": 3, "vedette": 0}


def test_a_gateway_cookie_is_never_sent_back() -> None:
    bank, seen = bank_answering(lambda r: httpx.Response(201, json={}, headers={"Set-Cookie": "csrf=abc; Path=/"}))
    bank.reserve(OFFER, "ing", GROUP, token="a")
    bank.reserve(OFFER, "ing", GROUP, token="b")
    assert "cookie" not in seen[1].headers


def test_the_service_calls_catalog_billing_where_configured(tmp_path, monkeypatch) -> None:
    import dataclasses

    from offers.bootstrap import bootstrap
    from plumbing.config import Settings

    monkeypatch.setenv("CATALOG_BILLING_URL", "http://catalog-billing-web:8000/")
    settings = dataclasses.replace(Settings.from_env("offers"), database_url=f"sqlite:///{tmp_path / 'o.db'}")
    bundle = bootstrap(settings)
    bank = bundle.extras["bank"]
    assert isinstance(bank, HttpCreditBank)
    assert str(bank._client.base_url) == "http://catalog-billing-web:8000/api/catalog-billing/v1/"
    assert bundle.extras["bus"].deps.bank is bank and date(2026, 6, 24) in bundle.extras["bus"].deps.holidays
    bundle.runtime.engine.dispose()
