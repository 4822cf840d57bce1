"""ingemplois gateway: the one address browsers use (routing, sessions, CSRF, rate limits)."""

from gateway.app import create_gateway
from gateway.config import SERVICE_NAMES, GatewayConfig

__all__ = ["SERVICE_NAMES", "GatewayConfig", "create_gateway"]
