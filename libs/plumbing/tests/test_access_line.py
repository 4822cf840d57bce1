"""The access line: written directly when the logger is as configure_access_log left it, through
logging otherwise; the same JSON text either way, and as json.dumps would write it."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest

from plumbing.logs import AccessLineFormatter, configure_access_log, write_access_line

FIELDS = {"method": "GET", "path": '/a"b\\c\x01é\u2028', "status": 200, "duration_ms": 0.35, "client": "::1",
          "cache": "-", "none": None, "flag": True, "list": [1, "é"], "big": 10**30, "nan": float("nan"),
          "other": object}


def _without_time(line: str) -> dict:
    parsed = json.loads(line)
    parsed.pop("time")
    return parsed


def test_the_line_is_what_json_dumps_writes() -> None:
    record = logging.LogRecord("gateway.access", logging.INFO, "", 0, "GET %s", ("/x",), None)
    record.fields = FIELDS
    line = AccessLineFormatter("gateway").format(record)
    expected = {"time": json.loads(line)["time"], "level": "INFO", "logger": "gateway.access",
                "message": "GET /x", "service": "gateway", "trace_id": None, "span_id": None, **FIELDS}
    assert line == json.dumps(expected, ensure_ascii=False, default=str)


@pytest.fixture
def access_logger(monkeypatch: pytest.MonkeyPatch) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    logger = configure_access_log("svc", f"test.access.{uuid.uuid4().hex}")
    logger.setLevel(logging.INFO)
    return logger, stream


def test_written_directly_as_the_handler_would(access_logger, monkeypatch: pytest.MonkeyPatch) -> None:
    logger, stream = access_logger
    monkeypatch.setattr(logger, "handlers", logger.handlers[:1])  # without pytest's capturing handlers
    monkeypatch.setattr(logging.Logger, "makeRecord", lambda *a, **k: pytest.fail("a LogRecord was built"))
    write_access_line(logger, "GET / 200", {"status": 200})
    [line] = stream.getvalue().splitlines()
    assert _without_time(line) == {"level": "INFO", "logger": logger.name, "message": "GET / 200",
                                   "service": "svc", "trace_id": None, "span_id": None, "status": 200}


def test_through_logging_when_someone_else_listens(access_logger) -> None:
    logger, stream = access_logger
    records: list[logging.LogRecord] = []
    extra = logging.Handler()
    extra.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(extra)
    try:
        write_access_line(logger, "GET / 200", {"status": 200})
    finally:
        logger.removeHandler(extra)
    assert [(r.getMessage(), r.fields) for r in records] == [("GET / 200", {"status": 200})]
    [line] = stream.getvalue().splitlines()
    assert _without_time(line)["message"] == "GET / 200"
