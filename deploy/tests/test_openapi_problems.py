"""Every operation of every OpenAPI contract declares the 400 it can return, as problem+json.

The APIs validate strictly (plumbing.web.api.build_api): an unknown query parameter, a malformed
path parameter or body is a 400 on any operation, so each one says so. The Problem schema bounds
`detail` to what plumbing sends at most (plumbing.web.problem.MAX_DETAIL).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from plumbing.web.problem import MAX_DETAIL

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
APIS = sorted(p for p in CONTRACTS.glob("*.yaml") if "openapi" in yaml.safe_load(p.read_text(encoding="utf-8")))
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{method.upper()} {path}", operation) for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS]


def test_there_are_contracts_to_check() -> None:
    assert {p.name for p in APIS} >= {"identity.yaml", "company-portal.yaml"}


@pytest.mark.parametrize("contract", APIS, ids=lambda p: p.name)
def test_every_operation_declares_400_problem_json(contract: Path) -> None:
    document = yaml.safe_load(contract.read_text(encoding="utf-8"))
    missing = []
    for name, operation in operations(document):
        response = operation["responses"].get("400")
        if response is None:
            missing.append(name)
            continue
        content = resolve(document, response).get("content", {})
        assert "application/problem+json" in content, f"{name}: 400 is not problem+json"
        schema = resolve(document, content["application/problem+json"]["schema"])
        assert schema["properties"]["detail"]["maxLength"] <= MAX_DETAIL, name
    assert not missing, f"{contract.name}: operations without a declared 400: {missing}"


@pytest.mark.parametrize("contract", APIS, ids=lambda p: p.name)
def test_the_problem_schema_bounds_detail_to_what_plumbing_sends(contract: Path) -> None:
    problem = yaml.safe_load(contract.read_text(encoding="utf-8"))["components"]["schemas"]["Problem"]
    assert problem["properties"]["detail"]["maxLength"] == MAX_DETAIL
