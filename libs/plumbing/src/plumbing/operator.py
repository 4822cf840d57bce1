"""Operator commands behind `python -m plumbing.entry`: broker topology, dead letters, parked
outbox rows. Each takes a loaded ServiceBundle; output is plain text for a terminal."""

from __future__ import annotations

import argparse

from plumbing.service import ServiceBundle


def declare_topology(bundle: ServiceBundle) -> list[str]:
    """Declare the exchange and each consumer's queue, bindings, retry and dead-letter queues.

    Runs with the migrations (before any producer starts), so events published before a
    consumer first runs wait in its queue. Nothing to do in the embedded mode (no broker).
    """
    from plumbing.events.rabbitmq import consumer_transport_from_env

    settings = bundle.runtime.settings
    if settings.embedded:
        return []
    transport = consumer_transport_from_env(settings.amqp_url, settings.exchange)
    subscriptions = bundle.subscriptions()
    for subscription in subscriptions:
        transport.declare(subscription)
    if not subscriptions:  # producers only: the exchange must exist before their first publish
        from plumbing.events.rabbitmq import declare_exchange

        connection = transport._connect("topology")
        try:
            declare_exchange(connection.channel(), settings.exchange)
        finally:
            connection.close()
    return [s.queue for s in subscriptions]


def dead_letters(bundle: ServiceBundle, args: argparse.Namespace) -> int:
    """`dlq <service> list|show ID|replay ID|replay --all` (docs/operations.md, "Dead letters")."""
    import pika.exceptions

    queues = [s.queue for s in bundle.subscriptions()]
    settings = bundle.runtime.settings
    if settings.embedded:
        print("embedded mode: dead letters live in the process (InProcessBroker.dead_letters), not on a broker")
        return 2
    if not queues:
        print(f"{bundle.name} consumes no events: no dead-letter queue")
        return 0
    try:
        return _dlq_queues(queues, settings.amqp_url, args)
    except pika.exceptions.ChannelClosedByBroker as exc:
        print(f"{exc.reply_text} (declare the topology first: python -m plumbing.entry topology {bundle.name})")
        return 1
    except pika.exceptions.AMQPError as exc:
        print(f"the broker is unreachable: {exc!r}")
        return 1


def _dlq_queues(queues: list[str], amqp_url: str, args: argparse.Namespace) -> int:
    from plumbing.events.deadletters import DeadLetterQueue

    for queue in queues:
        dlq = DeadLetterQueue(amqp_url, queue)
        if args.action == "list":
            letters = dlq.list()
            print(f"{queue}.dlq: {len(letters)} dead letter(s)")
            for letter in letters:
                print("  " + letter.summary())
        elif args.action == "show":
            for letter in dlq.show(args.id):
                print(f"id: {letter.id}\ntype: {letter.event_type}\nreason: {letter.reason}\n"
                      f"error: {letter.error}\nattempts: {letter.attempts}\n"
                      f"dead-lettered at: {letter.dead_lettered_at}\nheaders: {letter.headers}\n"
                      f"body: {letter.body.decode('utf-8', 'replace')}\n")
        else:
            if not args.all and not args.id:
                print("replay needs an ID or --all")
                return 2
            replayed = dlq.replay(None if args.all else args.id)
            print(f"{queue}: replayed {len(replayed)} message(s) {' '.join(replayed)}")
    return 0


def parked_outbox(bundle: ServiceBundle, args: argparse.Namespace) -> int:
    """`outbox <service> parked|requeue SEQ` (docs/operations.md, "Parked outbox rows")."""
    from sqlalchemy import select, update

    runtime = bundle.runtime
    outbox = runtime.outbox
    with runtime.session_factory() as session:
        if args.action == "parked":
            rows = session.execute(
                select(outbox.c.seq, outbox.c.message_id, outbox.c.event_type, outbox.c.parked_at,
                       outbox.c.last_error).where(outbox.c.parked_at.is_not(None)).order_by(outbox.c.seq)
            ).all()
            print(f"{bundle.name}: {len(rows)} parked outbox row(s)")
            for row in rows:
                print(f"  seq {row.seq}  {row.message_id}  {row.event_type}  {row.parked_at}  {row.last_error}")
        else:
            result = session.execute(update(outbox).where(outbox.c.seq == args.seq, outbox.c.parked_at.is_not(None))
                                     .values(parked_at=None))
            session.commit()
            print(f"{bundle.name}: {result.rowcount} row(s) handed back to the relay")  # type: ignore[attr-defined]
    return 0
