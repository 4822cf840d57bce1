"""The offers part of the demo data (offers.service_layer.seed): the demo group's offers in every
status. Their credits come from catalog-billing's ledger, called in-process as staff (the seed has
no one's bearer token); without catalog-billing, from an in-memory bank.

Then the public job site's offers (offers.service_layer.seed_jobsite): five other employers made
in company-portal (their groups and principals reach offers through the usual events), about
twenty-five offers « En cours » among them."""

from __future__ import annotations

import logging
import time
from typing import Any

from plumbing.service import ServiceBundle

#: How long the seed waits for offers to hear of the demo group (company-portal's membership events
#: travel through the workers, started before the seed).
OFFERS_PROJECTION_WAIT = 30.0


class LedgerBank:
    """offers' CreditBank port over catalog-billing's own command handlers, acting as OIQ staff."""

    def __init__(self, bus: Any, staff_account_id: str) -> None:
        from catalog_billing.service_layer.access import Actor

        self.bus = bus
        self.actor = Actor(staff_account_id, is_staff=True)

    def reserve(self, offer_id: str, credit_type: str, group_id: str, *, token: str) -> bool:
        from catalog_billing.domain.errors import NotEnoughCredits
        from catalog_billing.service_layer.commands import ReserveCredit
        from offers.service_layer.ports import NoCredit

        try:
            return bool(self.bus.handle(ReserveCredit(offer_id, credit_type, group_id, self.actor)).changed)
        except NotEnoughCredits:
            raise NoCredit(credit_type) from None

    def consume(self, offer_id: str, credit_type: str, *, token: str) -> None:
        from catalog_billing.service_layer.commands import ConsumeCredit

        self.bus.handle(ConsumeCredit(offer_id, credit_type, self.actor))

    def release(self, offer_id: str, credit_type: str, *, token: str) -> None:
        from catalog_billing.service_layer.commands import ReleaseCredit

        self.bus.handle(ReleaseCredit(offer_id, credit_type, self.actor))

    def balances(self, group_id: str, *, token: str) -> dict[str, int]:
        from catalog_billing.service_layer import credits

        with self.bus.new_uow() as uow:
            return credits.balances(uow, group_id)


def _wait_for_groups(bus: Any, principal_ids: list[str]) -> bool:
    """Until offers knows every principal's group (company-portal's events, through the workers)."""

    def known(uow: Any) -> bool:
        return all(uow.memberships.groups_of(account_id) for account_id in principal_ids)

    deadline = time.monotonic() + OFFERS_PROJECTION_WAIT
    while not bus.query(known):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def seed_jobsite_offers(bundles: dict[str, ServiceBundle], *, staff: Any) -> dict[str, str]:
    """{title: offer id} of the job site's demo offers made ({} when they exist)."""
    from company_portal.service_layer.seed import JOBSITE_EMPLOYERS, seed_jobsite_employers
    from offers.adapters.billing_client import InMemoryCreditBank
    from offers.service_layer.seed_jobsite import seed_jobsite

    employers = seed_jobsite_employers(bundles["company-portal"].extras["bus"])
    bus = bundles["offers"].extras["bus"]
    if not _wait_for_groups(bus, [principal for _, principal in employers]):
        logging.getLogger(__name__).warning("offers has not heard of the job site's employers: no job site offers")
        return {}
    names = [info.legal_name for info, *_ in JOBSITE_EMPLOYERS]
    rows = [(group, principal, name) for (group, principal), name in zip(employers, names, strict=True)]
    return seed_jobsite(bus, rows, staff_id=staff.id, bank=InMemoryCreditBank())


def seed_offers(bundles: dict[str, ServiceBundle], *, principal: Any, affichage: Any, staff: Any) -> dict[str, str]:
    """{status: offer id} of the demo offers made ({} when they exist or offers never heard of the group)."""
    from offers.adapters.billing_client import InMemoryCreditBank
    from offers.service_layer.seed import seed_demo

    bus = bundles["offers"].extras["bus"]

    def groups(uow: Any) -> list[dict[str, str]]:
        return uow.memberships.groups_of(principal.id)

    deadline = time.monotonic() + OFFERS_PROJECTION_WAIT
    while not (found := bus.query(groups)):
        if time.monotonic() > deadline:
            logging.getLogger(__name__).warning("offers has not heard of the demo group: no demo offers")
            return {}
        time.sleep(0.2)
    group_id = found[0]["id"]
    if "catalog-billing" in bundles:
        bank: Any = LedgerBank(bundles["catalog-billing"].extras["bus"], staff.id)
    else:
        bank = InMemoryCreditBank({(group_id, "ing"): 5, (group_id, "cpi"): 2})
    return seed_demo(
        bus, bank, group_id=group_id, principal_id=principal.id, affichage_id=affichage.id, staff_id=staff.id
    )
