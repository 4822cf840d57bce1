"""Company names for the followed companies: portal.branding.changed / snapshot through the consumer,
ordered by occurred_at; and offers' code lists through the cached HTTP client."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
import requests
from members_testkit import GENIVERT, branding, consume, members_bundle, reference, tokens  # noqa: F401

from mailer.adapters.offers_reference import HttpOffersReference
from mailer.service_layer import members
from mailer.service_layer.ports import ReferenceUnavailable
from plumbing.events.envelope import Envelope, PoisonMessage


def name_of(bundle, company_id: str) -> str | None:
    company = bundle.extras["bus"].query(members.company, company_id)
    return company.name if company is not None else None


def test_a_branding_change_names_the_company(members_bundle, clock):
    consume(members_bundle, branding(GENIVERT, "Génivert inc.", clock.now()))
    assert name_of(members_bundle, GENIVERT) == "Génivert inc."


def test_a_later_change_renames_and_a_late_older_one_is_ignored(members_bundle, clock):
    t0 = clock.now()
    consume(members_bundle, branding(GENIVERT, "Génivert inc.", t0))
    consume(members_bundle, branding(GENIVERT, "Génivert Experts inc.", t0 + timedelta(minutes=5)))
    consume(members_bundle, branding(GENIVERT, "Ancien nom", t0 + timedelta(minutes=1)))  # arrives late
    assert name_of(members_bundle, GENIVERT) == "Génivert Experts inc."


def test_a_snapshot_fills_a_missing_company_but_never_undoes_a_newer_change(members_bundle, clock):
    t0 = clock.now()
    consume(members_bundle, branding(GENIVERT, "Génivert inc.", t0, snapshot=True))
    assert name_of(members_bundle, GENIVERT) == "Génivert inc."
    consume(members_bundle, branding(GENIVERT, "Génivert Experts inc.", t0 + timedelta(minutes=5)))
    consume(members_bundle, branding(GENIVERT, "Génivert inc.", t0 + timedelta(minutes=2), snapshot=True))
    assert name_of(members_bundle, GENIVERT) == "Génivert Experts inc."
    consume(members_bundle, branding(GENIVERT, "Génivert Experts Québec", t0 + timedelta(minutes=9), snapshot=True))
    assert name_of(members_bundle, GENIVERT) == "Génivert Experts Québec"


def test_a_redelivered_event_changes_nothing_and_a_blank_name_is_not_kept(members_bundle, clock):
    event = branding(GENIVERT, "Génivert inc.", clock.now())
    consume(members_bundle, event)
    consume(members_bundle, event)
    consume(members_bundle, branding(GENIVERT, "   ", clock.now() + timedelta(minutes=1)))
    assert name_of(members_bundle, GENIVERT) == "Génivert inc."


def membership(company_id: str, company_name: str | None, occurred_at, event_type="portal.membership.granted"):
    data = {"account_id": str(uuid.uuid4()), "group_id": str(uuid.uuid4()), "company_id": company_id,
            "role": "principal", "version": 1, "group_name": "Groupe 001"}
    if event_type == "portal.membership.snapshot":
        data["snapshot_id"] = str(uuid.uuid4())
    if company_name is not None:
        data["company_name"] = company_name
    return Envelope.new(event_type, data, producer="company-portal", occurred_at=occurred_at)


@pytest.mark.parametrize("event_type", ["portal.membership.granted", "portal.membership.role_changed",
                                        "portal.membership.snapshot"])
def test_a_membership_names_a_company_that_never_changed_its_branding(members_bundle, clock, event_type):
    consume(members_bundle, membership(GENIVERT, None, clock.now(), event_type))
    assert name_of(members_bundle, GENIVERT) is None
    consume(members_bundle, membership(GENIVERT, "Génivert inc.", clock.now(), event_type))
    assert name_of(members_bundle, GENIVERT) == "Génivert inc."


def test_the_branding_name_always_wins_over_a_membership_one(members_bundle, clock):
    t0 = clock.now()
    consume(members_bundle, membership(GENIVERT, "Génivert inc.", t0 + timedelta(minutes=5)))
    consume(members_bundle, branding(GENIVERT, "Génivert", t0))  # older, yet the display name
    assert name_of(members_bundle, GENIVERT) == "Génivert"
    consume(members_bundle, membership(GENIVERT, "Génivert inc.", t0 + timedelta(minutes=9)))
    assert name_of(members_bundle, GENIVERT) == "Génivert"


def test_an_event_without_company_is_refused_by_its_contract(members_bundle, clock):
    event = branding(GENIVERT, "Génivert inc.", clock.now())
    data = {k: v for k, v in event.data.items() if k != "company_id"}
    broken = Envelope.new(event.type, data, producer="company-portal", occurred_at=clock.now())
    with pytest.raises(PoisonMessage):  # the consumer dead-letters it
        consume(members_bundle, broken)
    assert name_of(members_bundle, GENIVERT) is None


# offers' code lists through HTTP -----------------------------------------------------------------


class FakeResponse:
    def __init__(self, status: int, body: Any) -> None:
        self.status_code, self.body = status, body

    def json(self) -> Any:
        if isinstance(self.body, Exception):
            raise self.body
        return self.body


class FakeSession:
    """requests.Session's get: answers in turn (a response, or an exception to raise)."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.urls: list[str] = []

    def get(self, url: str, **kwargs: Any) -> FakeResponse:
        self.urls.append(url)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


