"""The credit bank through the bus with a fake unit of work: a ledger whose balance is the sum of
its entries, reservations idempotent on (offer, credit type), permissions, and the events."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from billing_fakes import T0, FakeBillingUnitOfWork, fake_bus, new_uuid

from catalog_billing.domain import errors
from catalog_billing.domain.ledger import CreditEntry
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import credits, views
from catalog_billing.service_layer.access import Actor
from plumbing.auth.permissions import NotAMember, PermissionDenied
from plumbing.events.envelope import Envelope
from plumbing.events.schemas import EventSchemas

REPO = Path(__file__).resolve().parents[3]
SCHEMAS = EventSchemas(REPO / "contracts" / "events")
GROUP, OTHER_GROUP, COMPANY = new_uuid(), new_uuid(), new_uuid()
AFFICHAGE, FINANCES, OUTSIDER, STAFF = (Actor(new_uuid()), Actor(new_uuid()), Actor(new_uuid()),
                                        Actor(new_uuid(), is_staff=True))


def bank_with(credits_count: int, credit_type: str = "ing") -> FakeBillingUnitOfWork:
    uow = FakeBillingUnitOfWork()
    uow.memberships.roles[(AFFICHAGE.account_id, GROUP)] = "affichage"
    uow.memberships.roles[(FINANCES.account_id, GROUP)] = "finances"
    if credits_count:
        credits.grant_purchase(uow, group_id=GROUP, company_id=COMPANY, credit_type=credit_type,
                               quantity=credits_count, invoice_id=new_uuid(), actor_account_id=FINANCES.account_id,
                               now=T0)
        uow.commit()
    return uow


def valid(uow: FakeBillingUnitOfWork) -> list[tuple[str, dict]]:
    """Every emitted event, checked against its schema as the real outbox would."""
    for event_type, data in uow.emitted:
        SCHEMAS.validate(Envelope.new(event_type, data, producer="catalog-billing", occurred_at=T0))
    return uow.emitted


def test_a_purchase_credits_the_bank_with_a_purchase_entry_and_an_event():
    uow = bank_with(5)
    assert credits.balances(uow, GROUP) == {"ing": 5}
    (entry,) = uow.credits.rows
    assert (entry.delta, entry.reason, entry.credit_type) == (5, "purchase", "ing") and entry.invoice_id
    ((event_type, data),) = valid(uow)
    assert event_type == "billing.credit.purchased"
    assert (data["quantity"], data["balance"], data["group_id"]) == (5, 5, GROUP)


def test_reserve_writes_applied_minus_one_and_again_changes_nothing():
    bus, uow = fake_bus(bank_with(2))
    offer = new_uuid()
    first = bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE))
    again = bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE))
    assert first.changed and not again.changed
    assert again.reservation == first.reservation and first.reservation.status == "reserved"
    assert credits.balances(uow, GROUP) == {"ing": 1}
    assert [(e.reason, e.delta, e.offer_id) for e in uow.credits.rows[1:]] == [("applied", -1, offer)]
    assert [t for t, _ in valid(uow)] == ["billing.credit.purchased", "billing.credit.applied"]
    assert uow.credits.locked.count(GROUP) >= 2  # the bank is locked before each sum


def test_no_credit_left_is_refused_and_writes_nothing():
    bus, uow = fake_bus(bank_with(1))
    bus.handle(c.ReserveCredit(new_uuid(), "ing", GROUP, AFFICHAGE))
    with pytest.raises(errors.NotEnoughCredits) as refused:
        bus.handle(c.ReserveCredit(new_uuid(), "ing", GROUP, AFFICHAGE))
    assert refused.value.code == "no_credit" and refused.value.status == 409
    with pytest.raises(errors.NotEnoughCredits):  # another type: none either
        bus.handle(c.ReserveCredit(new_uuid(), "cpi", GROUP, AFFICHAGE))
    assert credits.balances(uow, GROUP) == {"ing": 0}
    assert len(uow.credits.rows) == 2 and len(uow.credits.reservations) == 1


def test_a_group_without_a_bank_has_no_credit():
    bus, _ = fake_bus(bank_with(0))
    with pytest.raises(errors.NotEnoughCredits):
        bus.handle(c.ReserveCredit(new_uuid(), "ing", GROUP, AFFICHAGE))


def test_consume_spends_the_credit_without_an_entry_and_release_is_then_refused():
    bus, uow = fake_bus(bank_with(1))
    offer = new_uuid()
    bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE))
    consumed = bus.handle(c.ConsumeCredit(offer, "ing", AFFICHAGE))
    assert consumed.changed and consumed.reservation.status == "consumed" and consumed.reservation.consumed_at == T0
    assert not bus.handle(c.ConsumeCredit(offer, "ing", AFFICHAGE)).changed
    with pytest.raises(errors.Conflict) as refused:
        bus.handle(c.ReleaseCredit(offer, "ing", AFFICHAGE))
    assert refused.value.code == "reservation_consumed"
    assert len(uow.credits.rows) == 2 and credits.balances(uow, GROUP) == {"ing": 0}
    # Reserving a consumed offer again is the same reservation: no second credit.
    assert not bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE)).changed


def test_release_returns_the_credit_once():
    bus, uow = fake_bus(bank_with(1))
    offer = new_uuid()
    bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE))
    released = bus.handle(c.ReleaseCredit(offer, "ing", AFFICHAGE))
    again = bus.handle(c.ReleaseCredit(offer, "ing", AFFICHAGE))
    assert released.changed and not again.changed and again.reservation.status == "released"
    assert credits.balances(uow, GROUP) == {"ing": 1}
    assert [e.reason for e in uow.credits.rows] == ["purchase", "applied", "released"]
    assert [t for t, _ in valid(uow)][-1] == "billing.credit.released"
    assert valid(uow)[-1][1]["balance"] == 1
    with pytest.raises(errors.Conflict) as refused:  # a released credit cannot be consumed
        bus.handle(c.ConsumeCredit(offer, "ing", AFFICHAGE))
    assert refused.value.code == "reservation_released"
    # Reserved again later (the offer is submitted anew): a new applied entry.
    assert bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE)).changed
    assert credits.balances(uow, GROUP) == {"ing": 0}


def test_an_unknown_reservation_is_not_found():
    bus, _ = fake_bus(bank_with(1))
    for command in (c.ConsumeCredit(new_uuid(), "ing", AFFICHAGE), c.ReleaseCredit(new_uuid(), "ing", AFFICHAGE)):
        with pytest.raises(errors.NotFound):
            bus.handle(command)


def test_only_members_who_publish_offers_or_staff_move_credits():
    bus, uow = fake_bus(bank_with(3))
    with pytest.raises(PermissionDenied):
        bus.handle(c.ReserveCredit(new_uuid(), "ing", GROUP, FINANCES))
    with pytest.raises(NotAMember):
        bus.handle(c.ReserveCredit(new_uuid(), "ing", GROUP, OUTSIDER))
    offer = new_uuid()
    bus.handle(c.ReserveCredit(offer, "ing", GROUP, STAFF))
    with pytest.raises(NotAMember):  # someone else's reservation does not exist for an outsider
        bus.handle(c.ReleaseCredit(offer, "ing", OUTSIDER))
    with pytest.raises(PermissionDenied):
        bus.handle(c.ConsumeCredit(offer, "ing", FINANCES))
    assert credits.balances(uow, GROUP) == {"ing": 2}
    # Reading: every member (finances too), never an outsider.
    assert bus.query(views.credit_balances, FINANCES, GROUP)["ing"] == 2
    with pytest.raises(NotAMember):
        bus.query(views.credit_entries, OUTSIDER, GROUP)


def test_an_offer_reserved_by_one_group_cannot_be_reserved_by_another():
    uow = bank_with(1)
    uow.memberships.roles[(AFFICHAGE.account_id, OTHER_GROUP)] = "principal"
    credits.grant_purchase(uow, group_id=OTHER_GROUP, company_id=COMPANY, credit_type="ing", quantity=1,
                           invoice_id=new_uuid(), actor_account_id=None, now=T0)
    bus, _ = fake_bus(uow)
    offer = new_uuid()
    bus.handle(c.ReserveCredit(offer, "ing", GROUP, AFFICHAGE))
    with pytest.raises(errors.Conflict) as refused:
        bus.handle(c.ReserveCredit(offer, "ing", OTHER_GROUP, AFFICHAGE))
    assert refused.value.code == "reservation_other_group"


def test_transfer_moves_credits_between_groups_of_a_company_and_refuses_more_than_held():
    uow = bank_with(5)
    out, into = credits.transfer_credits(uow, from_group_id=GROUP, to_group_id=OTHER_GROUP, credit_type="ing",
                                         quantity=3, actor_account_id=STAFF.account_id, now=T0)
    uow.commit()
    assert (out.reason, out.delta, out.counterpart_group_id) == ("transfer_out", -3, OTHER_GROUP)
    assert (into.reason, into.delta, into.counterpart_group_id) == ("transfer_in", 3, GROUP)
    assert credits.balances(uow, GROUP) == {"ing": 2} and credits.balances(uow, OTHER_GROUP) == {"ing": 3}
    assert valid(uow)[-1][0] == "billing.credit.transferred"
    with pytest.raises(errors.NotEnoughCredits):
        credits.transfer_credits(uow, from_group_id=GROUP, to_group_id=OTHER_GROUP, credit_type="ing", quantity=3,
                                 actor_account_id=STAFF.account_id, now=T0)
    with pytest.raises(errors.InvalidInput):
        credits.transfer_credits(uow, from_group_id=GROUP, to_group_id=GROUP, credit_type="ing", quantity=1,
                                 actor_account_id=STAFF.account_id, now=T0)
    uow.credits.ensure_bank(third := new_uuid(), new_uuid(), T0)
    with pytest.raises(errors.InvalidInput) as refused:
        credits.transfer_credits(uow, from_group_id=GROUP, to_group_id=third, credit_type="ing", quantity=1,
                                 actor_account_id=STAFF.account_id, now=T0)
    assert refused.value.code == "other_company"
    assert credits.balances(uow, GROUP) == {"ing": 2}


@pytest.mark.parametrize("credit_type, quantity", [("gold", 1), ("ing", 0), ("ing", -2)])
def test_bad_types_and_quantities_are_refused(credit_type: str, quantity: int):
    uow = bank_with(0)
    with pytest.raises(errors.InvalidInput):
        credits.grant_purchase(uow, group_id=GROUP, company_id=COMPANY, credit_type=credit_type, quantity=quantity,
                               invoice_id=new_uuid(), actor_account_id=None, now=T0)
    assert uow.credits.rows == []


def test_an_entry_cannot_move_against_its_reason():
    with pytest.raises(ValueError):
        CreditEntry(new_uuid(), GROUP, "ing", 1, "applied", T0)
    with pytest.raises(ValueError):
        CreditEntry(new_uuid(), GROUP, "ing", -5, "purchase", T0)


def test_a_quote_prices_a_quoted_product_for_one_offer():
    bus, uow = fake_bus(bank_with(0))
    offer = new_uuid()
    quote = bus.handle(c.CreateQuote(GROUP, offer, "envoi-regions", 850, AFFICHAGE))
    assert quote.amount_cents == 300_00 + 2 * 850 * 100
    assert uow.quotes.get(quote.id) == quote and quote.offer_id == offer
    with pytest.raises(errors.InvalidInput) as refused:
        bus.handle(c.CreateQuote(GROUP, offer, "ing-5", 1, AFFICHAGE))
    assert refused.value.code == "product_not_quoted"
    with pytest.raises(errors.InvalidInput):
        bus.handle(c.CreateQuote(GROUP, offer, "nope", 1, STAFF))
    with pytest.raises(PermissionDenied):
        bus.handle(c.CreateQuote(GROUP, offer, "envoi-regions", 1, FINANCES))


def test_the_event_schemas_refuse_unknown_fields():
    schema = json.loads((REPO / "contracts/events/billing.credit.applied.v1.schema.json").read_text())
    assert schema["additionalProperties"] is False
