"""API keys in offers' database (plain rows ↔ `domain.api_keys.ApiKey`)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from offers.adapters.orm_api_keys import api_keys
from offers.domain.api_keys import ApiKey

_COLUMNS = [f.name for f in dataclasses.fields(ApiKey)]


class SqlApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key_id: str) -> ApiKey | None:
        row = self.session.execute(select(api_keys).where(api_keys.c.id == key_id)).mappings().first()
        return ApiKey(**{c: row[c] for c in _COLUMNS}) if row else None

    def of_group(self, group_id: str) -> list[ApiKey]:
        rows = (
            self.session.execute(
                select(api_keys)
                .where(api_keys.c.group_id == group_id)
                .order_by(api_keys.c.revoked_at.is_not(None), api_keys.c.created_at.desc(), api_keys.c.id)
            )
            .mappings()
            .all()
        )
        return [ApiKey(**{c: row[c] for c in _COLUMNS}) for row in rows]

    def add(self, key: ApiKey) -> None:
        self.session.execute(insert(api_keys).values(**dataclasses.asdict(key)))

    def save(self, key: ApiKey) -> None:
        values = dataclasses.asdict(key)
        del values["id"]
        self.session.execute(update(api_keys).where(api_keys.c.id == key.id).values(**values))

    def touch(self, key_id: str, now: datetime) -> None:
        """Record a use. The list shows it to the minute: a key used again within the minute writes
        nothing (one write a minute per key, not one per request)."""
        recent = now - timedelta(minutes=1)
        self.session.execute(
            update(api_keys)
            .where(api_keys.c.id == key_id)
            .where(or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at < recent))
            .values(last_used_at=now)
        )
