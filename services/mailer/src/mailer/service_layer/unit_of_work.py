"""The mailer's unit of work: one transaction over the emails (and the inbox, outbox)."""

from __future__ import annotations

from sqlalchemy import insert, select

from mailer.adapters.repository import SqlAlchemyEmailRepository
from plumbing.events.envelope import Envelope
from plumbing.uow import SqlAlchemyUnitOfWork


class MailerUnitOfWork(SqlAlchemyUnitOfWork):
    emails: SqlAlchemyEmailRepository

    def _open_repositories(self) -> None:
        self.emails = SqlAlchemyEmailRepository(self.session)

    def claim_message(self, envelope: Envelope, consumer: str) -> bool:
        """Record the message in the inbox; False if this consumer already handled it.

        Replaces plumbing's version, whose SAVEPOINT is the *outermost* one on SQLite with
        pysqlite's default transaction handling: its RELEASE commits the inbox row on its own, so
        a handler that then fails leaves the message marked handled and its email is lost on
        redelivery. Here: look, then insert in the caller's transaction. Two concurrent
        deliveries of one message make the second insert fail on the primary key; that delivery
        is retried by the transport and then finds the row.
        """
        inbox = self.messaging.inbox
        seen = self.session.execute(
            select(inbox.c.message_id).where(inbox.c.message_id == envelope.id, inbox.c.consumer == consumer)
        ).first()
        if seen is not None:
            return False
        self.session.execute(
            insert(inbox).values(message_id=envelope.id, consumer=consumer, event_type=envelope.type,
                                 handled_at=self.messaging.clock.now())
        )
        return True
