"""Search benchmark (issue 11): the job site's search on 10,000 live and 200,000 past offers.

    .venv/bin/python bench/search/run.py                       # the issue's data set; ≈ 4 min of load
    .venv/bin/python bench/search/run.py --live 500 --past 5000 --duration 1 --rounds 1 --warmup 0
                                                               # the harness end to end (bench/tests)

One run, on throw-away PostgreSQL databases (and RabbitMQ vhost, Redis prefix), removed at the end:

1. starts identity and offers the way `make up` does (suite.distributed: gunicorn with uvicorn
   workers, production settings as bench/gateway), behind the gateway (micro-cache on), and the bare
   Flask hello app under gunicorn sync (bench/gateway/hello.py);
2. fills offers' database with `python -m offers.devtools.generate --live N --past M`, then
   `VACUUM ANALYZE` (what autovacuum does after a bulk load);
3. (a) loads with wrk, through the gateway, the search page `SEARCH` and a page with several
   filters `FILTERS`: the same URL again and again (the micro-cache answers anonymous pages for a
   second: fair, the page is shareable), and a distinct query string on every request (an extra
   parameter the page ignores: the cache never answers, every request is a search), against hello;
   prints req/s, p99, server CPU per request, the ratio to hello (goal ≥ 0.75×, cached);
4. (b) in process on the same database, three searches (the text alone, then `SEARCH` and `FILTERS`
   with their filters) as a full-text query (the `document` tsvector, `websearch_to_tsquery(
   'fr_unaccent', …)`, GIN) and as ILIKE on the same columns (titles, company, description; every
   word, as typed), same filters, the count and the first page of each, alternated over many
   repetitions; prints the medians and their ratio (goal ≥ 20×), and the same for the whole
   `SqlOfferSearch.search()` (count, page and the seven facet counts; its text match replaced by
   ILIKE); `--explain` prints the plan of every statement;
5. prints the machine (cores, load average before and after) and PASS/FAIL per goal.

A measurement, not a test: exit 0 whatever the figures; 1 if something failed (a server, the
generator), 2 without wrk, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(REPO))
from benchkit import (  # noqa: E402
    Cell,
    Design,
    Process,
    add_load_arguments,
    fmt_ms,
    measure,
    start_hello,
    wait_ready,
    with_suite,
    wrk_or_advice,
)

#: The goals of issue 11.
CACHED_VS_HELLO = 0.75  # the search page through the gateway, req/s ≥ 0.75× bare Flask hello (sync)
FULLTEXT_VS_ILIKE = 20.0  # the full-text query ≥ 20× faster than ILIKE on the same data

#: The search of done-means 1 (no accents: "ingénieure civile" must find "ingénieur civil"), Montréal.
SEARCH = "/emplois/?q=ingenieure+civile&region=06"
#: Several filters: text, two domains, two regions, profile, type, formula.
FILTERS = ("/emplois/?q=ingenieur+structure&domaine=civil&domaine=structures&region=06&region=16"
           "&profil=ing&type=permanent&formule=hybride")
#: (b) also times the text alone (no filter): the full-text query against ILIKE over every live offer.
TEXT_ALONE = "/emplois/?q=ingenieure+civile"
#: (b)'s searches: label → URL.
TEXT_SEARCHES = {"text alone": TEXT_ALONE, "search page": SEARCH, "several filters": FILTERS}
#: wrk: every request's URL gets a parameter of its own (`&_bench=<thread>-<n>`), which the page
#: ignores and the micro-cache keys on, so no answer comes from the cache.
DISTINCT_LUA = """
local counter = 1
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  return wrk.format(nil, wrk.path .. "&_bench=" .. id .. "-" .. n)
end
"""


# the machine ------------------------------------------------------------------------------------
def machine() -> str:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        kib = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                       if line.startswith("MemTotal")))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return (f"machine: {os.cpu_count()} cores ({model or platform.machine()}){memory}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# the data ---------------------------------------------------------------------------------------
def generate(env: dict[str, str], database_url: str, live: int, past: int, logs: Path) -> float:
    """Fill offers' database with the demo generator; returns the seconds it took."""
    started = time.monotonic()
    argv = [sys.executable, "-m", "offers.devtools.generate", "--live", str(live), "--past", str(past),
            "--database-url", database_url]
    with (logs / "generate.log").open("ab") as log:
        result = subprocess.run(argv, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, timeout=3600)
    if result.returncode != 0:
        tail = "\n".join((logs / "generate.log").read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"the generator failed (exit {result.returncode}):\n{tail}")
    return time.monotonic() - started


