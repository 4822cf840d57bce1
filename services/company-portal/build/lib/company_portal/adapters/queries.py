"""Read-side queries (lists and search), plain SQL through SQLAlchemy Core, SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from company_portal.adapters import orm
from company_portal.domain.model import RequestKind, RequestStatus
from company_portal.domain.names import digits_only, looks_like_neq, name_tokens

c, g, m, a, r = (orm.companies.c, orm.groups.c, orm.memberships.c, orm.accounts.c, orm.account_requests.c)

COMPANY_COLUMNS = (c.id, c.neq, c.legal_name, c.address, c.city, c.province, c.postal_code, c.country, c.phone,
                   c.source)
MAX_TOKENS = 8


class SqlQueries:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Companies ------------------------------------------------------------------------------
    def search_companies(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Ranked: exact NEQ, exact normalized name, name prefix, then the most matching words."""
        query = query.strip()
        neq = digits_only(query) if looks_like_neq(query) else None
        tokens = [] if neq else name_tokens(query)[:MAX_TOKENS]
        if not neq and not tokens:
            return []
        key = " ".join(tokens)
        padded = literal(" ") + c.name_key
        token_hits = [case((padded.like(f"% {t}%"), 1), else_=0) for t in tokens]
        matched = sum(token_hits[1:], token_hits[0]) if token_hits else literal(0)
        # Most of the words must match: "genie conseil riviere" is not every "génie" company.
        where = c.neq == neq if neq else matched >= max(1, (len(tokens) + 1) // 2)
        tier = case(
            (c.neq == (neq or "-"), 0),
            (c.name_key == key, 1),
            (c.name_key.like(f"{key}%") if key else literal(False), 2),
            else_=3,
        )
        rows = self.session.execute(
            select(*COMPANY_COLUMNS)
            .where(where)
            .order_by(tier, matched.desc(), func.length(c.name_key), c.legal_name, c.id)
            .limit(limit)
        ).mappings().all()
        hits = [dict(row) for row in rows]
        users = self.user_counts([h["id"] for h in hits])
        for hit in hits:
            hit["user_count"] = users.get(hit["id"], 0)
            hit["has_users"] = hit["user_count"] > 0
        return hits

    def user_counts(self, company_ids: list[str]) -> dict[str, int]:
        if not company_ids:
            return {}
        rows = self.session.execute(
            select(g.company_id, func.count(func.distinct(m.account_id)))
            .join(orm.memberships, m.group_id == g.id)
            .where(g.company_id.in_(company_ids) & m.role.is_not(None))
            .group_by(g.company_id)
        ).all()
        return {company_id: count for company_id, count in rows}

    def companies_named(self, name_key: str, limit: int = 10) -> list[dict[str, Any]]:
        """Companies whose normalized name is exactly this key ("Génivert inc." = "GENIVERT")."""
        if not name_key:
            return []
        rows = self.session.execute(
            select(*COMPANY_COLUMNS).where(c.name_key == name_key).order_by(c.legal_name, c.id).limit(limit)
        ).mappings().all()
        return [dict(row) for row in rows]

    def companies_by_email_domain(self, domain: str, limit: int = 10) -> list[str]:
        """Ids of the companies where an active member's email is at this domain."""
        if not domain:
            return []
        rows = self.session.execute(
            select(func.distinct(g.company_id))
            .select_from(orm.memberships.join(orm.groups, g.id == m.group_id)
                         .join(orm.accounts, a.id == m.account_id))
            .where(m.role.is_not(None) & func.lower(a.email).endswith(f"@{domain.casefold()}", autoescape=True))
            .limit(limit)
        ).scalars().all()
        return list(rows)

    def company(self, company_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(*COMPANY_COLUMNS).where(c.id == company_id)).mappings().first()
        return dict(row) if row else None

    def groups_of_company(self, company_id: str) -> list[dict[str, Any]]:
        active = func.count(m.account_id)
        rows = self.session.execute(
            select(g.id, g.name, active.label("user_count"))
            .select_from(orm.groups.outerjoin(orm.memberships, and_(m.group_id == g.id, m.role.is_not(None))))
            .where(g.company_id == company_id)
            .group_by(g.id, g.name)
            .order_by(g.name)
        ).mappings().all()
        return [dict(row) for row in rows]

    def company_count(self) -> int:
        return int(self.session.execute(select(func.count()).select_from(orm.companies)).scalar_one())

    def existing_neqs(self) -> dict[str, tuple[str, str]]:
        """NEQ → (company id, source), for the registry import."""
        rows = self.session.execute(select(c.neq, c.id, c.source).where(c.neq.is_not(None))).all()
        return {neq: (company_id, source) for neq, company_id, source in rows}

    def registry_values(self) -> dict[str, dict[str, Any]]:
        """NEQ → the registry fields as stored, to skip unchanged rows on a new import."""
        rows = self.session.execute(
            select(c.neq, c.legal_name, c.name_key, c.address, c.city, c.province, c.postal_code, c.country)
            .where(c.neq.is_not(None) & (c.source == "registry"))
        ).mappings().all()
        return {row["neq"]: dict(row) for row in rows}

    # Groups and members ---------------------------------------------------------------------
    def groups_of_account(self, account_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(g.id, g.name, g.company_id, c.legal_name.label("company_name"), m.role)
            .select_from(orm.memberships.join(orm.groups, m.group_id == g.id)
                         .join(orm.companies, c.id == g.company_id))
            .where((m.account_id == account_id) & m.role.is_not(None))
            .order_by(c.legal_name, g.name)
        ).mappings().all()
        return [dict(row) for row in rows]

    def group(self, group_id: str) -> dict[str, Any] | None:
        row = self.session.execute(
            select(g.id, g.company_id, g.name, g.description, g.display_company_name, g.address, g.website,
                   g.phone, g.description_html, g.logo_hash, g.logo_format, g.updated_at,
                   c.legal_name.label("company_legal_name"), c.neq)
            .join(orm.companies, c.id == g.company_id)
            .where(g.id == group_id)
        ).mappings().first()
        return dict(row) if row else None

    def members(self, group_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(m.account_id, m.role, m.version, a.email, a.first_name, a.last_name, a.function, a.phone,
                   a.extension)
            .select_from(orm.memberships.outerjoin(orm.accounts, a.id == m.account_id))
            .where((m.group_id == group_id) & m.role.is_not(None))
            .order_by(a.last_name, a.first_name, a.email, m.account_id)
        ).mappings().all()
        return [_with_blank_names(dict(row)) for row in rows]

    def company_users(self, company_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(m.account_id, m.role, g.id.label("group_id"), g.name.label("group_name"), a.email, a.first_name,
                   a.last_name, a.function)
            .select_from(orm.memberships.join(orm.groups, g.id == m.group_id)
                         .outerjoin(orm.accounts, a.id == m.account_id))
            .where((g.company_id == company_id) & m.role.is_not(None))
            .order_by(g.name, a.last_name, a.first_name, a.email)
        ).mappings().all()
        return [_with_blank_names(dict(row)) for row in rows]

    # Snapshots (service_layer.snapshot) ------------------------------------------------------
    def membership_states(self) -> list[dict[str, Any]]:
        """Every membership, revoked ones included (role None), with its group, company and contact."""
        rows = self.session.execute(
            select(m.account_id, m.group_id, m.role, m.version, g.company_id, g.name.label("group_name"),
                   c.legal_name.label("company_name"), a.email, a.locale)
            .select_from(orm.memberships.join(orm.groups, g.id == m.group_id)
                         .join(orm.companies, c.id == g.company_id)
                         .outerjoin(orm.accounts, a.id == m.account_id))
            .order_by(m.group_id, m.account_id)
        ).mappings().all()
        return [dict(row) for row in rows]

    def branding_states(self) -> list[dict[str, Any]]:
        """Every group's branding (what its offers show), with the company's legal name."""
        rows = self.session.execute(
            select(g.id, g.company_id, g.name, g.description, g.display_company_name, g.address, g.website,
                   g.phone, g.description_html, g.logo_hash, g.logo_format, g.branding_version,
                   c.legal_name.label("company_legal_name"))
            .join(orm.companies, c.id == g.company_id)
            .order_by(g.id)
        ).mappings().all()
        return [dict(row) for row in rows]

    def logo(self, group_id: str) -> dict[str, Any] | None:
        t = orm.group_logos.c
        row = self.session.execute(
            select(t.content, t.image_format, t.content_hash).where(t.group_id == group_id)
        ).mappings().first()
        return dict(row) if row else None

    # Requests -------------------------------------------------------------------------------
    def join_requests(self, group_id: str, *, pending_only: bool = True) -> list[dict[str, Any]]:
        where = (r.group_id == group_id) & (r.kind == str(RequestKind.JOIN_GROUP))
        if pending_only:
            where = where & (r.status == str(RequestStatus.PENDING))
        return self._requests(where)

    def requests_of(self, account_id: str) -> list[dict[str, Any]]:
        return self._requests(r.requester_account_id == account_id)

    def _requests(self, where: Any) -> list[dict[str, Any]]:
        # A request about a known company is named by that company (what was typed may differ).
        rows = self.session.execute(
            select(orm.account_requests, func.coalesce(c.legal_name, r.legal_name).label("company_name"))
            .select_from(orm.account_requests.outerjoin(orm.companies, c.id == r.company_id))
            .where(where).order_by(r.submitted_at.desc(), r.id)
        ).mappings().all()
        return [dict(row) for row in rows]

    # Staff ----------------------------------------------------------------------------------
    def users(self, query: str, limit: int = 50) -> list[dict[str, Any]]:
        needle = f"%{query.strip().casefold()}%"
        full_name = func.lower(a.first_name + literal(" ") + a.last_name)
        rows = self.session.execute(
            select(a.id, a.email, a.first_name, a.last_name, a.function, a.phone)
            .where(or_(func.lower(a.email).like(needle), full_name.like(needle)))
            .order_by(a.email)
            .limit(limit)
        ).mappings().all()
        users = [dict(row) for row in rows]
        for user in users:
            user["groups"] = [
                {"group_id": row["id"], "group_name": row["name"], "company_id": row["company_id"],
                 "company_name": row["company_name"], "role": row["role"]}
                for row in self.groups_of_account(user["id"])
            ]
        return users


def _with_blank_names(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("email", "first_name", "last_name", "function", "phone", "extension"):
        if name in row and row[name] is None:
            row[name] = ""
    return row
