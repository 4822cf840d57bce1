"""Property-based contract test of company-portal's API: requests generated from
contracts/company-portal.yaml, valid and invalid, sent as a principal·e of a real group and as OIQ
staff, never get a 5xx, and every error is problem+json (connexion validates responses too).

The group's real id is put into every `group_id` path parameter half of the time, so the generated
requests reach the handlers behind the permission check, not only its 404.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from portal_testkit import add_account, add_company, add_group, auth
from schemathesis.generation import GenerationMode

from company_portal.bootstrap import PortalBundle


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("caller", ["principal", "staff"])
def test_no_server_error_and_errors_are_problems(bundle: PortalBundle, mode: GenerationMode, caller: str) -> None:
    principal = add_account(bundle.bus)
    company_id = add_company(bundle.bus)
    group_id = add_group(bundle.bus, company_id, members={principal: "principal"})
    headers = auth(principal) if caller == "principal" else auth(add_account(bundle.bus), kind="staff")
    schema = schemathesis.openapi.from_asgi("/api/company-portal/v1/openapi.json", bundle.asgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    exercised = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode), real_group=st.booleans())
        @settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case, real_group: bool) -> None:
            if real_group and case.path_parameters and "group_id" in case.path_parameters:
                case.path_parameters["group_id"] = group_id
            response = case.call(headers=headers)
            assert response.status_code < 500, (operation.label, case.path_parameters, case.body,
                                                 response.text[:500])
            if response.status_code >= 400:
                assert response.headers["content-type"][0].startswith("application/problem+json"), operation.label

        try:
            check()
            exercised += 1
        except Unsatisfiable:
            # Nothing to make invalid: an operation with no body and no query parameters.
            assert mode is GenerationMode.NEGATIVE, operation.label
    assert exercised >= len(operations) // 2
