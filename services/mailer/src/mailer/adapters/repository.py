"""Email repository: add and find emails, claim the due ones for one sender."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from mailer.adapters.orm import accounts, email_attachments, emails
from mailer.domain.model import Attachment, Email, EmailStatus, KnownAccount


class SqlAlchemyEmailRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, email: Email) -> None:
        self.session.add(email)

    def get(self, email_id: str) -> Email | None:
        return self.session.get(Email, email_id)

    def get_by_dedup_key(self, key: str) -> Email | None:
        return self.session.scalars(select(Email).where(emails.c.dedup_key == key)).one_or_none()

    def list(self) -> list[Email]:
        return list(self.session.scalars(select(Email).order_by(emails.c.created_at, emails.c.id)))

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[Email]:
        """Lease up to `limit` due pending emails to this caller until `lease_until`.

        One UPDATE statement: on PostgreSQL its CTE locks the rows FOR UPDATE SKIP LOCKED, so
        concurrent senders take disjoint rows; on SQLite the statement takes the write lock
        first. Either way a leased row is no longer due, so no other sender can take it until
        the lease runs out (a sender that died mid-batch).
        """
        due = (
            select(emails.c.id)
            .where(emails.c.status == EmailStatus.PENDING, emails.c.next_attempt_at <= now)
            .order_by(emails.c.next_attempt_at, emails.c.created_at, emails.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due")  # a locking CTE runs once; an IN (subquery) may be rescanned and overshoot
        )
        claimed = self.session.execute(
            update(emails)
            .where(emails.c.id.in_(select(due.c.id)))
            .where(emails.c.status == EmailStatus.PENDING, emails.c.next_attempt_at <= now)
            .values(next_attempt_at=lease_until)
            .returning(emails.c.id)
            .execution_options(synchronize_session=False)
        ).scalars().all()
        if not claimed:
            return []
        return list(
            self.session.scalars(
                select(Email).where(emails.c.id.in_(claimed)).order_by(emails.c.created_at, emails.c.id)
            )
        )

    def release(self, email_ids: list[str], lease_until: datetime, now: datetime) -> None:
        """Give back leased emails that were not attempted: due again at once."""
        if not email_ids:
            return
        self.session.execute(
            update(emails)
            .where(emails.c.id.in_(email_ids))
            .where(emails.c.status == EmailStatus.PENDING, emails.c.next_attempt_at == lease_until)
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )


class SqlAlchemyAccountDirectory:
    """account id → email and locale, as identity last told them."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def remember(self, account: KnownAccount, now: datetime) -> None:
        values = {"email": account.email, "locale": account.locale, "updated_at": now}
        changed = self.session.execute(
            update(accounts).where(accounts.c.account_id == account.account_id).values(**values)
        ).rowcount
        if not changed:
            self.session.execute(insert(accounts).values(account_id=account.account_id, **values))

    def get(self, account_id: str) -> KnownAccount | None:
        columns = (accounts.c.account_id, accounts.c.email, accounts.c.locale)
        row = self.session.execute(select(*columns).where(accounts.c.account_id == account_id)).one_or_none()
        return KnownAccount(row.account_id, row.email, row.locale) if row is not None else None


class SqlAlchemyAttachmentStore:
    """The files of pending emails, in order; deleted once their email is sent or given up."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, email_id: str, attachments: list[Attachment]) -> None:
        self.session.flush()  # the email row first (the foreign key)
        for position, attachment in enumerate(attachments):
            self.session.execute(
                insert(email_attachments).values(
                    email_id=email_id, position=position, filename=attachment.filename,
                    content_type=attachment.content_type, data=attachment.data,
                )
            )

    def of(self, email_id: str) -> list[Attachment]:
        rows = self.session.execute(
            select(email_attachments.c.filename, email_attachments.c.content_type, email_attachments.c.data)
            .where(email_attachments.c.email_id == email_id)
            .order_by(email_attachments.c.position)
        )
        return [Attachment(row.filename, row.content_type, bytes(row.data)) for row in rows]

    def delete(self, email_id: str) -> int:
        return self.session.execute(
            delete(email_attachments).where(email_attachments.c.email_id == email_id)
        ).rowcount  # type: ignore[attr-defined, no-any-return]
