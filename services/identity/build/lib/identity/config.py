"""identity's own settings (environment variables), beside plumbing's Settings."""

from __future__ import annotations

from dataclasses import dataclass

from plumbing.config import env, env_int


@dataclass(frozen=True)
class IdentityConfig:
    access_ttl: int = 300  # IDENTITY_ACCESS_TTL, seconds
    lockout_threshold: int = 5  # IDENTITY_LOCKOUT_THRESHOLD, consecutive failures
    lockout_minutes: int = 15  # IDENTITY_LOCKOUT_MINUTES
    refresh_ttl_hours: int = 12  # IDENTITY_REFRESH_TTL_HOURS
    verification_ttl_hours: int = 48  # IDENTITY_VERIFICATION_TTL_HOURS
    reset_ttl_minutes: int = 60  # IDENTITY_RESET_TTL_MINUTES
    argon2_time_cost: int = 3  # IDENTITY_ARGON2_TIME_COST
    argon2_memory_kib: int = 65536  # IDENTITY_ARGON2_MEMORY_KIB
    argon2_parallelism: int = 4  # IDENTITY_ARGON2_PARALLELISM
    key_reload_seconds: int = 60  # IDENTITY_KEY_RELOAD_SECONDS, how old a process's copy of the keys may get
    key_activation_seconds: int = 360  # IDENTITY_KEY_ACTIVATION_SECONDS, rotation → the new key signs
    key_retirement_margin_seconds: int = 300  # IDENTITY_KEY_RETIREMENT_MARGIN_SECONDS, beyond the access TTL
    #: The gateway's Redis (REDIS_URL) and key prefix (GATEWAY_REDIS_PREFIX): ended sessions are
    #: announced there (plumbing.revocations); none → the process-wide set (embedded suite).
    redis_url: str | None = None
    redis_prefix: str = "gw:"

    @classmethod
    def from_env(cls) -> IdentityConfig:
        d = cls()
        return cls(
            access_ttl=env_int("IDENTITY_ACCESS_TTL", d.access_ttl),
            lockout_threshold=env_int("IDENTITY_LOCKOUT_THRESHOLD", d.lockout_threshold),
            lockout_minutes=env_int("IDENTITY_LOCKOUT_MINUTES", d.lockout_minutes),
            refresh_ttl_hours=env_int("IDENTITY_REFRESH_TTL_HOURS", d.refresh_ttl_hours),
            verification_ttl_hours=env_int("IDENTITY_VERIFICATION_TTL_HOURS", d.verification_ttl_hours),
            reset_ttl_minutes=env_int("IDENTITY_RESET_TTL_MINUTES", d.reset_ttl_minutes),
            argon2_time_cost=env_int("IDENTITY_ARGON2_TIME_COST", d.argon2_time_cost),
            argon2_memory_kib=env_int("IDENTITY_ARGON2_MEMORY_KIB", d.argon2_memory_kib),
            argon2_parallelism=env_int("IDENTITY_ARGON2_PARALLELISM", d.argon2_parallelism),
            key_reload_seconds=env_int("IDENTITY_KEY_RELOAD_SECONDS", d.key_reload_seconds),
            key_activation_seconds=env_int("IDENTITY_KEY_ACTIVATION_SECONDS", d.key_activation_seconds),
            key_retirement_margin_seconds=env_int("IDENTITY_KEY_RETIREMENT_MARGIN_SECONDS",
                                                  d.key_retirement_margin_seconds),
            redis_url=env("REDIS_URL") or None,
            redis_prefix=env("GATEWAY_REDIS_PREFIX", d.redis_prefix),
        )
