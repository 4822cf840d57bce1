"""catalog-billing's projection of offers' API keys: kept by `apply_api_key_event` (the consumer's
projection handler, `(envelope, uow)`), read by `SqlApiKeyProjection.find` when a request comes
with `Bearer ingk_…` (plumbing.auth.api_keys.resolve)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from catalog_billing.adapters.orm_api_keys import api_key_projection as table
from plumbing.auth.api_keys import StoredKey
from plumbing.events.envelope import Envelope, PoisonMessage

ISSUED = "offers.api_key.issued"
REVOKED = "offers.api_key.revoked"


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def apply_api_key_event(envelope: Envelope, uow: object) -> None:
    """Record an issued key, or its revocation; a revocation that arrives first is kept and wins."""
    session: Session = uow.session  # type: ignore[attr-defined]
    data = envelope.data
    try:
        key_id = str(data["key_id"])
        current = session.execute(select(table.c.revoked_at).where(table.c.key_id == key_id)).first()
        if envelope.type == ISSUED:
            values = {
                "group_id": str(data["group_id"]),
                "creator_id": str(data["creator_id"]),
                "secret_hash": str(data["secret_hash"]),
                "issued_at": _instant(str(data["issued_at"])),
            }
        else:
            values = {"revoked_at": _instant(str(data["revoked_at"]))}
    except (KeyError, ValueError) as exc:
        raise PoisonMessage(f"{envelope.type} without a usable {exc}") from exc
    if current is None:
        defaults = {"group_id": str(data.get("group_id", "")), "creator_id": "", "secret_hash": ""}
        session.execute(insert(table).values(key_id=key_id, **{**defaults, **values}))
    elif envelope.type == REVOKED and current[0] is not None:
        return  # revoked already: the first revocation stands
    else:
        session.execute(update(table).where(table.c.key_id == key_id).values(**values))


API_KEY_EVENT_HANDLERS = {ISSUED: [apply_api_key_event], REVOKED: [apply_api_key_event]}


class SqlApiKeyProjection:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, key_id: str) -> StoredKey | None:
        row = self.session.execute(select(table).where(table.c.key_id == key_id)).mappings().first()
        if row is None or not row["secret_hash"]:
            return None
        return StoredKey(row["key_id"], row["group_id"], row["creator_id"], row["secret_hash"], row["revoked_at"])
