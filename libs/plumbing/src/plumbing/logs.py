"""JSON logs with the service name and the current trace and span ids."""

from __future__ import annotations

import json
import logging
import sys
import time

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
    # No format here prints the source file or line: skip the stack walk logging does per record.
    logging._srcfile = None  # type: ignore[attr-defined]
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


class AccessLineFormatter(logging.Formatter):
    """The one-line-per-request format: the same JSON fields as every other line (time, level,
    logger, message, service, trace and span ids) plus the record's `fields` dict, built with one
    json.dumps. python-json-logger's formatter cost ~110 µs a line at the gateway, a fifth of its
    budget per request (bench/gateway); this one a fraction of that."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self._second = -1
        self._stamp = ""

    def format(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        ctx = trace.get_current_span().get_span_context()
        line = {
            "time": f"{self._stamp},{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            "trace_id": format(ctx.trace_id, "032x") if ctx.is_valid else None,
            "span_id": format(ctx.span_id, "016x") if ctx.is_valid else None,
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_access_log(service: str, name: str) -> logging.Logger:
    """The logger `name` writes its lines to stderr with AccessLineFormatter, not through the root
    handler; at INFO when the root logger is at INFO or below. Idempotent."""
    logger = logging.getLogger(name)
    if not any(getattr(h, "_ingemplois", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler._ingemplois = True  # type: ignore[attr-defined]
        handler.setFormatter(AccessLineFormatter(service))
        logger.addHandler(handler)
        logger.propagate = False
    return logger
