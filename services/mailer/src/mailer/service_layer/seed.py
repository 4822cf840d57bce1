"""Demo data of the job seekers' part (`make run`, the demo site): the demo member follows the demo
company and subscribed to the digest and targeted mailings. Idempotent."""

from __future__ import annotations

from typing import Any

from mailer.domain.members import Preferences

#: offers' codes (its reference data): building and civil engineering, Montréal, 0 to 2 years.
DEMO_DOMAINS = ("batiment", "civil")
DEMO_REGIONS = ("06",)
DEMO_YEARS = "0-2"


def seed_demo(bus: Any, *, member_account_id: str, company_name: str) -> bool:
    """False while the mailer has not heard of the company (its branding event is on the way)."""
    with bus.new_uow() as uow:
        company = uow.companies.named(company_name)
        if company is None:
            return False
        uow.follows.add(member_account_id, company.company_id, bus.deps.clock.now())
        if uow.preferences.get(member_account_id) is None:
            uow.preferences.save(Preferences(member_account_id, True, True, DEMO_DOMAINS, DEMO_REGIONS, DEMO_YEARS,
                                             bus.deps.clock.now()))
        uow.commit()
    return True
