"""Property-based contract test of catalog-billing's API, in process: requests generated from
contracts/catalog-billing.yaml, valid and invalid, sent as an affichage member of a group with
credits and as OIQ staff, never get a 5xx and conform to the contract (status codes, content types,
headers, bodies). tests-e2e/test_billing_schemathesis.py does the same through the gateway.

Half of the generated requests get the real group's id (path and body), so they reach the handlers
behind the permission check, not only its 404.
"""

from __future__ import annotations

import pytest
import schemathesis
from billing_testkit import API, add_member, auth, new_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog_billing.service_layer import credits

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


def with_real_group(case, group_id: str) -> None:
    if case.path_parameters and "group_id" in case.path_parameters:
        case.path_parameters["group_id"] = group_id
    if isinstance(case.body, dict) and "group_id" in case.body:
        case.body["group_id"] = group_id


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("caller", ["affichage", "staff"])
def test_no_server_error_and_the_contract_holds(bundle, bus, mode: GenerationMode, caller: str) -> None:
    member, group_id = new_id(), new_id()
    add_member(bundle, member, group_id, "affichage")
    with bus.new_uow() as uow:
        credits.grant_purchase(uow, group_id=group_id, company_id=new_id(), credit_type="ing", quantity=50,
                               invoice_id=new_id(), actor_account_id=None, now=bus.deps.clock.now())
        uow.commit()
    headers = auth(member) if caller == "affichage" else auth(new_id(), "staff")
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", bundle.asgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    exercised = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode), real_group=st.booleans())
        @settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case, real_group: bool) -> None:
            if real_group:
                with_real_group(case, group_id)
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
            exercised += 1
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert exercised >= len(operations) // 2
