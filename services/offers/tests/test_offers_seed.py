"""The demo seed: the demo group's offers in every status, each brought there by the state machine
(histories, credits, events), the bank's credits spent as the real flow spends them; seeding again
adds nothing."""

from __future__ import annotations

from offers_fakes import AFFICHAGE, CALLERS, GROUP, PRINCIPAL, STAFF
from test_offers_scheduler import service  # noqa: F401 - the fixture

from offers.adapters.billing_client import InMemoryCreditBank
from offers.domain.offer import OfferStatus
from offers.service_layer import views
from offers.service_layer.seed import seed_demo


def test_the_demo_group_gets_an_offer_in_every_status_once(service) -> None:  # noqa: F811
    bundle, clock = service
    bus = bundle.extras["bus"]
    bank = InMemoryCreditBank({(GROUP, "ing"): 5, (GROUP, "cpi"): 2})
    made = seed_demo(bus, bank, group_id=GROUP, principal_id=PRINCIPAL, affichage_id=AFFICHAGE, staff_id=STAFF)
    assert set(made) == {s.value for s in OfferStatus}
    counts = bus.query(views.counts_by_status, CALLERS["finances"], GROUP)
    assert counts == {s.value: 1 for s in OfferStatus}
    for status, offer_id in made.items():
        details = bus.query(views.get_offer, CALLERS["principal"], offer_id, now=clock.now())
        assert details.offer.status == status
    assert bank.balance == {(GROUP, "ing"): 1, (GROUP, "cpi"): 0}  # one ing. credit left to try the flow
    alerts = bus.query(views.alerts, CALLERS["principal"], GROUP, now=clock.now())
    assert [i.offer.id for i in alerts.to_revise] == [made["to_revise"]]
    assert [i.offer.id for i in alerts.expiring] == [made["published"]]
    archived = bus.query(views.get_offer, CALLERS["principal"], made["archived"], now=clock.now())
    assert [e.action for e in archived.history] == ["create", "submit", "approve", "expire_due", "archive"]
    assert seed_demo(bus, bank, group_id=GROUP, principal_id=PRINCIPAL, affichage_id=AFFICHAGE, staff_id=STAFF) == {}
