"""Clocks: injected everywhere so that time-dependent rules can be driven in tests."""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

QUEBEC = ZoneInfo("America/Montreal")

log = logging.getLogger(__name__)


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 2, 14, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)


class OffsetClock:
    """Another clock moved forward (or back) by a number of seconds read from a file.

    For the e2e suite only (docs/decisions.md, "Moving a service's clock in e2e"): the test writes
    the offset, every process of the service reads it on its next `now()`. A missing or empty file
    means no offset. The file is read again only when its modification time changes.
    """

    def __init__(self, path: Path, base: Clock | None = None) -> None:
        self.path = path
        self._base = base or SystemClock()
        self._stamp: int | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._base.now() + self._current_offset()

    def _current_offset(self) -> timedelta:
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            return timedelta(0)
        if stamp != self._stamp:
            text = self.path.read_text(encoding="utf-8").strip()
            self._offset = timedelta(seconds=float(text)) if text else timedelta(0)
            self._stamp = stamp
        return self._offset


def clock_file_variable(service: str) -> str:
    """`<SERVICE>_TEST_CLOCK_FILE`: never set in a deployment (deploy/tests checks the manifests)."""
    return f"{service.upper().replace('-', '_')}_TEST_CLOCK_FILE"


def clock_from_env(service: str) -> Clock:
    """The system clock, or an `OffsetClock` when the e2e suite names an offset file for `service`."""
    path = os.environ.get(clock_file_variable(service), "")
    if not path:
        return SystemClock()
    log.warning("%s: time is offset by the file %s (e2e only)", service, path)
    return OffsetClock(Path(path))
