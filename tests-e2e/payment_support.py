"""Helpers for the payment e2e tests: is a card number anywhere it must not be?

After a purchase with a known test card, a test dumps the databases (`dump_databases`) next to
the suite's logs and asks `card_number_traces(number, suite.run_dir / "logs", dumps, ...)`: every
file that holds the number in any of the ways it could be written (digits, groups of four with
spaces or dashes). The payment sandbox's own log may be included: it never logs a number either.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from plumbing.testing import files_containing


def card_number_forms(number: str) -> list[str]:
    """`4242424242424242`, `4242 4242 4242 4242`, `4242-4242-4242-4242` (from any of them)."""
    digits = re.sub(r"\D", "", number)
    groups = [digits[i:i + 4] for i in range(0, len(digits), 4)]
    return [digits, " ".join(groups), "-".join(groups)]


def dump_databases(database_urls: dict[str, str], directory: Path) -> Path:
    """A plain-SQL dump of each PostgreSQL database (pg_dump), or a copy of each SQLite file, in
    `directory`; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for service, url in database_urls.items():
        if url.startswith("sqlite"):
            source = Path(url.split(":///", 1)[1])
            for path in source.parent.glob(source.name + "*"):  # the file, its -wal and -shm
                shutil.copy(path, directory / f"{service}-{path.name}")
            continue
        parts = urlsplit(url)
        libpq = urlunsplit(parts._replace(scheme="postgresql"))
        with (directory / f"{service}.sql").open("wb") as out:
            subprocess.run(["pg_dump", "--no-owner", "--data-only", libpq], stdout=out, check=True, timeout=120)
    return directory


def card_number_traces(number: str, *roots: Path | str) -> list[tuple[Path, str]]:
    """Each (file, form) where the card number appears under `roots`: empty is the goal."""
    return files_containing(roots, card_number_forms(number))
