"""GET /healthz: the gateway is alive, and here is what each service says (checked concurrently)."""

from __future__ import annotations

from typing import Any

import anyio

from gateway.config import SERVICE_NAMES
from gateway.proxy import UpstreamError, Upstreams


async def check_service(upstreams: Upstreams, service: str, timeout: float) -> dict[str, Any]:
    """`{"status": "ok"|"down"|"absent", ...}` for one service."""
    if upstreams.base_url(service) is None:
        return {"status": "absent"}
    try:
        response = await upstreams.request(
            service, "GET", b"/healthz", [("accept", "application/json")], timeout=timeout
        )
    except UpstreamError as exc:
        return {"status": "down", "error": exc.kind}
    if response.status == 200:
        return {"status": "ok", "http_status": 200}
    return {"status": "down", "http_status": response.status}


async def check_all(upstreams: Upstreams, timeout: float) -> dict[str, Any]:
    """The /healthz document: "ok" only when every one of the seven services is ok."""
    results: dict[str, dict[str, Any]] = {}

    async def one(name: str) -> None:
        results[name] = await check_service(upstreams, name, timeout)

    async with anyio.create_task_group() as group:
        for name in SERVICE_NAMES:
            group.start_soon(one, name)
    services = {name: results[name] for name in SERVICE_NAMES}
    healthy = all(entry["status"] == "ok" for entry in services.values())
    return {"status": "ok" if healthy else "degraded", "services": services}
