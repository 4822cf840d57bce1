"""JSON logs with the service name and the current trace and span ids."""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from typing import Any

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
    logger, message, service, trace and span ids) plus the record's `fields` dict, written as
    json.dumps would write it (same text) but field by field: python-json-logger's formatter cost
    ~110 µs a line at the gateway, a fifth of its budget per request (bench/gateway); this one a
    few µs."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service
        self._second = -1
        self._stamp = ""
        self._fixed = ', "service": ' + _json_value(service)

    def format(self, record: logging.LogRecord) -> str:
        return self.line(record.created, record.levelname, record.name, record.getMessage(),
                         getattr(record, "fields", {}))

    def line(self, created: float, level: str, logger: str, message: str, fields: dict[str, Any]) -> str:
        """The JSON line of one record (`created`: its time.time()); `fields` come after the
        fixed names and must not reuse them."""
        second = int(created)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
        ctx = trace.get_current_span().get_span_context()
        ids = (f'"{ctx.trace_id:032x}", "span_id": "{ctx.span_id:016x}"' if ctx.is_valid
               else 'null, "span_id": null')
        parts = [
            f'{{"time": "{self._stamp},{int((created - second) * 1000):03d}", "level": {_json_value(level)}, '
            f'"logger": {_json_value(logger)}, "message": {_json_value(message)}{self._fixed}, "trace_id": {ids}'
        ]
        for key, value in fields.items():
            parts.append(f", {_json_value(str(key))}: {_json_value(value)}")
        parts.append("}")
        return "".join(parts)


_encode_str = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses


def _json_value(value: Any) -> str:
    """`value` as json.dumps(value, ensure_ascii=False, default=str) writes it."""
    if isinstance(value, str):
        return _encode_str(value)
    if type(value) is int:
        return int.__repr__(value)
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def write_access_line(logger: logging.Logger, message: str, fields: dict[str, Any]) -> None:
    """`logger.info(message, extra={"fields": fields})`, cheaper when configure_access_log set the
    logger up and nothing was added since (no other handler, filter or propagation): the line is
    formatted and written as the handler would, without a LogRecord and the logging machinery
    (a third of the gateway's own work a request, bench/gateway/cost.py). Tests that capture logs
    add a handler, and get the record. Call it only when `logger.isEnabledFor(logging.INFO)`."""
    handlers = logger.handlers
    handler = handlers[0] if len(handlers) == 1 else None
    if (handler is None or not getattr(handler, "_ingemplois", False) or logger.propagate or logger.filters
            or handler.filters or handler.level > logging.INFO or not isinstance(handler, logging.StreamHandler)
            or not isinstance(handler.formatter, AccessLineFormatter)):
        logger.info("%s", message, extra={"fields": fields})
        return
    line = handler.formatter.line(time.time(), "INFO", logger.name, message, fields)
    handler.acquire()
    try:
        handler.stream.write(line + handler.terminator)
        handler.stream.flush()
    except (OSError, ValueError):  # as StreamHandler.emit: logging's own error report (stderr gone…)
        logger.info("%s", message, extra={"fields": fields})
    finally:
        handler.release()


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
