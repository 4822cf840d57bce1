"""The job seekers' repositories: plain SQL on the caller's session (no mapped classes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mailer.adapters.orm_members import companies, member_follows, member_preferences
from mailer.domain.members import Company, FollowedCompany, Preferences


class SqlFollowRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _exists(self, account_id: str, company_id: str) -> bool:
        found = self.session.execute(
            select(member_follows.c.company_id).where(member_follows.c.account_id == account_id,
                                                      member_follows.c.company_id == company_id)).first()
        return found is not None

    def add(self, account_id: str, company_id: str, now: datetime) -> bool:
        if self._exists(account_id, company_id):
            return False
        try:
            with self.session.begin_nested():  # a double submit may insert it at the same moment
                self.session.execute(insert(member_follows).values(account_id=account_id, company_id=company_id,
                                                                   followed_at=now))
        except IntegrityError:
            return False
        return True

    def remove(self, account_id: str, company_id: str) -> bool:
        removed = self.session.execute(
            delete(member_follows).where(member_follows.c.account_id == account_id,
                                         member_follows.c.company_id == company_id)).rowcount
        return bool(removed)

    def count(self, account_id: str) -> int:
        return int(self.session.scalar(
            select(func.count()).select_from(member_follows).where(member_follows.c.account_id == account_id)) or 0)

    def list(self, account_id: str) -> list[FollowedCompany]:
        rows = self.session.execute(
            select(member_follows.c.company_id, companies.c.name, member_follows.c.followed_at)
            .join(companies, companies.c.company_id == member_follows.c.company_id, isouter=True)
            .where(member_follows.c.account_id == account_id)
            .order_by(func.lower(func.coalesce(companies.c.name, "")), member_follows.c.company_id))
        return [FollowedCompany(row.company_id, row.name or "", row.followed_at) for row in rows]


class SqlPreferenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, account_id: str) -> Preferences | None:
        row = self.session.execute(
            select(member_preferences).where(member_preferences.c.account_id == account_id)).one_or_none()
        if row is None:
            return None
        return Preferences(row.account_id, bool(row.weekly_digest), bool(row.targeted_consent),
                           tuple(row.domains or ()), tuple(row.regions or ()), row.years, row.updated_at)

    def save(self, preferences: Preferences) -> None:
        values = {"weekly_digest": preferences.weekly_digest, "targeted_consent": preferences.targeted_consent,
                  "domains": list(preferences.domains), "regions": list(preferences.regions),
                  "years": preferences.years, "updated_at": preferences.updated_at}
        changed = self.session.execute(
            update(member_preferences).where(member_preferences.c.account_id == preferences.account_id)
            .values(**values)).rowcount
        if changed:
            return
        try:
            with self.session.begin_nested():  # the same form sent twice at once: the other one wrote it
                self.session.execute(insert(member_preferences).values(account_id=preferences.account_id, **values))
        except IntegrityError:
            self.session.execute(update(member_preferences)
                                 .where(member_preferences.c.account_id == preferences.account_id).values(**values))


class SqlCompanyDirectory:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, company_id: str) -> Company | None:
        row = self.session.execute(select(companies).where(companies.c.company_id == company_id)).one_or_none()
        return Company(row.company_id, row.name, row.changed_at) if row is not None else None

    def named(self, name: str) -> Company | None:
        row = self.session.execute(
            select(companies).where(companies.c.name == name).order_by(companies.c.company_id).limit(1)).first()
        return Company(row.company_id, row.name, row.changed_at) if row is not None else None

    def remember(self, company: Company) -> bool:
        """One UPDATE guarded by the date (a later change held wins), else an INSERT."""
        changed = self.session.execute(
            update(companies)
            .where(companies.c.company_id == company.company_id, companies.c.changed_at <= company.changed_at)
            .values(name=company.name, changed_at=company.changed_at)).rowcount
        if changed:
            return True
        if self.get(company.company_id) is not None:
            return False  # a later name is held
        self.session.execute(insert(companies).values(company_id=company.company_id, name=company.name,
                                                      changed_at=company.changed_at))
        return True