LISTS = {"lists": {
    "engineering_domains": [{"code": "civil", "fr": "Génie civil", "en": "Civil engineering"}, {"fr": "no code"}],
    "regions": [{"code": "06", "fr": "Montréal", "en": "Montréal", "municipalities": [{"code": "montreal"}]}],
    "years_on_roll": [{"code": "0-2", "fr": "0 à 2 ans", "en": "0 to 2 years", "min": 0, "max": 2}],
}}


def client(session: FakeSession, now: list[float]) -> HttpOffersReference:
    return HttpOffersReference("http://gateway.test/", ttl=300, retry_after=30, session_factory=lambda: session,
                               monotonic=lambda: now[0])


def test_the_lists_are_read_tolerantly_and_kept_until_the_ttl():
    session, now = FakeSession(FakeResponse(200, LISTS), FakeResponse(200, {"lists": {"regions": []}})), [0.0]
    reference = client(session, now)
    lists = reference.lists()
    assert [(i.code, i.label("fr"), i.label("en")) for i in lists["engineering_domains"]] == [
        ("civil", "Génie civil", "Civil engineering")]
    assert [i.code for i in lists["regions"]] == ["06"]
    now[0] = 299.0
    assert reference.lists() is lists and session.urls == ["http://gateway.test/api/offers/v1/reference"]
    now[0] = 301.0
    assert reference.lists()["regions"] == () and len(session.urls) == 2


def test_a_failed_refresh_keeps_the_copy_and_waits_before_trying_again():
    session = FakeSession(FakeResponse(200, LISTS), requests.ConnectionError("refused"), FakeResponse(503, {}),
                          FakeResponse(200, LISTS))
    now = [0.0]
    reference = client(session, now)
    first = reference.lists()
    now[0] = 400.0
    assert reference.lists() is first  # offers down: the copy held
    now[0] = 420.0
    assert reference.lists() is first and len(session.urls) == 2  # not asked again before retry_after
    now[0] = 431.0
    assert reference.lists() is first and len(session.urls) == 3  # a 503: the copy again
    now[0] = 462.0
    assert reference.lists() is not first and len(session.urls) == 4


@pytest.mark.parametrize("answer", [requests.Timeout("slow"), FakeResponse(500, {}), FakeResponse(200, ValueError()),
                                    FakeResponse(200, {"no": "lists"}), FakeResponse(404, {})])
def test_without_a_copy_a_failure_is_reference_unavailable(answer):
    with pytest.raises(ReferenceUnavailable):
        client(FakeSession(answer), [0.0]).lists()
