"""Gateway configuration, read once from the environment (or built directly in tests)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

#: The seven services of the suite, in the order /healthz lists them.
SERVICE_NAMES: tuple[str, ...] = (
    "identity",
    "company-portal",
    "catalog-billing",
    "offers",
    "moderation",
    "mailer",
    "metrics",
)

#: Files served under /static/vendor/<name>, relative to the node_modules directory.
VENDOR_FILES: dict[str, str] = {
    "pico.min.css": "@picocss/pico/css/pico.min.css",
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "quill.js": "quill/dist/quill.js",
    "quill.snow.css": "quill/dist/quill.snow.css",
    **{f"source-sans-3-{weight}.woff2": f"@fontsource/source-sans-3/files/source-sans-3-latin-{weight}.woff2"
       for weight in ("400-normal", "400-italic", "600-normal", "700-normal")},
}

PACKAGE_DIR = Path(__file__).resolve().parent
#: Repository root when running from a checkout (gateway/src/gateway/config.py → repo).
REPO_ROOT = PACKAGE_DIR.parents[2]


def env_name(service: str) -> str:
    """`company-portal` → `GATEWAY_UPSTREAM_COMPANY_PORTAL`."""
    return "GATEWAY_UPSTREAM_" + service.upper().replace("-", "_")


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _hops(value: str | None) -> int:
    """GATEWAY_TRUST_PROXY: a number of hops; `true`/`yes`/`on` mean one, anything else none."""
    text = (value or "").strip().lower()
    if text.isdigit():
        return int(text)
    return 1 if _truthy(text) else 0


def _default_vendor_dir() -> Path:
    candidate = REPO_ROOT / "node_modules"
    return candidate if candidate.is_dir() else Path.cwd() / "node_modules"


@dataclass(frozen=True)
class GatewayConfig:
    """Everything the gateway needs to know; immutable once built."""

    #: service name → base URL (e.g. http://127.0.0.1:8101). Missing service → 503.
    upstreams: Mapping[str, str] = field(default_factory=dict)
    #: redis:// URL for sessions and rate-limit counters; None → in-memory (one process only).
    redis_url: str | None = None
    redis_prefix: str = "gw:"
    secure_cookies: bool = False
    #: Total time allowed for one upstream exchange, in seconds.
    upstream_timeout: float = 10.0
    #: Time allowed for each service's /healthz answer, in seconds.
    health_timeout: float = 1.5
    rate_limit_default: str = "600/minute"
    rate_limit_auth: str = "20/minute"
    #: How many proxies in front (ingress) are trusted to write X-Forwarded-For / -Proto / -Host;
    #: 0: none, the peer address is the client. The client is the entry the outermost one wrote.
    trust_proxy: int = 0
    static_dir: Path = PACKAGE_DIR / "static"
    vendor_dir: Path = field(default_factory=_default_vendor_dir)
    max_body_bytes: int = 12 * 1024 * 1024
    #: Keep-alive connections per service and gateway process: a few more than the service's
    #: workers x threads; more only spreads the same work over more sockets (bench/gateway).
    upstream_pool: int = 16
    #: Longest time an anonymous answer marked `public, s-maxage=N` is reused; 0 turns the
    #: micro-cache off. The window within which a change (a withdrawn offer) may not show yet.
    microcache_seconds: float = 1.0
    session_ttl_seconds: int = 12 * 3600

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GatewayConfig:
        """Build the configuration from `environ` (default: os.environ)."""
        env = os.environ if environ is None else environ
        upstreams = {
            name: env[env_name(name)].rstrip("/") for name in SERVICE_NAMES if env.get(env_name(name), "").strip()
        }
        kwargs: dict[str, object] = {
            "upstreams": upstreams,
            "redis_url": env.get("REDIS_URL") or None,
            "redis_prefix": env.get("GATEWAY_REDIS_PREFIX", "gw:"),
            "secure_cookies": _truthy(env.get("GATEWAY_SECURE_COOKIES")),
            "trust_proxy": _hops(env.get("GATEWAY_TRUST_PROXY")),
        }
        if env.get("GATEWAY_UPSTREAM_TIMEOUT"):
            kwargs["upstream_timeout"] = float(env["GATEWAY_UPSTREAM_TIMEOUT"])
        if env.get("GATEWAY_HEALTH_TIMEOUT"):
            kwargs["health_timeout"] = float(env["GATEWAY_HEALTH_TIMEOUT"])
        if env.get("GATEWAY_RATE_LIMIT_DEFAULT"):
            kwargs["rate_limit_default"] = env["GATEWAY_RATE_LIMIT_DEFAULT"]
        if env.get("GATEWAY_RATE_LIMIT_AUTH"):
            kwargs["rate_limit_auth"] = env["GATEWAY_RATE_LIMIT_AUTH"]
        if env.get("GATEWAY_STATIC_DIR"):
            kwargs["static_dir"] = Path(env["GATEWAY_STATIC_DIR"])
        if env.get("GATEWAY_VENDOR_DIR"):
            kwargs["vendor_dir"] = Path(env["GATEWAY_VENDOR_DIR"])
        if env.get("GATEWAY_UPSTREAM_POOL"):
            kwargs["upstream_pool"] = int(env["GATEWAY_UPSTREAM_POOL"])
        if env.get("GATEWAY_MICROCACHE_SECONDS"):
            kwargs["microcache_seconds"] = float(env["GATEWAY_MICROCACHE_SECONDS"])
        if env.get("GATEWAY_MAX_BODY_BYTES"):
            kwargs["max_body_bytes"] = int(env["GATEWAY_MAX_BODY_BYTES"])
        return cls(**kwargs)  # type: ignore[arg-type]
