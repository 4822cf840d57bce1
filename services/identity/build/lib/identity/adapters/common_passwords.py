"""The list of common and breached passwords: a data file shipped with the package (see its header)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from identity.domain.passwords import PasswordPolicy


@lru_cache(maxsize=1)
def load_password_policy() -> PasswordPolicy:
    """Read once per process (≈ 49,000 entries, ≈ 4 MB in memory)."""
    text = resources.files("identity").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return PasswordPolicy.of(line for line in text.splitlines() if not line.startswith("#"))
