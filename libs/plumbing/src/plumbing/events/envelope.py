"""The envelope every integration event travels in."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


class PoisonMessage(Exception):
    """A message that can never be handled (unparseable or against its schema): dead-letter it."""


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
        """Parse a message body; anything that is not an envelope is poison."""
        try:
            raw = json.loads(body.decode("utf-8"))
            return cls(
                id=str(raw["id"]),
                type=str(raw["type"]),
                version=int(raw["version"]),
                occurred_at=str(raw["occurred_at"]),
                producer=str(raw["producer"]),
                traceparent=raw.get("traceparent"),
                data=dict(raw["data"]),
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise PoisonMessage(f"not an event envelope: {exc}") from exc