def prepare_database(database_url: str) -> dict[str, Any]:
    """VACUUM ANALYZE (planner statistics and visibility map, as autovacuum would after a bulk
    load); the row counts and PostgreSQL's version."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
            facts: dict[str, Any] = {"version": connection.execute(text("SHOW server_version")).scalar_one()}
            for table in ("offers", "offer_search", "offer_search_values"):
                facts[table] = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
            facts["size"] = connection.execute(
                text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar_one()
    finally:
        engine.dispose()
    return facts


# (a) the page through the gateway -------------------------------------------------------------------
def access_outcomes(log: Path, offset: int) -> Counter[str]:
    """The gateway's cache outcomes (hit, miss, coalesced, bypass) in its access lines after `offset`."""
    counts: Counter[str] = Counter()
    with log.open("rb") as stream:
        stream.seek(offset)
        for raw in stream:
            start = raw.find(b"{")
            if b'"cache"' not in raw or start < 0:
                continue
            try:
                counts[str(json.loads(raw[start:]).get("cache", "-"))] += 1
            except ValueError:
                continue
    return counts


def check_pages(gateway_url: str, log: Path) -> None:
    """Both pages answer 200 (and say whether they are shareable); distinct query strings are never
    answered from the cache (read from the gateway's access lines), the same URL again is when the
    page is shareable."""
    shareable = True
    for path in (SEARCH, FILTERS):
        response = httpx.get(gateway_url + path, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        if "public" not in response.headers.get("cache-control", ""):
            shareable = False
            print(f"  note: {path} is not shareable (Cache-Control {response.headers.get('cache-control')!r}): "
                  "the micro-cache cannot answer it", flush=True)

    def outcomes(urls: list[str]) -> dict[str, int]:
        """On one connection, so one gateway worker (each has its own cache)."""
        time.sleep(0.3)  # the access line is written after the answer
        offset = log.stat().st_size
        with httpx.Client(timeout=30) as client:
            for url in urls:
                client.get(url)
        time.sleep(0.3)
        return dict(access_outcomes(log, offset))

    again = outcomes([gateway_url + SEARCH, gateway_url + SEARCH])
    distinct = outcomes([f"{gateway_url}{SEARCH}&_bench=check-{time.monotonic_ns()}-{n}" for n in range(3)])
    if distinct.get("hit") or distinct.get("coalesced"):
        raise RuntimeError(f"distinct query strings were answered from the cache: {distinct}")
    if shareable and not again.get("hit"):
        print(f"  note: the same URL again was not answered from the cache: {again}", flush=True)
    print(f"  pages answer 200; the gateway's cache: the same URL again {again}, distinct query strings {distinct}",
          flush=True)


@dataclass
class PageFigures:
    lines: list[str]
    verdicts: list[tuple[bool, str]]


def report_pages(cells: dict[str, Cell], designs: list[Design], title: str, outcomes: Counter[str]) -> PageFigures:
    hello = cells["hello"]
    lines = [f"\n{title}",
             f"{'design':<44} {'req/s':>7} {'×hello':>7} {'p99':>9} {'max':>9}  CPU per request (µs) by process",
             "-" * 118]
    for design in designs:
        cell = cells[design.key]
        cpu = ", ".join(f"{p.name} {cell.cpu_us(p.name):.0f}" for p in design.processes)
        extra = f"  ({cell.problems})" if cell.problems else ""
        lines.append(f"{design.label:<44} {cell.median('rps'):7.0f} {cell.median('rps') / hello.median('rps'):6.2f}× "
                     f"{fmt_ms(cell.median('p99_ms')):>9} {fmt_ms(cell.max):>9}  {cpu}{extra}")
    lines.append(f"gateway cache outcomes over the load: {dict(outcomes)}")
    verdicts = []
    for key, name in (("search", "the search page"), ("filters", "the page with several filters")):
        ratio = cells[key].median("rps") / hello.median("rps")
        uncached = cells[f"{key}-distinct"].median("rps") / hello.median("rps")
        p99 = cells[key].median("p99_ms")
        distinct = cells[f"{key}-distinct"]
        verdicts.append((ratio >= CACHED_VS_HELLO,
                         f"{name} through the gateway (micro-cache on) ≥ {CACHED_VS_HELLO}× bare Flask hello: "
                         f"{ratio:.2f}× (p99 {fmt_ms(p99)}, hello's {fmt_ms(hello.median('p99_ms'))}); "
                         f"uncached (distinct query strings): {distinct.median('rps'):.0f} req/s = {uncached:.3f}×, "
                         f"p99 {fmt_ms(distinct.median('p99_ms'))}"))
    return PageFigures(lines, verdicts)


def load_pages(suite: Any, hello: tuple[subprocess.Popen[bytes], int], wrk: str, args: argparse.Namespace,
               tmp: Path, headers: list[str]) -> PageFigures:
    gateway_log = suite.log_path("gateway")
    script = tmp / "distinct.lua"
    script.write_text(DISTINCT_LUA)
    gateway = Process("gateway", suite.processes["gateway"])
    offers = Process("offers", suite.processes["offers-web"])
    designs = [
        Design("search", "search page, same URL (micro-cache)", suite.gateway_url + SEARCH, [gateway, offers]),
        Design("search-distinct", "search page, distinct query strings", suite.gateway_url + SEARCH,
               [gateway, offers], script),
        Design("filters", "several filters, same URL (micro-cache)", suite.gateway_url + FILTERS, [gateway, offers]),
        Design("filters-distinct", "several filters, distinct query strings", suite.gateway_url + FILTERS,
               [gateway, offers], script),
        Design("hello", "bare Flask hello, gunicorn sync", f"http://127.0.0.1:{hello[1]}/",
               [Process("hello", hello[0])]),
    ]
    offset = gateway_log.stat().st_size
    cells = measure(wrk, designs, args, headers, quiet=[gateway, offers])
    time.sleep(0.5)
    mode = "'Connection: close'" if headers else "keep-alive"
    return report_pages(cells, designs, f"== (a) through the gateway, {mode}, medians of {args.rounds} × "
                                        f"{args.duration:g} s, wrk -t{args.threads} -c{args.connections}",
                        access_outcomes(gateway_log, offset))


# (b) full text vs ILIKE, in process -------------------------------------------------------------------
@dataclass
class Timing:
    label: str
    fulltext_ms: list[float]
    ilike_ms: list[float]
    fulltext_total: int
    ilike_total: int

    @property
    def ratio(self) -> float:
        return statistics.median(self.ilike_ms) / statistics.median(self.fulltext_ms)


def _alternate(fulltext: Callable[[], int], ilike: Callable[[], int], repetitions: int,
               warmup: int = 2) -> tuple[list[float], list[float], int, int]:
    """Time both, A B then B A in turn (drift hits both alike); returns their times (ms) and totals."""
    times: dict[str, list[float]] = {"fulltext": [], "ilike": []}
    totals = {"fulltext": fulltext(), "ilike": ilike()}
    for rep in range(warmup + repetitions):
        order = (("fulltext", fulltext), ("ilike", ilike))
        for name, call in order if rep % 2 == 0 else reversed(order):
            started = time.perf_counter()
            call()
            if rep >= warmup:
                times[name].append((time.perf_counter() - started) * 1000)
    return times["fulltext"], times["ilike"], totals["fulltext"], totals["ilike"]


def explained(session: Any, call: Callable[[], int]) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement `call` sends, in order, with its own parameters."""
    from sqlalchemy import event

    connection = session.connection()
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    parts = []
    for statement, parameters in sent:
        plan = connection.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters).scalars().all()
        parts.append(f"-- {' '.join(statement.split())}\n-- {parameters}\n" + "\n".join(plan))
    return "\n\n".join(parts)


def compare_text_queries(database_url: str, repetitions: int, explain: bool) -> list[Timing]:
    """The same searches as full text and as ILIKE, in process (see the module's docstring)."""
    from sqlalchemy import and_, cast, create_engine, exists, func, literal, or_, select
    from sqlalchemy.dialects.postgresql import REGCONFIG
    from sqlalchemy.orm import Session
    from werkzeug.datastructures import MultiDict

    from offers.adapters.orm_search import offer_search, offer_search_values
    from offers.adapters.search_sql import SqlOfferSearch, TextMatch
    from offers.domain.search import SearchQuery

    S = offer_search.c
    now = datetime.now(UTC)

    def fulltext(text_: str) -> tuple[Any, Any]:
        tsquery = func.websearch_to_tsquery(cast(literal("fr_unaccent"), REGCONFIG), text_)
        return S.document.op("@@")(tsquery), func.ts_rank_cd(S.document, tsquery)

    def ilike(text_: str) -> tuple[Any, Any]:
        """Every word as typed in one of the columns; no rank (newest first)."""
        columns = (S.title_fr, S.title_en, S.company_name, S.body)
        words = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in text_.split()]
        return and_(*(or_(*(c.ilike(f"%{w}%") for c in columns)) for w in words)), None

    def statements(query: SearchQuery, build: Callable[[str], tuple[Any, Any]]) -> tuple[Any, Any]:
        """The count and the first page, with the adapter's online predicate and facet filters."""
        predicate, rank = build(query.text)
        conditions = [and_(S.published_at <= now, S.publication_ends_at > now, S.ended_at.is_(None)), predicate]
        for facet, codes in query.filters().items():
            values = offer_search_values.alias(f"f_{facet}")
            conditions.append(exists().where(values.c.offer_id == S.offer_id, values.c.facet == facet,
                                             values.c.value.in_(codes)))
        count = select(func.count()).select_from(offer_search).where(*conditions)
        newest = [S.published_at.desc(), S.offer_id]
        order = newest if rank is None else [rank.desc(), *newest]
        page = (select(offer_search, (literal(0.0) if rank is None else rank).label("rank")).where(*conditions)
                .order_by(*order).limit(query.per_page))
        return count, page

    class IlikeSearch(SqlOfferSearch):
        """The adapter with its text match replaced by ILIKE (facets, count and page unchanged)."""

        def _text(self, text_: str) -> Any:
            if not text_.split():
                return None
            predicate, _ = ilike(text_)
            return TextMatch(predicate, offer_search, literal(0.0))

    if not hasattr(SqlOfferSearch, "_text"):  # else IlikeSearch would silently search the full text
        raise RuntimeError("SqlOfferSearch._text is gone: bench/search/run.py's IlikeSearch must follow the adapter")
    engine = create_engine(database_url)
    timings = []
    try:
        with Session(engine) as session:

            def count_and_page(count: Any, page: Any) -> Callable[[], int]:
                def call() -> int:
                    total = session.execute(count).scalar_one()
                    session.execute(page).all()
                    return int(total)
                return call

            def whole_search(adapter: Any, query: SearchQuery) -> Callable[[], int]:
                return lambda: adapter.search(query, now=now).total

            for label, path in TEXT_SEARCHES.items():
                query = SearchQuery.from_args(MultiDict(parse_qsl(urlsplit(path).query)))
                calls = [count_and_page(*statements(query, fulltext)), count_and_page(*statements(query, ilike))]
                whole = [whole_search(SqlOfferSearch(session), query), whole_search(IlikeSearch(session), query)]
                if explain:
                    for name, call in zip(("full text", "ILIKE", "search(), full text", "search(), ILIKE"),
                                          calls + whole, strict=True):
                        print(f"\n==== EXPLAIN {label}, {name}", flush=True)
                        print(explained(session, call), flush=True)
                timings.append(Timing(f"{label}: count + first page", *_alternate(*calls, repetitions)))
                timings.append(Timing(f"{label}: search() with the 7 facets",
                                      *_alternate(*whole, max(3, repetitions // 3))))
                session.rollback()
    finally:
        engine.dispose()
    return timings


def report_text(timings: list[Timing], live: int, repetitions: int) -> tuple[list[str], list[tuple[bool, str]]]:
    lines = [f"\n== (b) full text vs ILIKE, in process on PostgreSQL ({live} live offers in the index), "
             f"medians of {repetitions} repetitions (search() with facets: {max(3, repetitions // 3)})",
             f"{'query':<44} {'full text':>10} {'ILIKE':>10} {'ratio':>8}  offers found (full text / ILIKE)",
             "-" * 110]
    lines[1:1] = [f"  {label}: {urlsplit(url).query}" for label, url in TEXT_SEARCHES.items()]
    for t in timings:
        fulltext, ilike = statistics.median(t.fulltext_ms), statistics.median(t.ilike_ms)
        lines.append(f"{t.label:<44} {fulltext:7.2f} ms {ilike:7.2f} ms {t.ratio:7.1f}×  "
                     f"{t.fulltext_total} / {t.ilike_total}")
    verdicts = [(t.ratio >= FULLTEXT_VS_ILIKE, f"full text ≥ {FULLTEXT_VS_ILIKE:g}× faster than ILIKE, {t.label}: "
                 f"{t.ratio:.1f}×") for t in timings if "count + first page" in t.label]
    return lines, verdicts


# the run ----------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", type=int, default=10_000, help="live offers to generate (10000)")
    parser.add_argument("--past", type=int, default=200_000, help="past (expired) offers to generate (200000)")
    add_load_arguments(parser)
    parser.add_argument("--connection-close", action="store_true", help="a second pass with `Connection: close`")
    parser.add_argument("--repetitions", type=int, default=30, help="repetitions of each query in (b) (30)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of (b)'s queries")
    args = parser.parse_args(argv)

    wrk = wrk_or_advice()
    if wrk is None:
        return 2
    passes = [[]] + ([["Connection: close"]] if args.connection_close else [])
    print(f"search benchmark: {args.live} live + {args.past} past offers; (a) 5 designs × {args.rounds} rounds × "
          f"{args.duration:g} s × {len(passes)} connection mode(s), {args.workers} gunicorn workers per process; "
          f"(b) {args.repetitions} repetitions", flush=True)
    print(machine(), flush=True)
    print(f"load average before: {load_average()}", flush=True)
    return with_suite("search", args.workers, lambda suite, tmp, extra: run(suite, wrk, passes, args, tmp, extra),
                      prefix="bench_search")


def run(suite: Any, wrk: str, passes: list[list[str]], args: argparse.Namespace, tmp: Path,
        extra: list[subprocess.Popen[bytes]]) -> int:
    suite.start()
    database_url = suite.infra.database_urls["offers"]
    seconds = generate(suite.env(), database_url, args.live, args.past, tmp / "logs")
    facts = prepare_database(database_url)
    print(f"data: generated in {seconds:.0f} s; offers {facts['offers']}, offer_search {facts['offer_search']}, "
          f"offer_search_values {facts['offer_search_values']}; database {facts['size']}; PostgreSQL "
          f"{facts['version']}; VACUUM ANALYZE done", flush=True)
    hello = start_hello(tmp / "logs", args.workers, suite.env(), REPO, kinds=("sync",))["sync"]
    extra.append(hello[0])
    wait_ready(f"http://127.0.0.1:{hello[1]}/", hello[0])
    check_pages(suite.gateway_url, suite.log_path("gateway"))
    summary: list[str] = []
    verdicts: list[tuple[bool, str]] = []
    for headers in passes:
        figures = load_pages(suite, hello, wrk, args, tmp, headers)
        summary += figures.lines
        verdicts += figures.verdicts
    print("\nservers idle; (b) in process …", flush=True)
    lines, text_verdicts = report_text(compare_text_queries(database_url, args.repetitions, args.explain),
                                       facts["offer_search"], args.repetitions)
    summary += lines
    verdicts += text_verdicts
    print("\n".join(summary))
    print("")
    for ok, line in verdicts:
        print(f"{'PASS' if ok else 'FAIL'} {line}")
    print(f"\n{machine()}\nload average after: {load_average()} (servers, wrk and the other engineers' work share "
          "the cores: expect ±15–25 % on req/s between runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
