"""Configuration from environment variables, with safe defaults for the embedded mode."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]


def env(name: str, default: str = "") -> str:
    """Return an environment variable, or the default when unset or empty."""
    value = os.environ.get(name, "")
    return value if value else default


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _service_prefix(service: str) -> str:
    return service.upper().replace("-", "_")


@dataclass(frozen=True)
class Settings:
    """What every service needs to start; services extend it with their own fields."""

    service: str
    mode: str
    database_url: str
    amqp_url: str
    exchange: str
    identity_url: str
    public_url: str
    var_dir: Path
    contracts_dir: Path
    log_level: str
    db_pool_size: int

    @property
    def embedded(self) -> bool:
        return self.mode == "embedded"

    @property
    def uses_rabbitmq(self) -> bool:
        """The distributed suite and Kubernetes carry events over RabbitMQ (the worker's relay and
        consumers); the embedded suite and the tests use the in-process broker."""
        return self.mode == "distributed"

    @classmethod
    def from_env(cls, service: str) -> Settings:
        prefix = _service_prefix(service)
        var_dir = Path(env("INGEMPLOIS_VAR", str(REPO_ROOT / "var")))
        return cls(
            service=service,
            mode=env("INGEMPLOIS_MODE", "embedded"),
            database_url=env(f"{prefix}_DATABASE_URL", f"sqlite:///{var_dir / (service + '.db')}"),
            amqp_url=env("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"),
            exchange=env("EVENT_EXCHANGE", "ingemplois.events"),
            identity_url=env("IDENTITY_URL", "http://127.0.0.1:8101"),
            public_url=env("PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/"),
            var_dir=var_dir,
            contracts_dir=Path(env("CONTRACTS_DIR", str(REPO_ROOT / "contracts"))),
            log_level=env("LOG_LEVEL", "INFO"),
            db_pool_size=env_int("DB_POOL_SIZE", 5),
        )
