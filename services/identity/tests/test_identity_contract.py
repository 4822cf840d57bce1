"""The contracts identity owns: OpenAPI closed and bounded; operations exist; event schemas closed."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import yaml

from identity.entrypoints import http

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
SPEC = yaml.safe_load((CONTRACTS / "identity.yaml").read_text(encoding="utf-8"))
NON_BLOCKING = {"get_jwks", "get_email_policy"}


def walk(node: Any, path: str = ""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{path}[{index}]")


def test_every_object_is_closed_and_every_string_bounded():
    for path, node in walk(SPEC):
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, path
        if node.get("type") == "string":
            assert "maxLength" in node, path


def test_every_operation_has_a_handler_async_only_where_nothing_blocks():
    operations = [op for item in SPEC["paths"].values() for op in item.values()]
    assert len(operations) == 13
    for operation in operations:
        handler = getattr(http, operation["operationId"])
        assert inspect.iscoroutinefunction(handler) == (operation["operationId"] in NON_BLOCKING)
        assert "/" in operation["summary"]  # French / English


def test_bearer_scheme_uses_plumbing_verification():
    scheme = SPEC["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["x-bearerInfoFunc"] == "plumbing.auth.tokens.bearer_info"


def test_event_schemas_are_closed():
    for path in CONTRACTS.glob("events/identity.*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["additionalProperties"] is False, path.name
