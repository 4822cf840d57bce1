"""JSON Schemas of the event types, read from contracts/events/.

Files: `envelope.schema.json` for the envelope, and `<type>.v<version>.schema.json` for the data
of each event type. Producers validate strictly before writing to the outbox (unknown fields are
refused: the contract must list them first). Consumers read tolerantly (decisions.md, "Event evolution"): the same
schema with every `additionalProperties: false` lifted, so a field added by a newer producer is
ignored, while a missing required field or a wrong type is poison.
"""

from __future__ import annotations

import copy
import json
from functools import cached_property
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from plumbing.events.envelope import Envelope, PoisonMessage


class EventSchemaError(ValueError):
    """An event that does not match its contract."""


class EventSchemas:
    def __init__(self, events_dir: Path) -> None:
        self.events_dir = events_dir
        self._validators: dict[str, Draft202012Validator] = {}
        self._tolerant: dict[str, Draft202012Validator] = {}

    @cached_property
    def _envelope_validator(self) -> Draft202012Validator:
        return self._load("envelope.schema.json")

    def _load(self, filename: str) -> Draft202012Validator:
        if filename not in self._validators:
            path = self.events_dir / filename
            if not path.is_file():
                raise EventSchemaError(f"no schema {filename} in {self.events_dir}")
            schema = json.loads(path.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            self._validators[filename] = Draft202012Validator(schema)
        return self._validators[filename]

    def known_types(self) -> list[str]:
        return sorted(
            p.name.removesuffix(".schema.json")
            for p in self.events_dir.glob("*.v*.schema.json")
        )

    def validate(self, envelope: Envelope) -> None:
        """Raise EventSchemaError when the envelope or its data break the contract."""
        try:
            self._envelope_validator.validate(envelope.to_dict())
            self._load(f"{envelope.type}.v{envelope.version}.schema.json").validate(envelope.data)
        except ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
            raise EventSchemaError(f"{envelope.type} v{envelope.version}: {where}: {exc.message}") from exc

    def _load_tolerant(self, filename: str) -> Draft202012Validator:
        if filename not in self._tolerant:
            schema = _tolerant(copy.deepcopy(self._load(filename).schema))
            self._tolerant[filename] = Draft202012Validator(schema)
        return self._tolerant[filename]

    def validate_inbound(self, envelope: Envelope) -> None:
        """Tolerant reading: unknown fields pass; a missing or mistyped field makes it poison.

        The envelope was already parsed tolerantly (Envelope.from_json keeps known fields only).
        """
        try:
            self._load_tolerant("envelope.schema.json").validate(envelope.to_dict())
            self._load_tolerant(f"{envelope.type}.v{envelope.version}.schema.json").validate(envelope.data)
        except ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
            raise PoisonMessage(f"{envelope.type} v{envelope.version}: {where}: {exc.message}") from exc
        except EventSchemaError as exc:
            raise PoisonMessage(str(exc)) from exc
        except RecursionError as exc:
            raise PoisonMessage(f"{envelope.type} v{envelope.version}: data nested too deeply") from exc

    def data_schema(self, event_type: str, version: int = 1) -> dict[str, Any]:
        return self._load(f"{event_type}.v{version}.schema.json").schema


def _tolerant(schema: Any) -> Any:
    """The schema with `additionalProperties: false` (and `unevaluatedProperties: false`) lifted
    at every level, in place; everything else (required, types, formats) still holds."""
    if isinstance(schema, dict):
        for key in ("additionalProperties", "unevaluatedProperties"):
            if schema.get(key) is False:
                del schema[key]
        for value in schema.values():
            _tolerant(value)
    elif isinstance(schema, list):
        for item in schema:
            _tolerant(item)
    return schema
