"""A consumer process for the "killed before its ack" test (not a test module).

Runs the notes consumer on RabbitMQ under run_worker until SIGTERM. Each handled message is
appended to --handled-log as "<pid> <message id>". When --crash-flag names an existing file, the
first message handled (effect committed, not yet acked) removes the file and kills the process
with os._exit(1), as a crash or an OOM kill would.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent
if importlib.util.find_spec("plumbing") is None:
    sys.path.insert(0, str(TESTS_DIR.parent / "src"))
sys.path.insert(0, str(TESTS_DIR))

import plumbing_notes  # noqa: E402

from plumbing.events.rabbitmq import RabbitConsumerTransport  # noqa: E402
from plumbing.events.transport import Subscription  # noqa: E402
from plumbing.worker import run_worker  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--amqp-url", required=True)
    parser.add_argument("--exchange", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--schemas-dir", required=True, type=Path)
    parser.add_argument("--handled-log", required=True, type=Path)
    parser.add_argument("--crash-flag", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(process)d %(name)s %(message)s")

    app = plumbing_notes.build_app(args.database_url, args.schemas_dir, pool_size=2)
    consumer = app.consumer()

    def handler(body: bytes, headers: Mapping[str, Any]) -> None:
        consumer(body, headers)  # commits the effect and the inbox record
        with args.handled_log.open("a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {headers.get('message_id')}\n")
        if args.crash_flag is not None and args.crash_flag.exists():
            args.crash_flag.unlink()
            logging.getLogger("consumer-proc").warning("crashing after commit, before the ack")
            os._exit(1)

    transport = RabbitConsumerTransport(args.amqp_url, args.exchange, retry_delays_ms=(100,))
    try:
        run_worker([], [Subscription(args.queue, (plumbing_notes.NOTE_CREATED,), handler)], transport)
    finally:
        app.close()


if __name__ == "__main__":
    main()
