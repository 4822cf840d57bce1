"""The e2e suite's offset clock: a service's time moved by a file, and never without it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from plumbing.clock import FixedClock, OffsetClock, SystemClock, clock_file_variable, clock_from_env


def test_the_offset_in_the_file_moves_the_clock_and_follows_its_changes(tmp_path: Path) -> None:
    base = FixedClock(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    path = tmp_path / "offset"
    clock = OffsetClock(path, base)
    assert clock.now() == base.now()  # no file: no offset
    path.write_text(str(30 * 86400))
    assert clock.now() == base.now() + timedelta(days=30)
    path.write_text("-3600\n")
    os.utime(path, ns=(1, 1))  # a change within the same mtime tick is still seen (new stamp)
    assert clock.now() == base.now() - timedelta(hours=1)
    path.write_text("")
    os.utime(path, ns=(2, 2))
    assert clock.now() == base.now()


def test_only_the_named_service_gets_an_offset_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OFFERS_TEST_CLOCK_FILE", raising=False)
    assert isinstance(clock_from_env("offers"), SystemClock)
    monkeypatch.setenv(clock_file_variable("catalog-billing"), str(tmp_path / "offset"))
    assert clock_file_variable("catalog-billing") == "CATALOG_BILLING_TEST_CLOCK_FILE"
    assert isinstance(clock_from_env("catalog-billing"), OffsetClock)
    assert isinstance(clock_from_env("offers"), SystemClock)
