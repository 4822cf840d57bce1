"""argon2id password hashing (argon2-cffi), with a dummy hash for unknown addresses."""

from __future__ import annotations

import secrets
import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

DEFAULT_TIME_COST = 3
DEFAULT_MEMORY_KIB = 65536
DEFAULT_PARALLELISM = 4


def _bytes(password: str) -> bytes:
    # JSON may carry lone surrogates ("\ud800"): hash them as they are rather than fail.
    return password.encode("utf-8", "surrogatepass")


class Argon2Hasher:
    """Hashes are `$argon2id$…` strings; parameters are those of RFC 9106 (low memory) by default."""

    def __init__(self, time_cost: int = DEFAULT_TIME_COST, memory_kib: int = DEFAULT_MEMORY_KIB,
                 parallelism: int = DEFAULT_PARALLELISM) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism,
                                      type=Type.ID)
        self._dummy: str | None = None
        self._lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self._hasher.hash(_bytes(password))

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, _bytes(password))
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def burn(self, password: str) -> None:
        """Verify against a hash nobody's password matches, to take as long as a real check."""
        with self._lock:
            if self._dummy is None:
                self._dummy = self.hash(secrets.token_urlsafe(24))
        self.verify(self._dummy, password)
