"""The search benchmark end to end on a small data set (500 live, 5,000 past offers, one short
round): it starts the servers, generates the data, loads the pages through the gateway, times the
two text queries and prints a verdict per goal. The figures themselves are not judged here."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "search" / "run.py"


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("search_bench", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["search_bench"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("search_bench", None)


def test_the_search_benchmark_runs_end_to_end_on_a_small_data_set(bench, capsys) -> None:  # type: ignore[no-untyped-def]
    code = bench.main(["--live", "500", "--past", "5000", "--duration", "1", "--rounds", "1", "--warmup", "0",
                       "--repetitions", "3", "--workers", "1", "--connections", "8"])
    out = capsys.readouterr().out

    assert code == 0, out
    assert re.search(r"^machine: \d+ cores", out, re.M)
    assert re.search(r"^load average before: [\d.]+ [\d.]+ [\d.]+", out, re.M)
    assert re.search(r"^load average after: [\d.]+ [\d.]+ [\d.]+", out, re.M)
    # the generator wrote what was asked: every offer, the live ones in the search index
    assert re.search(r"^data: generated in \d+ s; offers 5500, offer_search 500,", out, re.M), out
    # every design was loaded and answered only 2xx
    for label in ("search page, same URL (micro-cache)", "search page, distinct query strings",
                  "several filters, same URL (micro-cache)", "several filters, distinct query strings",
                  "bare Flask hello, gunicorn sync"):
        row = re.search(rf"^{re.escape(label)}\s+(\d+)\s.*$", out, re.M)
        assert row and int(row.group(1)) > 0, label
        assert "non-2xx" not in row.group(0) and "errors" not in row.group(0), row.group(0)
    # the pages are shareable: the same URL again comes from the gateway's cache, distinct query
    # strings never do (checked before the load), and the load had both
    check = r"^  pages answer 200; the gateway's cache: the same URL again \{[^}]*'hit': [1-9]"
    assert re.search(check, out, re.M), out
    outcomes = re.search(r"^gateway cache outcomes over the load: (\{.*\})$", out, re.M)
    assert outcomes and "'hit'" in outcomes.group(1) and "'miss'" in outcomes.group(1), out
    # both text queries ran on both searches, and the full-text one found offers
    for label in ("search page", "several filters"):
        row = re.search(rf"^{label}: count \+ first page\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+×\s+(\d+) / (\d+)$", out, re.M)
        assert row, label
        assert re.search(rf"^{label}: search\(\) with the 7 facets\s+[\d.]+ ms\s+[\d.]+ ms", out, re.M), label
    # a verdict per goal
    for goal in (r"the search page through the gateway \(micro-cache on\) ≥ 0\.75×",
                 r"the page with several filters through the gateway \(micro-cache on\) ≥ 0\.75×",
                 r"full text ≥ 20× faster than ILIKE, search page",
                 r"full text ≥ 20× faster than ILIKE, several filters"):
        assert re.search(rf"^(PASS|FAIL) {goal}", out, re.M), goal
