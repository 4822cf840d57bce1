"""Done means 7: schemathesis on catalog-billing's OpenAPI through the gateway of the distributed
suite, with a real employer's access token (identity's POST /sessions): no 5xx, and every answer
conforms to contracts/catalog-billing.yaml (status codes, content types, headers, bodies).

The employer is the principal·e of a group approved by staff (company-portal), which
catalog-billing learns from the membership events; the group is given credits so that reserve,
consume and release reach their handlers. Half of the generated requests get the real group's id.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from portal_support import PASSWORD, Registry, principal_of_new_group
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog_billing.bootstrap import bootstrap
from catalog_billing.service_layer import credits
from plumbing.config import Settings
from plumbing.testing import wait_until
from suite.distributed import DistributedSuite
from tests_e2e_support import Browser

pytestmark = pytest.mark.e2e

API = "/api/catalog-billing/v1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def access_token(suite: DistributedSuite, email: str) -> str:
    answer = httpx.post(f"{suite.gateway_url}/api/identity/v1/sessions", json={"email": email, "password": PASSWORD},
                        timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"]


def give_credits(suite: DistributedSuite, group_id: str, company_id: str) -> None:
    """Credits in the group's bank, as a purchase would leave them (checkout is tested elsewhere)."""
    settings_ = dataclasses.replace(Settings.from_env("catalog-billing"),
                                    database_url=suite.infra.database_urls["catalog-billing"])
    bundle = bootstrap(settings_)
    bus = bundle.extras["bus"]
    try:
        with bus.new_uow() as uow:
            credits.grant_purchase(uow, group_id=group_id, company_id=company_id, credit_type="ing", quantity=50,
                                   invoice_id=str(uuid.uuid4()), actor_account_id=None, now=bus.deps.clock.now())
            uow.commit()
    finally:
        bundle.runtime.engine.dispose()


def test_schemathesis_through_the_gateway(suite: DistributedSuite, mail_dir: Path, staff_browser: Browser,
                                          registry: Registry) -> None:
    principal, group = principal_of_new_group(suite, mail_dir, staff_browser, registry.take(), "Héloïse", "Cloutier")
    principal.browser.close()
    group_id = group["group_id"]
    headers = {"Authorization": f"Bearer {access_token(suite, principal.email)}"}
    balances = f"{suite.gateway_url}{API}/groups/{group_id}/credits"
    # catalog-billing learns the membership from company-portal's events.
    wait_until(lambda: httpx.get(balances, headers=headers, timeout=5).status_code == 200, timeout=30, interval=0.3,
               message="catalog-billing never learned the membership")
    give_credits(suite, group_id, group["company_id"])

    schema = schemathesis.openapi.from_url(f"{suite.gateway_url}{API}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    base_url = f"{suite.gateway_url}{API}"
    with httpx.Client(timeout=10) as http:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercised = 0
            for operation in operations:

                @given(case=operation.as_strategy(generation_mode=mode), real_group=st.booleans())
                @settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
                def check(case, real_group: bool) -> None:
                    if real_group and case.path_parameters and "group_id" in case.path_parameters:
                        case.path_parameters["group_id"] = group_id
                    if real_group and isinstance(case.body, dict) and "group_id" in case.body:
                        case.body["group_id"] = group_id
                    response = case.call(base_url=base_url, headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)

                try:
                    check()
                    exercised += 1
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE, operation.label
            assert exercised >= len(operations) // 2
        # The generated reservations took credits through the gateway: the ledger still balances.
        items = http.get(balances, headers=headers).json()["items"]
        assert 0 <= {i["credit_type"]: i["balance"] for i in items}["ing"] <= 50
