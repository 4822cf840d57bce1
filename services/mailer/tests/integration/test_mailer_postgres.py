"""The mailer on real PostgreSQL: migration, one email per event, concurrent senders."""

from __future__ import annotations

import threading

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from mailer.adapters.orm import metadata
from mailer.domain.model import EmailStatus
from mailer.service_layer.commands import SendDueEmails
from plumbing.migrations import alembic_config


def queue(bundle, events, count: int) -> list[str]:
    recipients = []
    for _ in range(count):
        event = events.verified()
        bundle.consumers[0](event.to_json(), {})
        recipients.append(event.data["email"])
    return recipients


def send(bundle, batch_size: int = 20):
    return bundle.extras["bus"].handle(SendDueEmails(batch_size=batch_size))


def test_the_migration_builds_the_mapped_schema_and_goes_back(pg_bundle, pg_url):
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert {"emails", "outbox", "inbox", "alembic_version"} <= set(inspect(conn).get_table_names())
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
            # plumbing's inbox declares UNIQUE(message_id, consumer) on top of that primary key;
            # PostgreSQL keeps one constraint for both, so the unique one never reflects back.
            assert [d for d in diffs if not (d[0] == "add_constraint" and d[1].table.name == "inbox")] == []
            uniques = {u["name"] for u in inspect(conn).get_unique_constraints("emails")}
            assert {"uq_emails_dedup_key", "uq_emails_message_id"} <= uniques
        config = alembic_config(pg_bundle.migrations_dir, pg_url)
        command.downgrade(config, "base")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {"alembic_version"}
        command.upgrade(config, "head")
    finally:
        engine.dispose()


def test_a_pass_claims_at_most_its_batch(pg_bundle, events, mailer):
    queue(pg_bundle, events, 25)
    assert send(pg_bundle).sent == 20
    assert send(pg_bundle).sent == 5


def test_one_event_twice_gives_one_email_sent_once(pg_bundle, events, mailer, clock):
    event = events.registered()
    pg_bundle.consumers[0](event.to_json(), {})
    pg_bundle.consumers[0](event.to_json(), {})

    assert send(pg_bundle).sent == 1 and send(pg_bundle).sent == 0
    [sent] = mailer.sent
    assert sent.recipient == event.data["email"]
    with pg_bundle.extras["uow_factory"]() as uow:
        [email] = uow.emails.list()
        assert email.status == EmailStatus.SENT and email.sent_at == clock.now()


def test_a_failure_backs_off_on_postgres(pg_bundle, events, mailer, clock):
    queue(pg_bundle, events, 1)
    mailer.fail_next(1)
    assert send(pg_bundle).retrying == 1
    assert send(pg_bundle).sent == 0
    clock.advance(seconds=5)
    assert send(pg_bundle).sent == 1


def test_two_senders_at_once_skip_each_others_rows(pg_bundle, events, mailer):
    recipients = queue(pg_bundle, events, 30)
    both_sending = threading.Barrier(2, timeout=10)
    seen: set[str] = set()

    def hold_first_send(_email) -> None:
        name = threading.current_thread().name
        if name not in seen:
            seen.add(name)
            both_sending.wait()

    mailer.on_send = hold_first_send
    reports = []
    threads = [threading.Thread(target=lambda: reports.append(send(pg_bundle)), name=f"s{i}") for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(r.sent for r in reports) == [10, 20]
    assert sorted(m.recipient for m in mailer.sent) == sorted(recipients)


def test_many_concurrent_passes_never_send_twice_on_postgres(pg_bundle, events, mailer):
    recipients = queue(pg_bundle, events, 40)
    errors: list[BaseException] = []

    def drain() -> None:
        try:
            for _ in range(10):
                send(pg_bundle, batch_size=3)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m.recipient for m in mailer.sent) == sorted(recipients)
