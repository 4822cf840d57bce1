"""The envelope every integration event travels in."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


class PoisonMessage(Exception):
    """A message that can never be handled (unparseable or against its schema): dead-letter it."""


# Fields a reader needs, with their JSON types; anything else in an envelope is ignored.
_REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "type": str, "version": int, "occurred_at": str, "producer": str, "data": dict,
}


@dataclass(frozen=True)
class Envelope:
    type: str
    data: dict[str, Any]
    producer: str
    occurred_at: str
    version: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    traceparent: str | None = None

    @classmethod
    def new(
        cls,
        event_type: str,
        data: dict[str, Any],
        *,
        producer: str,
        occurred_at: datetime,
        version: int = 1,
        traceparent: str | None = None,
    ) -> Envelope:
        return cls(
            type=event_type,
            data=data,
            producer=producer,
            occurred_at=occurred_at.isoformat().replace("+00:00", "Z"),
            version=version,
            traceparent=traceparent,
        )

    @property
    def routing_key(self) -> str:
        """`<service>.<aggregate>.<past-tense-event>`: the type itself."""
        return self.type

    def to_dict(self) -> dict[str, Any]:
        body = asdict(self)
        if body["traceparent"] is None:
            del body["traceparent"]
        return body

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, body: bytes) -> Envelope:
        """Parse a message body tolerantly: unknown fields are ignored (a newer producer may add
        some); a missing field, a field of the wrong type, or a body that is not JSON is poison.
        """
        try:
            raw = json.loads(body.decode("utf-8"))
        except RecursionError as exc:  # nested deeper than the parser goes: never parseable
            raise PoisonMessage("not an event envelope: JSON nested too deeply") from exc
        except (UnicodeDecodeError, ValueError) as exc:
            raise PoisonMessage(f"not an event envelope: {exc}") from exc
        if not isinstance(raw, dict):
            raise PoisonMessage("not an event envelope: not a JSON object")
        for name, kind in _REQUIRED_FIELDS.items():
            value = raw.get(name)
            if value is None:
                raise PoisonMessage(f"not an event envelope: missing {name!r}")
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise PoisonMessage(f"not an event envelope: {name!r} is not a {kind.__name__}")  # type: ignore[union-attr]
        traceparent = raw.get("traceparent")
        return cls(
            id=raw["id"],
            type=raw["type"],
            version=raw["version"],
            occurred_at=raw["occurred_at"],
            producer=raw["producer"],
            traceparent=traceparent if isinstance(traceparent, str) else None,
            data=raw["data"],
        )


_VERSION_SUFFIX = re.compile(r"^(?P<type>.+)\.v(?P<version>[1-9][0-9]*)$")


def split_version(key: str) -> tuple[str, int]:
    """`portal.membership.granted.v2` → (`portal.membership.granted`, 2); no suffix means v1."""
    match = _VERSION_SUFFIX.match(key)
    if match is None:
        return key, 1
    return match["type"], int(match["version"])
