"""SQLAlchemy repositories: aggregates in and out, and the `seen` sets the unit of work drains."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import Session

from company_portal.adapters import orm
from company_portal.domain.model import (
    Account,
    AccountRequest,
    Aggregate,
    Company,
    Group,
    Membership,
    RequestDraft,
    RequestStatus,
)
from company_portal.service_layer.ports import ProcessedLogo


class _Tracking:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.seen: set[Aggregate] = set()

    def _track(self, aggregate: Any) -> Any:
        if aggregate is not None:
            self.seen.add(aggregate)
        return aggregate


class SqlCompanyRepository(_Tracking):
    def add(self, company: Company) -> None:
        self.session.add(company)
        self.session.flush()  # no ORM relationships: insert parents at once so children's foreign keys hold
        self._track(company)

    def get(self, company_id: str, *, for_update: bool = False) -> Company | None:
        return self._track(self.session.get(Company, company_id, with_for_update=for_update or None))

    def get_by_neq(self, neq: str) -> Company | None:
        return self._track(self.session.scalars(select(Company).where(orm.companies.c.neq == neq)).first())

    def bulk_insert(self, rows: list[dict[str, Any]]) -> None:
        """Registry import: many rows in one executemany (no aggregates, no events)."""
        if rows:
            self.session.execute(insert(orm.companies), rows)

    def bulk_update(self, rows: list[dict[str, Any]]) -> None:
        """Registry import: refresh rows by NEQ in one executemany."""
        if not rows:
            return
        t = orm.companies
        statement = (
            update(t).where(t.c.neq == bindparam("b_neq"))
            .values({name: bindparam(f"b_{name}") for name in rows[0] if name != "neq"})
        )
        self.session.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


class SqlGroupRepository(_Tracking):
    def add(self, group: Group) -> None:
        self.session.add(group)
        self.session.flush()  # as for companies: memberships and requests refer to it
        self._track(group)

    def get(self, group_id: str, *, for_update: bool = False) -> Group | None:
        return self._track(self.session.get(Group, group_id, with_for_update=for_update or None))

    def of_company(self, company_id: str) -> list[Group]:
        found = self.session.scalars(
            select(Group).where(orm.groups.c.company_id == company_id).order_by(orm.groups.c.name)
        ).all()
        return [self._track(g) for g in found]

    def save_logo(self, group_id: str, logo: ProcessedLogo, now: datetime) -> None:
        self.session.execute(delete(orm.group_logos).where(orm.group_logos.c.group_id == group_id))
        self.session.execute(insert(orm.group_logos).values(
            group_id=group_id, content=logo.content, image_format=logo.image_format,
            content_hash=logo.content_hash, width=logo.width, height=logo.height, updated_at=now))


class SqlMembershipRepository(_Tracking):
    def add(self, membership: Membership) -> None:
        self.session.add(membership)
        self._track(membership)

    def get(self, account_id: str, group_id: str) -> Membership | None:
        return self._track(self.session.get(Membership, (account_id, group_id)))

    def of_group(self, group_id: str) -> list[Membership]:
        found = self.session.scalars(select(Membership).where(orm.memberships.c.group_id == group_id)).all()
        return [self._track(m) for m in found]

    def role_of(self, account_id: str, group_id: str) -> str | None:
        """plumbing.auth.permissions.MembershipLookup, answered from our own memberships."""
        m = orm.memberships.c
        return self.session.execute(
            select(m.role).where((m.account_id == account_id) & (m.group_id == group_id))
        ).scalar_one_or_none()

    def companies_of(self, account_id: str) -> set[str]:
        """The companies where the account has an active membership (at most one, by our rules)."""
        m, g = orm.memberships.c, orm.groups.c
        return set(self.session.scalars(
            select(g.company_id).join(orm.memberships, m.group_id == g.id)
            .where((m.account_id == account_id) & m.role.is_not(None))).all())

    def company_has_users(self, company_id: str) -> bool:
        m, g = orm.memberships.c, orm.groups.c
        return bool(self.session.execute(select(exists().where(
            (m.group_id == g.id) & (g.company_id == company_id) & m.role.is_not(None)))).scalar())


class SqlAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, account: Account) -> None:
        self.session.add(account)

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None:
        """`for_update` locks the row: every grant to an account and every request it sends queue on it."""
        return self.session.get(Account, account_id, with_for_update=for_update or None)


class SqlRequestRepository(_Tracking):
    def add(self, request: AccountRequest) -> None:
        self.session.add(request)
        self._track(request)

    def get(self, request_id: str, *, for_update: bool = False) -> AccountRequest | None:
        return self._track(self.session.get(AccountRequest, request_id, with_for_update=for_update or None))

    def pending_of(self, account_id: str) -> list[AccountRequest]:
        r = orm.account_requests.c
        found = self.session.scalars(select(AccountRequest).where(
            (r.requester_account_id == account_id) & (r.status == str(RequestStatus.PENDING)))).all()
        return [self._track(x) for x in found]


class SqlDraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, account_id: str) -> RequestDraft | None:
        return self.session.get(RequestDraft, account_id)

    def add(self, draft: RequestDraft) -> None:
        self.session.add(draft)

    def delete(self, account_id: str) -> None:
        draft = self.get(account_id)
        if draft is not None:
            self.session.delete(draft)


class SqlAuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, at: datetime, actor_id: str, action: str, *, group_id: str | None = None,
               account_id: str | None = None, detail: str = "") -> None:
        self.session.execute(insert(orm.audit_log).values(
            at=at, actor_id=actor_id, action=action, group_id=group_id, account_id=account_id, detail=detail[:2000]))

