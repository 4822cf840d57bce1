"""JSON logs with the service name and the current trace and span ids."""

from __future__ import annotations

import logging
import sys

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter


class _TraceContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.service = self.service
        record.trace_id = format(ctx.trace_id, "032x") if ctx.is_valid else None
        record.span_id = format(ctx.span_id, "016x") if ctx.is_valid else None
        return True


#: Libraries that write a line per request at INFO (httpx: one per outgoing call; uvicorn: its
#: access log). Kept at WARNING: the gateway writes the one access line per request itself
#: (gateway.access), and at several MB per bench run the duplicates cost CPU for nothing.
QUIET_LIBRARIES = ("httpx", "httpcore", "uvicorn.access", "aiohttp.access", "aiohttp.client")


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send JSON lines to stderr; idempotent."""
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "_ingemplois", False):
            return
    handler = logging.StreamHandler(sys.stderr)
    handler._ingemplois = True  # type: ignore[attr-defined]
    handler.addFilter(_TraceContextFilter(service))
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(trace_id)s %(span_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    root.addHandler(handler)
    root.setLevel(level)
