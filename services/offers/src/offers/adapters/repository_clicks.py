"""The apply clicks (`offer_apply_clicks`): one row per offer, day and visitor."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from offers.adapters.orm_clicks import offer_apply_clicks


class SqlApplyClickRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, offer_id: str, day: date, visitor: str, at: datetime) -> bool:
        """Count the visitor's click of the day; False when it was already counted."""
        try:
            with self.session.begin_nested():
                self.session.execute(
                    insert(offer_apply_clicks).values(offer_id=offer_id, day=day, visitor=visitor, at=at)
                )
        except IntegrityError:
            return False
        return True

    def count(self, offer_id: str) -> int:
        """How many (visitor, day) clicks the offer has had."""
        return self.session.execute(
            select(func.count()).select_from(offer_apply_clicks).where(offer_apply_clicks.c.offer_id == offer_id)
        ).scalar_one()
