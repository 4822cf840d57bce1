"""[staff] OIQ staff tools: invoice-payment eligibility, credit transfers between a company's groups,
promo codes; and the views the staff pages read. Handlers are in `STAFF_HANDLERS` (one section of
handlers.COMMAND_HANDLERS).

Companies and groups are the ones this service knows from its membership projection (company-portal's
events carry their names): a company nobody belongs to is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from catalog_billing.domain import errors
from catalog_billing.domain.promo import PromoCode
from catalog_billing.domain.staff import CompanyRef, CompanyTerms, GroupRef
from catalog_billing.service_layer import commands as c
from catalog_billing.service_layer import credits
from catalog_billing.service_layer.ports import Dependencies, UnitOfWork
from plumbing.messagebus import Handler


def unknown_company() -> errors.NotFound:
    return errors.NotFound("unknown_company", "Cette entreprise est introuvable.", "This company cannot be found.")


def unknown_group(field: str) -> errors.InvalidInput:
    return errors.InvalidInput("unknown_group", "Choisissez un groupe de cette entreprise.",
                               "Choose a group of this company.", field=field)


def promo_code_taken() -> errors.Conflict:
    return errors.Conflict("promo_code_taken", "Ce code promotionnel existe déjà : choisissez-en un autre.",
                           "This promo code already exists: choose another one.", field="code")


def set_invoice_payment_eligibility(cmd: c.SetInvoicePaymentEligibility, uow: UnitOfWork,
                                    deps: Dependencies) -> CompanyTerms:
    """Record the decision, who made it and when (the latest decision wins)."""
    if uow.companies.get(cmd.company_id) is None:
        raise unknown_company()
    terms = CompanyTerms(cmd.company_id, cmd.eligible, cmd.staff_account_id, cmd.staff_email, deps.clock.now())
    uow.companies.save_terms(terms)
    return terms


def transfer_between_groups(cmd: c.StaffTransferCredits, uow: UnitOfWork, deps: Dependencies) -> Any:
    """Both groups must belong to the company; core's `transfer_credits` locks, checks the balance
    (NotEnoughCredits: nothing written) and writes the two entries."""
    if uow.companies.get(cmd.company_id) is None:
        raise unknown_company()
    group_ids = {g.id for g in uow.companies.groups(cmd.company_id)}
    if cmd.from_group_id not in group_ids:
        raise unknown_group("from_group_id")
    if cmd.to_group_id not in group_ids:
        raise unknown_group("to_group_id")
    return credits.transfer_credits(uow, from_group_id=cmd.from_group_id, to_group_id=cmd.to_group_id,
                                    credit_type=cmd.credit_type, quantity=cmd.quantity,
                                    actor_account_id=cmd.staff_account_id, now=deps.clock.now())


def create_promo_code(cmd: c.CreatePromoCode, uow: UnitOfWork, deps: Dependencies) -> PromoCode:
    if uow.promo_codes.get(cmd.promo.code) is not None:
        raise promo_code_taken()
    uow.promo_codes.add(cmd.promo)
    return cmd.promo


STAFF_HANDLERS: dict[type, Handler] = {
    c.SetInvoicePaymentEligibility: set_invoice_payment_eligibility,
    c.StaffTransferCredits: transfer_between_groups,
    c.CreatePromoCode: create_promo_code,
}


# Views -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupCredits:
    group: GroupRef
    balances: dict[str, int]


@dataclass(frozen=True)
class CompanyBilling:
    company: CompanyRef
    terms: CompanyTerms | None
    groups: list[GroupCredits]

    @property
    def invoice_payment_eligible(self) -> bool:
        return bool(self.terms and self.terms.invoice_payment_eligible)


def find_companies(uow: UnitOfWork, query: str, limit: int = 50) -> list[tuple[CompanyRef, bool]]:
    """Companies whose name contains the query (all when it is empty), with their eligibility."""
    found = uow.companies.search(query, limit=limit)
    return [(company, uow.companies.invoice_payment_eligible(company.id)) for company in found]


def company_billing(uow: UnitOfWork, company_id: str) -> CompanyBilling | None:
    company = uow.companies.get(company_id)
    if company is None:
        return None
    groups = [GroupCredits(group, credits.balances(uow, group.id)) for group in uow.companies.groups(company_id)]
    return CompanyBilling(company, uow.companies.terms(company_id), groups)


def promo_codes(uow: UnitOfWork) -> list[PromoCode]:
    return uow.promo_codes.list()
