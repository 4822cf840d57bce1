"""Fixtures of identity's tests: compiled translations and a migrated bundle on SQLite."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # helper modules (identity_*), whatever pytest's import mode
    sys.path.insert(0, str(TESTS_DIR))

from babel.messages.mofile import write_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402
from identity_support import make_bundle, real_time_clock  # noqa: E402

import identity  # noqa: E402
from plumbing.clock import FixedClock  # noqa: E402
from plumbing.service import ServiceBundle  # noqa: E402

TRANSLATIONS = Path(identity.__file__).resolve().parent / "translations"


@pytest.fixture(scope="session", autouse=True)
def compiled_translations() -> None:
    """What `make translations` does (pybabel compile): .mo files are build output, not in git."""
    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture(scope="module")
def module_clock() -> FixedClock:
    return real_time_clock()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, module_clock: FixedClock) -> Iterator[ServiceBundle]:
    """One migrated identity per test module (each test uses its own addresses)."""
    made = make_bundle(tmp_path_factory.mktemp("identity"), module_clock)
    yield made
    made.runtime.engine.dispose()
