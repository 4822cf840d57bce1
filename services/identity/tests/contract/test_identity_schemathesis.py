"""Property-based contract test: requests generated from contracts/identity.yaml, valid and
invalid (wrong types, missing and unknown fields, odd strings), never get a 5xx, and every answer
matches the contract (connexion validates responses too).

Schemathesis's strategies are driven by Hypothesis directly (its pytest plugin does not support
pytest 9's internals yet).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from identity.bootstrap import bootstrap
from plumbing.config import Settings


@pytest.fixture(scope="module")
def identity_schema(tmp_path_factory: pytest.TempPathFactory):
    var: Path = tmp_path_factory.mktemp("identity-contract")
    base = Settings.from_env("identity")
    bundle = bootstrap(dataclasses.replace(base, database_url=f"sqlite:///{var / 'identity.db'}", var_dir=var))
    bundle.migrate()
    return schemathesis.openapi.from_asgi("/api/identity/v1/openapi.json", bundle.asgi)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_no_server_error_and_responses_conform(identity_schema, mode):
    operations = [result.ok() for result in identity_schema.get_all_operations()]
    assert len(operations) >= 11
    exercised = 0
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call()
            assert response.status_code < 500, (operation.label, case.body, response.text[:500])
            if response.status_code >= 400:
                assert response.headers["content-type"][0].startswith("application/problem+json")

        try:
            check()
            exercised += 1
        except Unsatisfiable:
            # Nothing to make invalid: an operation with no body and no query parameters.
            assert mode is GenerationMode.NEGATIVE and not operation.body and not operation.query, operation.label
    assert exercised >= len(operations) - 3
