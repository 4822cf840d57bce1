"""Gateway benchmark: the path users take (browser → gateway → service) against bare Flask hello.

    .venv/bin/python bench/gateway/run.py [--duration 8] [--rounds 3] [--no-connection-close]

One run starts, the way `make up` does (suite.distributed, gunicorn with uvicorn workers,
LOG_LEVEL=INFO), identity and offers on throw-away PostgreSQL databases and a throw-away RabbitMQ
vhost, the gateway (micro-cache on) and a second gateway with the micro-cache off, plus a bare
Flask "hello" under gunicorn sync and gthread. It loads, with wrk, offers' landing page `GET /`:

- through the gateway, cache off, then on;
- straight to offers;
- and bare Flask hello under sync and gthread (4 threads),

with keep-alive, then with `Connection: close` on every request; prints req/s, p99, max, server CPU
per request per process (gateway, offers, baseline), the ratios and PASS/FAIL against the goals of
issue 10. A measurement, not a test: exit 0 whatever the figures, 1 if a server failed, 2 without wrk.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    free_port,
    measure,
    start_hello,
    wait_ready,
    with_suite,
    wrk_or_advice,
)

#: The goals of issue 10.
CACHED_VS_HELLO = 0.75  # through the gateway with the cache, req/s ≥ 0.75× bare Flask hello (sync)
UNCACHED_VS_DIRECT = 0.5  # without the cache, req/s ≥ 0.5× the page served straight
GATEWAY_CPU_US = 500.0  # without the cache, gateway CPU per request ≤ 0.5 ms
P99_VS_HELLO = 3.0  # p99 through the gateway ≤ 3× bare Flask's
PAGE = "/"  # offers' landing page (the job-site search page joins when it exists)


def check_cache(designs: dict[str, Design]) -> None:
    """The page is marked shareable, the cached gateway serves it from cache, the other does not."""
    direct = httpx.get(designs["direct"].url, timeout=5)
    if "public" not in direct.headers.get("cache-control", ""):
        raise RuntimeError(f"the page is not shareable: Cache-Control {direct.headers.get('cache-control')!r}")
    for key in ("cached", "uncached"):
        response = httpx.get(designs[key].url, timeout=5)
        if response.status_code != 200 or "Les emplois en génie" not in response.text:
            raise RuntimeError(f"{designs[key].label}: {response.status_code} {response.text[:200]}")
        names = [name.lower() for name, _ in response.headers.multi_items()]
        if names.count("date") != 1 or names.count("server") > 1:
            raise RuntimeError(f"{designs[key].label}: Date/Server not once: {names}")


def report(cells: dict[str, Cell], designs: list[Design], title: str) -> list[str]:
    hello = cells["sync"]
    lines = [f"\n{title}",
             f"{'design':<34} {'req/s':>7} {'ratio':>6} {'p99':>9} {'max':>9}  CPU per request (µs) by process",
             "-" * 110]
    for design in designs:
        cell = cells[design.key]
        cpu = ", ".join(f"{p.name} {cell.cpu_us(p.name):.0f}" for p in design.processes)
        extra = f"  ({cell.problems})" if cell.problems else ""
        lines.append(f"{design.label:<34} {cell.median('rps'):7.0f} {cell.median('rps') / hello.median('rps'):5.2f}× "
                     f"{fmt_ms(cell.median('p99_ms')):>9} {fmt_ms(cell.max):>9}  {cpu}{extra}")
    cached, uncached, direct = cells["cached"], cells["uncached"], cells["direct"]
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    ratio_cached = cached.median("rps") / hello.median("rps")
    ratio_uncached = uncached.median("rps") / direct.median("rps")
    gateway_cpu = uncached.cpu_us("gateway")
    p99_ratio = cached.median("p99_ms") / hello.median("p99_ms")
    p99_uncached = uncached.median("p99_ms") / hello.median("p99_ms")
    lines += [
        "",
        f"{verdict(ratio_cached >= CACHED_VS_HELLO)} through the gateway with the cache ≥ {CACHED_VS_HELLO}× bare "
        f"Flask hello (sync): {ratio_cached:.2f}×",
        f"{verdict(gateway_cpu <= GATEWAY_CPU_US)} without the cache, gateway CPU per request ≤ "
        f"{GATEWAY_CPU_US / 1000:.1f} ms: {gateway_cpu / 1000:.2f} ms",
        f"{verdict(ratio_uncached >= UNCACHED_VS_DIRECT)} without the cache ≥ {UNCACHED_VS_DIRECT}× the page served "
        f"straight: {ratio_uncached:.2f}×",
        f"{verdict(p99_ratio <= P99_VS_HELLO)} p99 through the gateway (cache on, as the page is served) ≤ "
        f"{P99_VS_HELLO:g}× bare Flask's: {p99_ratio:.2f}×",
        f"     (p99 through the gateway with the cache off: {p99_uncached:.2f}× bare Flask's; straight to offers: "
        f"{direct.median('p99_ms') / hello.median('p99_ms'):.2f}×)",
    ]
    return lines


def log_lines(logs: Path, requests: dict[str, int]) -> str:
    """Lines written per request (measured rounds; warm-ups and checks add a few): the gateway
    should write one access line per request and the services none (LOG_LEVEL=INFO)."""
    files = {"gateway": "gateway", "uncached": "gateway-uncached", "offers-web": "offers-web"}
    counts = {}
    for name, file in files.items():
        with (logs / f"{file}.log").open("rb") as log:
            counts[name] = sum(1 for _ in log)
    parts = [f"{name} {counts[name] / max(requests[name], 1):.2f}" for name in counts]
    return "\nlog lines per request (LOG_LEVEL=INFO): " + ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_load_arguments(parser)
    parser.add_argument("--no-connection-close", action="store_true", help="skip the `Connection: close` pass")
    args = parser.parse_args(argv)

    wrk = wrk_or_advice()
    if wrk is None:
        return 2
    passes: list[tuple[str, list[str]]] = [("keep-alive (wrk default)", [])]
    if not args.no_connection_close:
        passes.append(("'Connection: close' on every request", ["Connection: close"]))
    print(f"gateway benchmark: 5 designs × {args.rounds} rounds × {args.duration:g} s × {len(passes)} connection "
          f"modes, wrk -t{args.threads} -c{args.connections}, {args.workers} gunicorn workers per process; about "
          f"{len(passes) * 5 * (args.warmup + args.rounds * args.duration) / 60:.1f} min of load", flush=True)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    return with_suite("gateway", args.workers, lambda suite, tmp, extra: run(suite, wrk, passes, args, tmp, extra))


def run(suite: Any, wrk: str, passes: list[tuple[str, list[str]]], args: argparse.Namespace, tmp: Path,
        extra: list[subprocess.Popen[bytes]]) -> int:
    """Start the servers beside the suite (their processes go to `extra`), check, load, report."""
    from suite.distributed import gunicorn_command

    suite.start()
    env = {**suite.env(), "GATEWAY_MICROCACHE_SECONDS": "0"}
    uncached_port = free_port()
    with (tmp / "logs" / "gateway-uncached.log").open("ab") as log:
        uncached = subprocess.Popen(gunicorn_command("gateway.asgi:create_app()", uncached_port, args.workers),
                                    env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    extra.append(uncached)
    baselines = start_hello(tmp / "logs", args.workers, env, REPO)
    extra += [popen for popen, _ in baselines.values()]
    gateway = Process("gateway", suite.processes["gateway"])
    offers = Process("offers", suite.processes["offers-web"])
    designs = [
        Design("cached", "gateway → offers, micro-cache on", suite.gateway_url + PAGE, [gateway, offers]),
        Design("uncached", "gateway → offers, micro-cache off", f"http://127.0.0.1:{uncached_port}{PAGE}",
               [Process("gateway", uncached), offers]),
        Design("direct", "offers straight (no gateway)", f"http://127.0.0.1:{suite.ports['offers']}{PAGE}",
               [offers]),
        Design("sync", "bare Flask hello, gunicorn sync", f"http://127.0.0.1:{baselines['sync'][1]}/",
               [Process("hello", baselines["sync"][0])]),
        Design("gthread", "bare Flask hello, gthread 4", f"http://127.0.0.1:{baselines['gthread'][1]}/",
               [Process("hello", baselines["gthread"][0])]),
    ]
    wait_ready(designs[1].url, uncached)
    for key in ("sync", "gthread"):
        wait_ready(f"http://127.0.0.1:{baselines[key][1]}/", baselines[key][0])
    check_cache({d.key: d for d in designs})
    print("servers up; the page is shareable, Date and Server come once", flush=True)
    summary: list[str] = []
    requests = {"gateway": 0, "uncached": 0, "offers-web": 0}
    for title, headers in passes:
        print(f"\n== {title}", flush=True)
        cells = measure(wrk, designs, args, headers)
        requests["gateway"] += sum(s.requests for s in cells["cached"].samples)
        requests["uncached"] += sum(s.requests for s in cells["uncached"].samples)
        requests["offers-web"] += sum(s.requests for k in ("uncached", "direct") for s in cells[k].samples)
        summary += report(cells, designs, f"== {title}: GET {PAGE} (offers' landing page), medians of "
                                          f"{args.rounds} × {args.duration:g} s, ratio = req/s ÷ bare Flask sync")
    print("\n".join(summary))
    print(log_lines(tmp / "logs", requests))
    print(f"\n(all servers and wrk share this machine's {os.cpu_count()} CPUs: expect ±15–25 % between runs; "
          "CPU per request moves less; load average after: {:.2f} {:.2f} {:.2f})".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
