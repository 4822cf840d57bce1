"""Property-based contract test of the offers API, in process: requests generated from
contracts/offers.yaml, valid and invalid, sent with an HR system's API key and as OIQ staff, never
get a 5xx and conform to the contract (status codes, content types, headers, bodies).

Half of the generated requests get the real group's id and a real offer's id (path), so they reach
the handlers behind the permission checks, not only their 404.
"""

from __future__ import annotations

import pytest
import schemathesis

#: The fixtures (bundle, client, clock, bank, test keys).
from api_fixtures import bank, bundle, client, clock, test_keys  # noqa: F401 (fixtures of this module only)
from api_testkit import API, COMPLETE_CONFIG, COMPLETE_CONTENT, add_member, auth, create_key, key_auth, new_id
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

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def with_real_ids(case, group_id: str, offer_id: str) -> None:
    if case.path_parameters:
        if "group_id" in case.path_parameters:
            case.path_parameters["group_id"] = group_id
        if "offer_id" in case.path_parameters:
            case.path_parameters["offer_id"] = offer_id


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("caller", ["api_key", "staff"])
def test_no_server_error_and_the_contract_holds(bundle, client, bank, mode: GenerationMode, caller: str) -> None:
    principal, group_id = new_id(), new_id()
    add_member(bundle, principal, group_id, "principal")
    bank.grant(group_id, "ing", 50)
    key = create_key(client, principal, group_id)["key"]
    offer = client.post(
        f"{API}/groups/{group_id}/offers",
        json={"profile": "ing", "content": COMPLETE_CONTENT, "config": COMPLETE_CONFIG},
        headers=key_auth(key),
    )
    assert offer.status_code == 201, offer.text
    offer_id = offer.json()["id"]
    headers = key_auth(key) if caller == "api_key" else auth(new_id(), "staff")
    schema = schemathesis.openapi.from_asgi(f"{API}/openapi.json", bundle.asgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19
    exercised = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode), real_ids=st.booleans())
        @settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case, real_ids: bool) -> None:
            if real_ids:
                with_real_ids(case, group_id, offer_id)
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
            exercised += 1
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert exercised >= len(operations) // 2
