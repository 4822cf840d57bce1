"""company-portal's staff API as contracts/company-portal.yaml declares it: what a request to it must
look like, and what each answer may look like. The portal client's tests run a local server that
checks both, so the client is tested against the contract rather than against our guess of it."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml
from jsonschema import Draft202012Validator

from plumbing.config import REPO_ROOT

CONTRACT = REPO_ROOT / "contracts" / "company-portal.yaml"


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema → JSON Schema: `nullable: true` becomes a type that admits null."""
    if isinstance(node, list):
        return [_json_schema(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("nullable", "example")}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    spec: dict[str, Any]


class PortalContract:
    def __init__(self) -> None:
        self.spec = _json_schema(yaml.safe_load(CONTRACT.read_text(encoding="utf-8")))
        self.prefix = self.spec["servers"][0]["url"]

    def _validate(self, schema: dict[str, Any], value: Any, where: str) -> list[str]:
        if "$ref" in schema:
            schema = self._resolve(schema["$ref"])
        validator = Draft202012Validator({**schema, "components": self.spec["components"]},
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        return [f"{where}: {error.message}" for error in validator.iter_errors(value)]

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.spec
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return copy.deepcopy(node)

    def operation(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        local = path.removeprefix(self.prefix)
        for template, item in self.spec["paths"].items():
            pattern = "^" + re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", template) + "$"
            match = re.match(pattern, local)
            if match and method.lower() in item:
                operation = item[method.lower()]
                parameters = [*item.get("parameters", []), *operation.get("parameters", [])]
                return Operation(method, template, {**operation, "parameters": parameters}), match.groupdict()
        return None, {}

    def check_request(self, method: str, target: str, headers: dict[str, str], body: Any) -> list[str]:
        """Every way this request breaks the contract (empty when it is a valid call)."""
        url = urlsplit(target)
        operation, path_values = self.operation(method, url.path)
        if operation is None:
            return [f"{method} {url.path}: no such operation in {CONTRACT.name}"]
        where = f"{method} {operation.template}"
        problems: list[str] = []
        lower = {k.lower(): v for k, v in headers.items()}
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        for raw in operation.spec["parameters"]:
            parameter = self._resolve(raw["$ref"]) if "$ref" in raw else raw
            name, place = parameter["name"], parameter["in"]
            value = {"path": path_values, "query": query}.get(place, {}).get(name) if place != "header" \
                else lower.get(name.lower())
            if value is None:
                if parameter.get("required"):
                    problems.append(f"{where}: {place} parameter {name} is missing")
                continue
            problems += self._validate(parameter["schema"], value, f"{where} {place} {name}")
        if not lower.get("authorization", "").startswith("Bearer "):
            problems.append(f"{where}: no bearer token")
        request_body = operation.spec.get("requestBody")
        if request_body is not None:
            if body is None:
                problems.append(f"{where}: the body is missing")
            else:
                problems += self._validate(request_body["content"]["application/json"]["schema"], body,
                                           f"{where} body")
        elif body is not None:
            problems.append(f"{where}: a body where none is declared")
        return problems

    def check_answer(self, method: str, target: str, status: int, body: Any) -> list[str]:
        """Every way this answer breaks the contract (the test's scripted answers must be real ones)."""
        operation, _ = self.operation(method, urlsplit(target).path)
        if operation is None:
            return []
        where = f"{method} {operation.template} → {status}"
        declared = operation.spec["responses"].get(str(status))
        if declared is None:
            return [f"{where}: status not declared"]
        if "$ref" in declared:
            declared = self._resolve(declared["$ref"])
        content = declared.get("content", {})
        media = "application/problem+json" if status >= 400 else "application/json"
        if media not in content:
            return [] if body in (None, {}) else [f"{where}: no {media} body declared"]
        return self._validate(content[media]["schema"], body, where)
