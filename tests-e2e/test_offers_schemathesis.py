"""Issue 9, done means 8 (last part): schemathesis on contracts/offers.yaml through the gateway of
the distributed suite: no 5xx, and every answer conforms to the contract (status codes, content
types, headers, bodies). Like test_billing_schemathesis.py. Issue 11: the anonymous search
(`GET /published-offers` and its query parameters) gets a longer run of its own.

Two callers in turn: a principal·e's access token (identity's POST /sessions), then an API key
the principal·e created (`Bearer ingk_…`), for a group that has credits, so that submissions reach
catalog-billing. Half of the generated requests get the real group's id, or a real offer's id.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from offers_support import API, access_token, api_offer_body, billing_knows_key, employer_group, secret_in
from portal_support import Registry
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from suite.distributed import DistributedSuite
from tests_e2e_support import Browser

pytestmark = pytest.mark.e2e

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_schemathesis_on_the_offers_contract_through_the_gateway(
    suite: DistributedSuite, mail_dir: Path, staff_browser: Browser, registry: Registry
) -> None:
    principal, group = employer_group(
        suite,
        mail_dir,
        staff_browser,
        registry.take(),
        "Jérôme",
        "Caron",
        credits={"ing": 30, "cpi": 30, "vedette": 10},
    )
    principal.browser.close()
    group_id = group["group_id"]
    base_url = f"{suite.gateway_url}{API}"
    token = {"Authorization": f"Bearer {access_token(suite, principal.email)}"}
    with httpx.Client(base_url=base_url, timeout=10) as http:
        key = http.post(f"/groups/{group_id}/api-keys", json={"name": "schemathesis"}, headers=token)
        assert key.status_code == 201, key.text
        reference = http.get("/reference").json()
        body = api_offer_body(reference, "Offre de référence", date.today() + timedelta(days=30))
        offer = http.post(f"/groups/{group_id}/offers", json=body, headers=token)
        assert offer.status_code == 201, offer.text
        offer_id = offer.json()["id"]
    billing_knows_key(suite, secret_in(key.json()))
    callers = [token, {"Authorization": f"Bearer {secret_in(key.json())}"}]

    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 18  # DESIGN.md's employer, key, staff, public and reference operations
    for headers in callers:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercised = 0
            for operation in operations:

                @given(case=operation.as_strategy(generation_mode=mode), real_ids=st.booleans())
                @settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
                def check(case, real_ids: bool) -> None:
                    if real_ids and case.path_parameters:
                        if "group_id" in case.path_parameters:
                            case.path_parameters["group_id"] = group_id
                        if "offer_id" in case.path_parameters:
                            case.path_parameters["offer_id"] = offer_id
                    response = case.call(base_url=base_url, headers=headers)
                    case.validate_response(response, checks=CHECKS, headers=headers)

                try:
                    check()
                    exercised += 1
                except Unsatisfiable:
                    assert mode is GenerationMode.NEGATIVE, operation.label
            assert exercised >= len(operations) // 2


#: The anonymous search's query parameters (docs/jobsite-design.md, "Search").
SEARCH_PARAMETERS = {"q", "domaine", "region", "profil", "type", "formule", "experience", "entreprise", "page"}


def test_schemathesis_on_the_anonymous_search(suite: DistributedSuite) -> None:
    """Issue 11: `GET /published-offers` with its search parameters, anonymous, many examples
    (repeated filters, unknown codes, long text, odd pages): never a 5xx, always the contract."""
    base_url = f"{suite.gateway_url}{API}"
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    operation = schema["/published-offers"]["GET"]
    names = {parameter.name for parameter in operation.query}
    assert SEARCH_PARAMETERS <= names, SEARCH_PARAMETERS - names
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case) -> None:
            response = case.call(base_url=base_url)
            case.validate_response(response, checks=CHECKS)

        check()
